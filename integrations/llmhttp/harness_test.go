package llmhttp

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/agenttrace/otelagent/otelagent"
)

// harness is a Transport recording into an in-memory SDK pipeline, in front of a fake API.
type harness struct {
	tracer *otelagent.Tracer
	spans  *tracetest.SpanRecorder
	ended  chan string // names of ended spans, in order
	reader *sdkmetric.ManualReader
	client *http.Client
	server *httptest.Server
	api    *fakeAPI
}

// endNotifier reports every ended span's name, so that a test can wait for a span that ends
// on another goroutine.
type endNotifier struct {
	sdktrace.SpanProcessor
	ch chan string
}

func (n endNotifier) OnEnd(s sdktrace.ReadOnlySpan) {
	n.SpanProcessor.OnEnd(s)
	n.ch <- s.Name()
}

func newHarness(t *testing.T, opts ...Option) *harness {
	t.Helper()
	return newHarnessTracer(t, []otelagent.Option{otelagent.WithContentCapture(true)}, opts...)
}

// newHarnessTracer is newHarness with the Tracer configured by tracerOpts instead of content
// capture on.
func newHarnessTracer(t *testing.T, tracerOpts []otelagent.Option, opts ...Option) *harness {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	ended := make(chan string, 1024) // room for every span a test ends: OnEnd must not block
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(endNotifier{rec, ended}))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	tracer := otelagent.New(append([]otelagent.Option{otelagent.WithTracerProvider(tp),
		otelagent.WithMeterProvider(mp)}, tracerOpts...)...)
	api := &fakeAPI{release: make(chan struct{})}
	srv := httptest.NewServer(api)
	t.Cleanup(func() {
		api.releaseOnce.Do(func() { close(api.release) })
		srv.Close()
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	all := append([]Option{WithTracer(tracer), WithMeterProvider(mp)}, opts...)
	return &harness{
		tracer: tracer, spans: rec, ended: ended, reader: reader, server: srv, api: api,
		client: &http.Client{Transport: NewTransport(srv.Client().Transport, all...)},
	}
}

// fakeAPI replays a fixture. With hold set it writes the fixture's first event, flushes and
// waits for release (or the client to go away) before the rest.
type fakeAPI struct {
	mu          sync.Mutex
	fixture     string
	contentType string
	status      int
	hold        bool
	bodies      [][]byte // request bodies received
	release     chan struct{}
	releaseOnce sync.Once
}

func (f *fakeAPI) set(fixture, contentType string, status int, hold bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fixture, f.contentType, f.status, f.hold = fixture, contentType, status, hold
}

func (f *fakeAPI) lastBody() []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.bodies) == 0 {
		return nil
	}
	return f.bodies[len(f.bodies)-1]
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.bodies = append(f.bodies, body)
	fixture, ct, status, hold := f.fixture, f.contentType, f.status, f.hold
	f.mu.Unlock()
	data, err := os.ReadFile(filepath.Join("testdata", fixture))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(status)
	if !hold {
		_, _ = w.Write(data)
		return
	}
	first := data
	if i := indexEventEnd(data); i > 0 {
		first = data[:i]
	}
	_, _ = w.Write(first)
	w.(http.Flusher).Flush()
	select {
	case <-f.release:
		_, _ = w.Write(data[len(first):])
	case <-r.Context().Done():
	}
}

// indexEventEnd returns the end of the first server-sent event of data.
func indexEventEnd(data []byte) int {
	for i := 0; i+1 < len(data); i++ {
		if data[i] == '\n' && data[i+1] == '\n' {
			return i + 2
		}
	}
	return -1
}

// waitEnded waits until a span named name has ended.
func (h *harness) waitEnded(t *testing.T, name string) {
	t.Helper()
	for {
		select {
		case n := <-h.ended:
			if n == name {
				return
			}
		case <-t.Context().Done():
			t.Fatalf("span %q never ended", name)
		}
	}
}

// spansNamed returns the ended spans named name.
func (h *harness) spansNamed(name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range h.spans.Ended() {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

// span returns the one ended span named name.
func (h *harness) span(t *testing.T, name string) sdktrace.ReadOnlySpan {
	t.Helper()
	found := h.spansNamed(name)
	require.Len(t, found, 1, "spans named %q", name)
	return found[0]
}

func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := make(map[attribute.Key]attribute.Value)
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

// histograms collects the current float histograms, keyed by instrument name.
func (h *harness) histograms(t *testing.T) map[string]metricdata.Histogram[float64] {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, h.reader.Collect(t.Context(), &rm))
	out := make(map[string]metricdata.Histogram[float64])
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if hist, ok := m.Data.(metricdata.Histogram[float64]); ok {
				out[m.Name] = hist
			}
		}
	}
	return out
}

// otelagentRecorder returns a Tracer recording into a span recorder, without a fake API.
func otelagentRecorder(t *testing.T) (*otelagent.Tracer, *tracetest.SpanRecorder) {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return otelagent.New(otelagent.WithTracerProvider(tp)), rec
}
