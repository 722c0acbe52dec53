package exporters

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/agenttrace/otelagent/semconv"
)

// gatedExporter blocks its first export until release is closed, after telling entered.
// Later exports do not block. It fails every export when fail is set.
type gatedExporter struct {
	entered chan struct{}
	release chan struct{}
	fail    error

	mu        sync.Mutex
	calls     int
	delivered int
	shutdown  bool
}

func newGatedExporter() *gatedExporter {
	return &gatedExporter{entered: make(chan struct{}), release: make(chan struct{})}
}

func (e *gatedExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	e.mu.Lock()
	e.calls++
	first := e.calls == 1
	e.mu.Unlock()
	if first {
		close(e.entered)
		select {
		case <-e.release:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if e.fail != nil {
		return e.fail
	}
	e.mu.Lock()
	e.delivered += len(spans)
	e.mu.Unlock()
	return nil
}

func (e *gatedExporter) Shutdown(context.Context) error {
	e.mu.Lock()
	e.shutdown = true
	e.mu.Unlock()
	return nil
}

func (e *gatedExporter) count() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.delivered
}

// logRecorder is a slog.Handler keeping every record.
type logRecorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (h *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (h *logRecorder) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.records = append(h.records, r.Clone())
	return nil
}
func (h *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *logRecorder) WithGroup(string) slog.Handler      { return h }

func (h *logRecorder) attrs() []map[string]any {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []map[string]any
	for _, r := range h.records {
		m := map[string]any{"msg": r.Message}
		r.Attrs(func(a slog.Attr) bool { m[a.Key] = a.Value.Any(); return true })
		out = append(out, m)
	}
	return out
}

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// droppedCounts reads otelagent.spans.dropped by exporter and reason.
func droppedCounts(t *testing.T, reader *sdkmetric.ManualReader) map[dropKey]int64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(t.Context(), &rm))
	out := map[dropKey]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != semconv.SpansDroppedName {
				continue
			}
			for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
				e, _ := dp.Attributes.Value(semconv.SpansDroppedExporterKey)
				r, _ := dp.Attributes.Value(semconv.SpansDroppedReasonKey)
				out[dropKey{e.AsString(), r.AsString()}] = dp.Value
			}
		}
	}
	return out
}

// queueFixture is a spanQueue behind a TracerProvider, with its drops on a manual reader and
// a log recorder.
type queueFixture struct {
	exp    *gatedExporter
	q      *spanQueue
	tp     *sdktrace.TracerProvider
	reader *sdkmetric.ManualReader
	logs   *logRecorder
	clock  *fakeClock
	drops  *dropReporter
}

func newQueueFixture(t *testing.T, name string, s queueSettings) *queueFixture {
	t.Helper()
	f := &queueFixture{exp: newGatedExporter(), reader: sdkmetric.NewManualReader(), logs: &logRecorder{}, clock: &fakeClock{now: time.Unix(1e9, 0)}}
	f.drops = newDropReporter(slog.New(f.logs), f.clock.Now)
	f.drops.setCounter(sdkmetric.NewMeterProvider(sdkmetric.WithReader(f.reader)))
	f.q = newSpanQueue(f.exp, name, s, f.drops)
	f.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(f.q))
	t.Cleanup(func() { _ = f.tp.Shutdown(context.Background()) })
	return f
}

func (f *queueFixture) end(name string) {
	_, span := f.tp.Tracer("t").Start(context.Background(), name)
	span.End()
}

// A blocking queue (the file's) keeps every span however slow its exporter: span ends wait.
func TestSpanQueueBlockingKeepsEverySpan(t *testing.T) {
	f := newQueueFixture(t, exporterFile, queueSettings{maxQueue: 4, maxBatch: 1, delay: time.Hour, timeout: time.Hour, block: true})
	const spans = 200
	f.end("first")
	<-f.exp.entered // the exporter holds the first span; the queue fills behind it

	var ends sync.WaitGroup
	for range 8 {
		ends.Go(func() {
			for range (spans - 1) / 8 {
				f.end("burst")
			}
		})
	}
	close(f.exp.release)
	ends.Wait()
	require.NoError(t, f.q.Shutdown(t.Context()))

	assert.Equal(t, 1+(spans-1)/8*8, f.exp.count(), "every span exported")
	assert.Empty(t, f.drops.totals())
	assert.Empty(t, droppedCounts(t, f.reader))
}

// A dropping queue (OTLP's) counts each span it drops: exactly those that found it full.
func TestSpanQueueCountsEveryDrop(t *testing.T) {
	const maxQueue, burst = 4, 50
	f := newQueueFixture(t, exporterOTLP, queueSettings{maxQueue: maxQueue, maxBatch: 1, delay: time.Hour, timeout: time.Hour})
	f.q.stallWait = 0 // the stuck export counts as a stalled collector at once
	f.end("first")
	<-f.exp.entered // the loop is stuck in the first export: nothing leaves the queue

	for range burst {
		f.end("burst")
	}
	f.clock.advance(dropLogInterval)
	f.end("late") // dropped too, and logged: the interval has passed
	close(f.exp.release)
	require.NoError(t, f.q.Shutdown(t.Context()))

	total := 1 + burst + 1
	delivered := f.exp.count()
	assert.Equal(t, 1+maxQueue, delivered)
	want := map[dropKey]int64{{exporterOTLP, semconv.DropReasonQueueFull}: int64(total - delivered)}
	assert.Equal(t, want, f.drops.totals(), "dropped = ended - delivered")
	assert.Equal(t, want, droppedCounts(t, f.reader), "the self-metric agrees")

	f.drops.flush()
	lines := f.logs.attrs()
	require.Len(t, lines, 2, "one line at the first drop, one after the interval: %v", lines)
	assert.Equal(t, int64(1), lines[0]["otlp.queue_full"])
	assert.Equal(t, int64(total-delivered-1), lines[1]["otlp.queue_full"], "the second line counts every drop since the first")
}

