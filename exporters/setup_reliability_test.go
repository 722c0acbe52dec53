package exporters

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
