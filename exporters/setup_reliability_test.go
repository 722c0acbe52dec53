package exporters

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	collmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	colltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestSetupBurstKeepsEverySpanInTheFile ends spans from many goroutines as fast as they can
// through a small queue: the file keeps every one.
func TestSetupBurstKeepsEverySpanInTheFile(t *testing.T) {
	clearOTLPEnv(t)
	dir := t.TempDir()
	cfg := quietConfig()
	cfg.Exporters.File = FileExporterConfig{Path: filepath.Join(dir, "s.jsonl"), MetricsPath: filepath.Join(dir, "m.jsonl")}
	cfg.Batch = BatchConfig{MaxQueueSize: 8, MaxExportBatchSize: 4}
	tel, err := Setup(t.Context(), cfg)
	require.NoError(t, err)

	const goroutines, perGoroutine = 8, 600
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			tracer := tel.TracerProvider().Tracer("burst")
			for range perGoroutine {
				_, span := tracer.Start(t.Context(), "invoke_agent")
				span.End()
			}
		})
	}
	wg.Wait()
	require.NoError(t, tel.Shutdown(t.Context()))
	spans, _ := readSpans(t, cfg.Exporters.File.Path)
	assert.Equal(t, goroutines*perGoroutine, len(spans), "spans in the file")
}

// deadCollector accepts connections and never answers, as a hung collector does.
func deadCollector(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return ln.Addr().String()
}

// TestShutdownWithDeadCollector: the files get everything although the collector takes the
// whole deadline, and the error counts the spans it did not get.
func TestShutdownWithDeadCollector(t *testing.T) {
	tests := []struct {
		name     string
		protocol string
	}{
		{name: "grpc", protocol: ProtocolGRPC},
		{name: "http", protocol: ProtocolHTTPProtobuf},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clearOTLPEnv(t)
			dir := t.TempDir()
			cfg := quietConfig()
			cfg.Exporters.File = FileExporterConfig{Path: filepath.Join(dir, "s.jsonl"), MetricsPath: filepath.Join(dir, "m.jsonl")}
			cfg.Exporters.OTLP = OTLPConfig{Endpoint: deadCollector(t), Protocol: tc.protocol, Insecure: new(true)}
			cfg.Batch.ScheduleDelay = Duration(time.Hour) // nothing leaves before Shutdown
			tel, err := Setup(t.Context(), cfg)
			require.NoError(t, err)

			const spans = 37
			for range spans {
				_, span := tel.TracerProvider().Tracer("t").Start(t.Context(), "op")
				span.End()
			}
			counter, err := tel.MeterProvider().Meter("t").Int64Counter("test.requests")
			require.NoError(t, err)
			counter.Add(t.Context(), 1)

			// The caller's deadline is shorter than shutdown_timeout: it wins.
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
			defer cancel()
			err = tel.Shutdown(ctx)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "exporters: shutdown: otlp: 37 spans not exported at shutdown")
			assert.Equal(t, 1, strings.Count(err.Error(), "exporters:"), "one prefix: %v", err)

			got, _ := readSpans(t, cfg.Exporters.File.Path)
			assert.Equal(t, spans, len(got), "the file has every span")
			assert.Contains(t, readMetricNames(t, cfg.Exporters.File.MetricsPath), "test.requests", "the metric file was flushed first")
		})
	}
}

// flakyTraceService is an OTLP/gRPC trace receiver that answers Unavailable while down, as a
// collector does during a restart, and counts the spans it accepted.
type flakyTraceService struct {
	colltracepb.UnimplementedTraceServiceServer
	down     atomic.Bool
	accepted atomic.Int64
}

func (s *flakyTraceService) Export(_ context.Context, req *colltracepb.ExportTraceServiceRequest) (*colltracepb.ExportTraceServiceResponse, error) {
	if s.down.Load() {
		return nil, status.Error(codes.Unavailable, "collector restarting")
	}
	var n int64
	for _, rs := range req.GetResourceSpans() {
		for _, ss := range rs.GetScopeSpans() {
			n += int64(len(ss.GetSpans()))
		}
	}
	s.accepted.Add(n)
	return &colltracepb.ExportTraceServiceResponse{}, nil
}

// TestCollectorOutageCountsEveryLostSpan sends 10,000 spans to a collector that is down for the
// spans 3,000 to 5,399 (3 s of traffic at 800 spans/s): the file keeps every span, and every
// span the collector did not get is counted as dropped, so accepted + dropped = sent exactly.
// The test ends spans as fast as it can; OTELAGENT_OUTAGE_RATE=800 paces them at 800 spans/s
// and logs the figures of that run (RELIABILITY.md).
func TestCollectorOutageCountsEveryLostSpan(t *testing.T) {
	const total, downFrom, downTo = 10_000, 3_000, 5_400
	var rate int
	if v := os.Getenv("OTELAGENT_OUTAGE_RATE"); v != "" {
		var err error
		rate, err = strconv.Atoi(v)
		require.NoError(t, err, "OTELAGENT_OUTAGE_RATE")
	}
	clearOTLPEnv(t)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	svc := &flakyTraceService{}
	srv := grpc.NewServer()
	colltracepb.RegisterTraceServiceServer(srv, svc)
	collmetricpb.RegisterMetricsServiceServer(srv, grpcMetricsService{r: &receiver{}})
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(lis)
	}()
	t.Cleanup(func() {
		srv.Stop()
		<-served
	})

	dir := t.TempDir()
	cfg := quietConfig()
	cfg.Exporters.File = FileExporterConfig{Path: filepath.Join(dir, "s.jsonl"), MetricsPath: filepath.Join(dir, "m.jsonl")}
	cfg.Exporters.OTLP = OTLPConfig{Endpoint: lis.Addr().String(), Insecure: new(true)}
	cfg.ShutdownTimeout = Duration(30 * time.Second) // the bound is not under test here
	tel, err := Setup(t.Context(), cfg)
	require.NoError(t, err)

	var tick <-chan time.Time
	if rate > 0 {
		ticker := time.NewTicker(time.Second / time.Duration(rate))
		defer ticker.Stop()
		tick = ticker.C
	}
	tracer := tel.TracerProvider().Tracer("outage")
	for i := range total {
		svc.down.Store(i >= downFrom && i < downTo)
		if tick != nil {
			<-tick
		}
		_, span := tracer.Start(t.Context(), "invoke_agent")
		span.End()
	}
	svc.down.Store(false)
	shutdownErr := tel.Shutdown(t.Context())

	drops := tel.drops
	drops.mu.Lock()
	dropped := map[string]int64{}
	var otlpDropped int64
	for k, n := range drops.total {
		dropped[k.exporter+"."+k.reason] += n
		if k.exporter == "otlp" {
			otlpDropped += n
		}
	}
	drops.mu.Unlock()
	t.Logf("rate %d/s: sent %d, collector accepted %d, dropped %v, shutdown error: %v",
		rate, total, svc.accepted.Load(), dropped, shutdownErr)

	inFile, _ := readSpans(t, cfg.Exporters.File.Path)
	assert.Equal(t, total, len(inFile), "the file keeps every span")
	assert.Equal(t, int64(total), svc.accepted.Load()+otlpDropped, "every span the collector did not get is counted")
	assert.NoError(t, shutdownErr)
	assert.Zero(t, dropped["file.queue_full"]+dropped["file.export_failed"]+dropped["file.shutdown"], "the file drops nothing")
}
