package replay

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agenttrace/otelagent/internal/tracefile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// receiver collects what an in-process OTLP receiver accepted; it refuses the first
// failFirst requests (or all when failAlways) with a retryable status.
type receiver struct {
	mu         sync.Mutex
	spans      []ptrace.Span
	resources  []string
	requests   atomic.Int64
	failFirst  int64
	failAlways bool
	permanent  bool
	headers    []string
	// latency, when set, delays every answer, as a receiver across a network would.
	latency time.Duration
	// together, when set, holds every request until that many are in the receiver at once.
	together *barrier
}

// barrier opens once n requests are waiting in it at the same time, and stays open.
type barrier struct {
	n       int
	mu      sync.Mutex
	waiting int
	open    chan struct{}
}

func newBarrier(n int) *barrier { return &barrier{n: n, open: make(chan struct{})} }

// wait reports whether the barrier opened before ctx (the request's deadline) ended.
func (b *barrier) wait(ctx context.Context) bool {
	if b == nil {
		return true
	}
	b.mu.Lock()
	b.waiting++
	if b.waiting == b.n {
		close(b.open)
	}
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		b.waiting--
		b.mu.Unlock()
	}()
	select {
	case <-b.open:
		return true
	case <-ctx.Done():
		return false
	}
}

func (r *receiver) accept(td ptrace.Traces, header string) bool {
	n := r.requests.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.headers = append(r.headers, header)
	if r.failAlways || n <= r.failFirst {
		return false
	}
	rss := td.ResourceSpans()
	for i := range rss.Len() {
		name, _ := rss.At(i).Resource().Attributes().Get("service.name")
		sss := rss.At(i).ScopeSpans()
		for j := range sss.Len() {
			for k := range sss.At(j).Spans().Len() {
				sp := ptrace.NewSpan()
				sss.At(j).Spans().At(k).CopyTo(sp)
				r.spans = append(r.spans, sp)
				r.resources = append(r.resources, name.AsString())
			}
		}
	}
	return true
}

type grpcReceiver struct {
	ptraceotlp.UnimplementedGRPCServer
	r *receiver
}

func (g *grpcReceiver) Export(ctx context.Context, req ptraceotlp.ExportRequest) (ptraceotlp.ExportResponse, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	var h string
	if v := md.Get("x-tenant"); len(v) > 0 {
		h = v[0]
	}
	if g.r.latency > 0 {
		time.Sleep(g.r.latency)
	}
	if !g.r.together.wait(ctx) || !g.r.accept(req.Traces(), h) {
		code := codes.Unavailable
		if g.r.permanent {
			code = codes.InvalidArgument
		}
		return ptraceotlp.NewExportResponse(), status.Error(code, "try later")
	}
	return ptraceotlp.NewExportResponse(), nil
}

func startGRPC(t testing.TB, r *receiver) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := grpc.NewServer()
	ptraceotlp.RegisterGRPCServer(srv, &grpcReceiver{r: r})
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	return lis.Addr().String()
}

func startHTTP(t *testing.T, r *receiver) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, hr *http.Request) {
		if hr.URL.Path != "/v1/traces" || hr.Header.Get("Content-Type") != "application/x-protobuf" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		body, err := io.ReadAll(hr.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		req := ptraceotlp.NewExportRequest()
		if err := req.UnmarshalProto(body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if !r.together.wait(hr.Context()) || !r.accept(req.Traces(), hr.Header.Get("x-tenant")) {
			code := http.StatusServiceUnavailable
			if r.permanent {
				code = http.StatusBadRequest
			}
			http.Error(w, "try later", code)
			return
		}
		out, _ := ptraceotlp.NewExportResponse().MarshalProto()
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(out)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

var start = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// writeTraces writes records OTLP/JSON lines of spansPer spans each, under two resources.
func writeTraces(t testing.TB, path string, records, spansPer int) []ptrace.Span {
	t.Helper()
	var all []ptrace.Span
	var buf bytes.Buffer
	var m ptrace.JSONMarshaler
	for rec := range records {
		td := ptrace.NewTraces()
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", []string{"svc-a", "svc-b"}[rec%2])
		spans := rs.ScopeSpans().AppendEmpty().Spans()
		for i := range spansPer {
			sp := spans.AppendEmpty()
			var tid pcommon.TraceID
			binary.BigEndian.PutUint64(tid[8:], uint64(rec+1))
			var sid pcommon.SpanID
			binary.BigEndian.PutUint64(sid[:], uint64(rec*1000+i+1))
			sp.SetTraceID(tid)
			sp.SetSpanID(sid)
			sp.SetName("op")
			sp.SetStartTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Duration(rec*spansPer+i) * time.Millisecond)))
			sp.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Duration(rec*spansPer+i+1) * time.Millisecond)))
			sp.Attributes().PutInt("i", int64(i))
			all = append(all, sp)
		}
		b, err := m.MarshalTraces(td)
		require.NoError(t, err)
		buf.Write(b)
		buf.WriteByte('\n')
	}
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o600))
	return all
}