// A dropping queue whose exporter keeps succeeding applies backpressure: a burst far larger
// than the queue loses nothing. Once no export succeeds for stallWait it drops, and it waits
// again after the next success.
func TestSpanQueueBackpressureWhileExporting(t *testing.T) {
	f := newQueueFixture(t, exporterOTLP, queueSettings{maxQueue: 4, maxBatch: 1, delay: time.Hour, timeout: time.Hour})
	f.q.stallWait = time.Hour // exports always succeed here: never give up waiting
	f.end("first")
	<-f.exp.entered // the queue fills behind the first export

	const goroutines, each = 8, 25
	var ends sync.WaitGroup
	for range goroutines {
		ends.Go(func() {
			for range each {
				f.end("burst")
			}
		})
	}
	close(f.exp.release)
	ends.Wait()
	require.NoError(t, f.q.Shutdown(t.Context()))
	assert.Equal(t, 1+goroutines*each, f.exp.count(), "every span exported")
	assert.Empty(t, f.drops.totals())
}

func TestSpanQueueStallAndRecovery(t *testing.T) {
	f := newQueueFixture(t, exporterOTLP, queueSettings{maxQueue: 1, maxBatch: 1, delay: time.Hour, timeout: time.Hour})
	f.q.stallWait = 0
	f.end("first")
	<-f.exp.entered
	f.end("queued")
	f.end("dropped") // full, and no export has succeeded: stalled
	assert.True(t, f.q.stalled.Load())
	close(f.exp.release)
	require.NoError(t, f.q.ForceFlush(t.Context()))
	assert.False(t, f.q.stalled.Load(), "a successful export ends the stall")
	require.NoError(t, f.q.Shutdown(t.Context()))
	assert.Equal(t, map[dropKey]int64{{exporterOTLP, semconv.DropReasonQueueFull}: 1}, f.drops.totals())
	assert.Equal(t, 2, f.exp.count())
}

func TestSpanQueueCountsExportFailures(t *testing.T) {
	f := newQueueFixture(t, exporterOTLP, queueSettings{maxQueue: 100, maxBatch: 10, delay: time.Hour, timeout: time.Hour})
	f.exp.fail = errors.New("collector said no at http://user:secret@collector:4318/v1/traces?key=abc")
	close(f.exp.release)
	for range 25 {
		f.end("doomed")
	}
	require.NoError(t, f.q.ForceFlush(t.Context()))
	require.NoError(t, f.q.Shutdown(t.Context()), "nothing was pending at shutdown")

	want := map[dropKey]int64{{exporterOTLP, semconv.DropReasonExportFailed}: 25}
	assert.Equal(t, want, f.drops.totals())
	assert.Equal(t, want, droppedCounts(t, f.reader))
	f.drops.flush()
	for _, line := range f.logs.attrs() {
		assert.NotContains(t, line["last_error"], "secret")
		assert.NotContains(t, line["last_error"], "abc")
	}
}

// Shutdown whose deadline passes during an export cancels it and counts the spans not sent.
func TestSpanQueueShutdownCountsUnsent(t *testing.T) {
	f := newQueueFixture(t, exporterOTLP, queueSettings{maxQueue: 100, maxBatch: 5, delay: time.Hour, timeout: time.Hour})
	for range 12 {
		f.end("pending")
	}
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() { errc <- f.q.Shutdown(ctx) }()
	<-f.exp.entered // the first batch is being exported, and never will be
	cancel()
	err := <-errc
	require.Error(t, err)
	assert.Contains(t, err.Error(), "otlp: 12 spans not exported at shutdown: context canceled")
	assert.Equal(t, map[dropKey]int64{{exporterOTLP, semconv.DropReasonShutdown}: 12}, f.drops.totals())

	f.end("after shutdown")
	assert.Equal(t, int64(13), f.drops.totals()[dropKey{exporterOTLP, semconv.DropReasonShutdown}], "a span ended after shutdown is counted")
	assert.True(t, f.exp.shutdown)
}

func TestDropReporterAttributes(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	r := newDropReporter(slog.New(slog.DiscardHandler), time.Now)
	r.add(exporterFile, semconv.DropReasonExportFailed, 3, nil) // before the counter: totalled only
	r.setCounter(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)))
	r.add(exporterOTLP, semconv.DropReasonQueueFull, 2, nil)
	r.add(exporterOTLP, semconv.DropReasonQueueFull, 0, nil)
	assert.Equal(t, map[dropKey]int64{{exporterOTLP, semconv.DropReasonQueueFull}: 2}, droppedCounts(t, reader))
	assert.Equal(t, int64(3), r.totals()[dropKey{exporterFile, semconv.DropReasonExportFailed}])
}