func fastRetries(c Config) Config {
	c.InitialBackoff, c.MaxBackoff, c.Timeout = time.Millisecond, 4*time.Millisecond, 5*time.Second
	return c
}

func TestReplayDelivers(t *testing.T) {
	tests := []struct {
		name     string
		protocol string
		fail     int64
	}{
		{"grpc", ProtocolGRPC, 0},
		{"http", ProtocolHTTPProtobuf, 0},
		{"grpc retries", ProtocolGRPC, 3},
		{"http retries", ProtocolHTTPProtobuf, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &receiver{failFirst: tt.fail}
			// One request at a time, so the spans arrive in file order.
			cfg := Config{Protocol: tt.protocol, Insecure: true, BatchSpans: 25, Concurrency: 1, Headers: map[string]string{"x-tenant": "t1"}}
			if tt.protocol == ProtocolGRPC {
				cfg.Endpoint = startGRPC(t, r)
			} else {
				cfg.Endpoint = startHTTP(t, r)
			}
			path := filepath.Join(t.TempDir(), "trace.jsonl")
			want := writeTraces(t, path, 10, 10)

			var calls int
			cfg.Progress = func(Progress) { calls++ }
			res, err := Replay(t.Context(), fastRetries(cfg), []string{path}, nil)
			require.NoError(t, err)
			assert.True(t, res.Delivered(), "%+v", res)
			assert.EqualValues(t, 100, res.Spans)
			assert.EqualValues(t, 100, res.Sent)
			assert.Zero(t, res.Failed)
			assert.Equal(t, 5, res.Requests, "batches of 25 spans: whole records of 10 never split, 20 per batch")
			assert.EqualValues(t, tt.fail, res.Retries)
			assert.EqualValues(t, 5+tt.fail, r.requests.Load())
			assert.Positive(t, calls)
			assert.Contains(t, r.headers, "t1")

			require.Len(t, r.spans, len(want))
			for i, sp := range r.spans {
				assert.Equal(t, want[i].TraceID(), sp.TraceID())
				assert.Equal(t, want[i].SpanID(), sp.SpanID())
				assert.Equal(t, want[i].StartTimestamp(), sp.StartTimestamp())
				assert.Equal(t, want[i].EndTimestamp(), sp.EndTimestamp())
				assert.Equal(t, []string{"svc-a", "svc-b"}[i/10%2], r.resources[i])
			}
		})
	}
}

// TestReplaySendsConcurrently holds every request in the receiver until Concurrency of them
// are in it at once: a replay that sends one request at a time never gets an answer.
func TestReplaySendsConcurrently(t *testing.T) {
	for _, protocol := range []string{ProtocolGRPC, ProtocolHTTPProtobuf} {
		t.Run(protocol, func(t *testing.T) {
			const concurrency = 3
			r := &receiver{together: newBarrier(concurrency)}
			// The timeout only bounds a failing run; MaxAttempts 1 makes it fail at once.
			cfg := Config{Protocol: protocol, Insecure: true, BatchSpans: 10, Concurrency: concurrency,
				MaxAttempts: 1, Timeout: 10 * time.Second}
			if protocol == ProtocolGRPC {
				cfg.Endpoint = startGRPC(t, r)
			} else {
				cfg.Endpoint = startHTTP(t, r)
			}
			path := filepath.Join(t.TempDir(), "trace.jsonl")
			want := writeTraces(t, path, 2*concurrency, 10)

			var calls int
			cfg.Progress = func(Progress) { calls++ } // not synchronised: called on Replay's goroutine only
			res, err := Replay(t.Context(), cfg, []string{path}, nil)
			require.NoError(t, err)
			assert.True(t, res.Delivered(), "%+v", res)
			assert.EqualValues(t, len(want), res.Sent)
			assert.Equal(t, 2*concurrency, res.Requests)
			assert.Equal(t, 2*concurrency+1, calls, "after every request and at the end")

			var wantIDs, gotIDs []pcommon.SpanID
			for _, sp := range want {
				wantIDs = append(wantIDs, sp.SpanID())
			}
			for _, sp := range r.spans {
				gotIDs = append(gotIDs, sp.SpanID())
			}
			assert.ElementsMatch(t, wantIDs, gotIDs)
		})
	}
}

func TestReplayReportsUndelivered(t *testing.T) {
	tests := []struct {
		name      string
		protocol  string
		permanent bool
		requests  int64
	}{
		{"grpc always unavailable", ProtocolGRPC, false, 2 * 3},
		{"http always unavailable", ProtocolHTTPProtobuf, false, 2 * 3},
		{"grpc invalid argument is not retried", ProtocolGRPC, true, 2},
		{"http 400 is not retried", ProtocolHTTPProtobuf, true, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &receiver{failAlways: true, permanent: tt.permanent}
			cfg := Config{Protocol: tt.protocol, Insecure: true, BatchSpans: 10, MaxAttempts: 3}
			if tt.protocol == ProtocolGRPC {
				cfg.Endpoint = startGRPC(t, r)
			} else {
				cfg.Endpoint = startHTTP(t, r)
			}
			path := filepath.Join(t.TempDir(), "trace.jsonl")
			writeTraces(t, path, 2, 10)
			res, err := Replay(t.Context(), fastRetries(cfg), []string{path}, nil)
			require.NoError(t, err)
			assert.False(t, res.Delivered())
			assert.EqualValues(t, 20, res.Failed)
			assert.Zero(t, res.Sent)
			assert.Equal(t, tt.requests, r.requests.Load())
			assert.Len(t, res.Errors, 2)
		})
	}
}

func TestReplayDryRunAndDamage(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "trace.jsonl")
	writeTraces(t, path, 3, 4)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	damaged := append([]byte("not a record\n"), data...)
	damaged = append(damaged, `{"resourceSpans":[{"sco`...)

	res, err := Replay(t.Context(), Config{DryRun: true, Endpoint: "unused:1"}, []string{tracefile.Stdin}, bytes.NewReader(damaged))
	require.NoError(t, err)
	assert.EqualValues(t, 12, res.Spans)
	assert.Zero(t, res.Sent)
	assert.Equal(t, 2, res.BadLines, "the bad first line and the cut-short last one")
	assert.True(t, res.Delivered(), "skipped lines are warnings, as in report and validate")
	require.Len(t, res.Warnings, 2)
	assert.Contains(t, res.Warnings[0], "-:1: not OTLP/JSON")
	assert.Contains(t, res.Warnings[1], "cut short")
}

func TestReplayErrors(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		files []string
		want  string
	}{
		{"protocol", Config{Protocol: "udp"}, []string{"x"}, `protocol "udp"`},
		{"negative", Config{BatchSpans: -1}, []string{"x"}, "must not be negative"},
		{"missing file", Config{DryRun: true}, []string{filepath.Join(t.TempDir(), "nope.jsonl")}, "no such file"},
		{"no stdin", Config{DryRun: true}, []string{tracefile.Stdin}, "no standard input"},
		{"bad http endpoint", Config{Protocol: ProtocolHTTPProtobuf, Endpoint: "ftp://x"}, []string{"x"}, `scheme "ftp"`},
		{"bad grpc endpoint", Config{Endpoint: "ftp://x:1"}, []string{"x"}, `scheme "ftp"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Replay(t.Context(), tt.cfg, tt.files, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestReplayStopsWithContext(t *testing.T) {
	r := &receiver{failAlways: true}
	cfg := Config{Endpoint: startGRPC(t, r), Insecure: true, InitialBackoff: time.Hour, MaxAttempts: 5}
	path := filepath.Join(t.TempDir(), "trace.jsonl")
	writeTraces(t, path, 1, 3)
	ctx, cancel := context.WithCancel(t.Context())
	cfg.Progress = func(Progress) {}
	go func() {
		for r.requests.Load() == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	res, err := Replay(ctx, cfg, []string{path}, nil)
	require.ErrorIs(t, err, context.Canceled)
	assert.EqualValues(t, 3, res.Failed)
}

func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT":       "http://collector:4318",
		"OTEL_EXPORTER_OTLP_PROTOCOL":       "http/protobuf",
		"OTEL_EXPORTER_OTLP_TRACES_HEADERS": "x-tenant=a%20b,authorization=Bearer%20t",
		"OTEL_EXPORTER_OTLP_INSECURE":       "true",
		"OTEL_EXPORTER_OTLP_TIMEOUT":        "2500",
	}
	c, err := Config{Headers: map[string]string{"x-tenant": "flag"}}.FromEnv(func(k string) string { return env[k] })
	require.NoError(t, err)
	assert.Equal(t, "http://collector:4318", c.Endpoint, "a base; the sender appends /v1/traces")
	assert.Equal(t, ProtocolHTTPProtobuf, c.Protocol)
	assert.Equal(t, map[string]string{"x-tenant": "flag", "authorization": "Bearer t"}, c.Headers, "flags win")
	assert.True(t, c.Insecure)
	assert.Equal(t, 2500*time.Millisecond, c.Timeout)

	c, err = Config{Endpoint: "flag:4317", Protocol: ProtocolGRPC}.FromEnv(func(k string) string { return env[k] })
	require.NoError(t, err)
	assert.Equal(t, "flag:4317", c.Endpoint)
	assert.Equal(t, ProtocolGRPC, c.Protocol)

	for name, bad := range map[string]string{
		"OTEL_EXPORTER_OTLP_HEADERS":  "novalue",
		"OTEL_EXPORTER_OTLP_INSECURE": "maybe",
		"OTEL_EXPORTER_OTLP_TIMEOUT":  "10s",
	} {
		_, err := Config{}.FromEnv(func(k string) string {
			if k == name {
				return bad
			}
			return ""
		})
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), name)
	}
}

func TestReplayHTTPSWithCertificate(t *testing.T) {
	r := &receiver{}
	var got atomic.Int64
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, hr *http.Request) {
		body, _ := io.ReadAll(hr.Body)
		req := ptraceotlp.NewExportRequest()
		if err := req.UnmarshalProto(body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		got.Add(int64(req.Traces().SpanCount()))
		r.accept(req.Traces(), "")
	}))
	defer srv.Close()
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	require.NoError(t, os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600))
	notPEM := filepath.Join(dir, "not.pem")
	require.NoError(t, os.WriteFile(notPEM, []byte("hello"), 0o600))
	path := filepath.Join(dir, "trace.jsonl")
	writeTraces(t, path, 2, 3)

	cfg := fastRetries(Config{Protocol: ProtocolHTTPProtobuf, Endpoint: srv.URL, MaxAttempts: 1})
	res, err := Replay(t.Context(), cfg, []string{path}, nil)
	require.NoError(t, err)
	assert.EqualValues(t, 6, res.Failed, "an unknown authority is refused")
	assert.Contains(t, res.Errors[0], "certificate")

	cfg.CertificateFile = ca
	res, err = Replay(t.Context(), cfg, []string{path}, nil)
	require.NoError(t, err)
	assert.EqualValues(t, 6, res.Sent)
	assert.EqualValues(t, 6, got.Load())

	cfg.CertificateFile = notPEM
	_, err = Replay(t.Context(), cfg, []string{path}, nil)
	require.ErrorContains(t, err, "no PEM certificate")
}

// BenchmarkReplayLatency replays 64 requests of 100 spans to a gRPC receiver that answers
// after 5ms, as one across a network would, with one request in flight and with the default.
func BenchmarkReplayLatency(b *testing.B) {
	path := filepath.Join(b.TempDir(), "trace.jsonl")
	writeTraces(b, path, 64, 100)
	for _, concurrency := range []int{1, DefaultConcurrency} {
		b.Run(fmt.Sprintf("concurrency=%d", concurrency), func(b *testing.B) {
			endpoint := startGRPC(b, &receiver{latency: 5 * time.Millisecond})
			cfg := Config{Endpoint: endpoint, Insecure: true, BatchSpans: 100, Concurrency: concurrency}
			for b.Loop() {
				res, err := Replay(b.Context(), cfg, []string{path}, nil)
				if err != nil || !res.Delivered() {
					b.Fatalf("%+v %v", res, err)
				}
			}
			b.ReportMetric(float64(64*100*b.N)/b.Elapsed().Seconds(), "spans/s")
		})
	}
}
