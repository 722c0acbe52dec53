package exporters

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/agenttrace/otelagent/semconv"
)

// Exporter names on the otelagent.spans.dropped self-metric.
const (
	exporterFile = "file"
	exporterOTLP = "otlp"
)

// spanQueue is the span processor Setup puts in front of each span exporter: a bounded queue
// drained in batches by one goroutine. Unlike the SDK's batch span processor it accounts for
// every span: each one is exported or counted in dropReporter with its reason. A blocking
// queue (the file's) makes a span's End wait for room instead of dropping.
//
// A queue that may drop (OTLP's) still applies backpressure while its exporter keeps up: when
// it is full, End waits for room as long as exports go on succeeding, so a burst against a
// healthy collector loses nothing. Only when no export has succeeded for stallWait (the
// collector is down, hung or failing) does it drop, counted, until an export succeeds again;
// a stalled collector thus costs a span's End at most stallWait once per episode.
//
// Its methods are safe for concurrent use.
type spanQueue struct {
	exp       sdktrace.SpanExporter
	name      string // exporterFile or exporterOTLP
	block     bool
	batchSize int
	delay     time.Duration
	timeout   time.Duration
	drops     *dropReporter

	queue   chan sdktrace.ReadOnlySpan
	flushes chan chan struct{}
	closing chan struct{} // closed first by Shutdown: blocked OnEnd calls give up
	stop    chan struct{} // closed once no OnEnd can enqueue: the loop drains and exits
	done    chan struct{} // closed when the loop has exited

	// exportCtx is the parent of every export; Shutdown cancels it when its deadline passes
	// so that an export to a dead endpoint does not outlive Shutdown.
	exportCtx     context.Context
	cancelExports context.CancelFunc

	mu      sync.RWMutex // OnEnd holds it for reading while enqueueing; Shutdown to set stopped
	stopped bool

	// stallWait is how long End waits for room without any export succeeding before the
	// queue turns to dropping; lastSuccess (unix nanoseconds) and stalled track it.
	stallWait   time.Duration
	lastSuccess atomic.Int64
	stalled     atomic.Bool

	stopping atomic.Bool  // Shutdown has begun
	unsent   atomic.Int64 // spans Shutdown could not export
	stopOnce sync.Once
}

var _ sdktrace.SpanProcessor = (*spanQueue)(nil)

// defaultStallWait is how long a full OTLP queue waits for an export to succeed before it
// drops: far above the time a healthy collector takes to accept a batch.
const defaultStallWait = 2 * time.Second

// queueSettings are the resolved batch settings of one spanQueue.
type queueSettings struct {
	maxQueue, maxBatch int
	delay, timeout     time.Duration
	block              bool
}

func newSpanQueue(exp sdktrace.SpanExporter, name string, s queueSettings, drops *dropReporter) *spanQueue {
	ctx, cancel := context.WithCancel(context.Background())
	q := &spanQueue{
		exp: exp, name: name, block: s.block, batchSize: s.maxBatch, delay: s.delay, timeout: s.timeout, drops: drops,
		queue:   make(chan sdktrace.ReadOnlySpan, s.maxQueue),
		flushes: make(chan chan struct{}),
		closing: make(chan struct{}),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),

		exportCtx: ctx, cancelExports: cancel,
		stallWait: defaultStallWait,
	}
	q.lastSuccess.Store(time.Now().UnixNano())
	go q.run()
	return q
}

// OnStart does nothing.
func (q *spanQueue) OnStart(context.Context, sdktrace.ReadWriteSpan) {}

// OnEnd queues s for export. When the queue is full it waits for room if the queue blocks, else
// drops s and counts it; after Shutdown began it counts s as dropped.
func (q *spanQueue) OnEnd(s sdktrace.ReadOnlySpan) {
	if !s.SpanContext().IsSampled() {
		return
	}
	q.mu.RLock()
	defer q.mu.RUnlock()
	if q.stopped {
		q.drops.add(q.name, semconv.DropReasonShutdown, 1, nil)
		return
	}
	if q.block {
		select {
		case q.queue <- s:
		case <-q.closing:
			q.drops.add(q.name, semconv.DropReasonShutdown, 1, nil)
		}
		return
	}
	select {
	case q.queue <- s:
		return
	default:
	}
	if !q.stalled.Load() && q.waitWhileExporting(s) {
		return
	}
	q.drops.add(q.name, semconv.DropReasonQueueFull, 1, nil)
}

// waitWhileExporting waits for room for s in the full queue for as long as exports keep
// succeeding, and reports whether s was queued (or counted at shutdown). When no export has
// succeeded for stallWait it marks the queue stalled and gives up.
func (q *spanQueue) waitWhileExporting(s sdktrace.ReadOnlySpan) bool {
	timer := time.NewTimer(q.stallWait)
	defer timer.Stop()
	for {
		select {
		case q.queue <- s:
			return true
		case <-q.closing:
			q.drops.add(q.name, semconv.DropReasonShutdown, 1, nil)
			return true
		case <-timer.C:
			idle := time.Since(time.Unix(0, q.lastSuccess.Load()))
			if idle >= q.stallWait || q.stalled.Load() {
				q.stalled.Store(true)
				return false
			}
			timer.Reset(q.stallWait - idle)
		}
	}
}

// ForceFlush exports every span queued before the call, honouring ctx.
func (q *spanQueue) ForceFlush(ctx context.Context) error {
	ack := make(chan struct{})
	select {
	case q.flushes <- ack:
	case <-q.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-ack:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Shutdown exports what is queued and shuts the exporter down. When ctx ends first it cancels
// the export under way; the spans not exported are counted and named in the error. Only the
// first call does anything.
func (q *spanQueue) Shutdown(ctx context.Context) error {
	var err error
	q.stopOnce.Do(func() {
		q.stopping.Store(true)
		close(q.closing)
		q.mu.Lock()
		q.stopped = true
		q.mu.Unlock()
		close(q.stop)
		select {
		case <-q.done:
		case <-ctx.Done():
			q.cancelExports() // the loop fails what is left fast and exits
			<-q.done
		}
		q.cancelExports()
		err = q.exp.Shutdown(ctx)
		if n := q.unsent.Load(); n > 0 {
			err = fmt.Errorf("%s: %d spans not exported at shutdown: %w", q.name, n, orNoDetail(ctx.Err(), err))
		} else if err != nil {
			err = fmt.Errorf("%s: %w", q.name, err)
		}
	})
	return err
}

// orNoDetail returns the first non-nil error, or a placeholder.
func orNoDetail(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return errExportFailed
}

var errExportFailed = fmt.Errorf("export failed")

func (q *spanQueue) run() {
	defer close(q.done)
	batch := make([]sdktrace.ReadOnlySpan, 0, q.batchSize)
	timer := time.NewTimer(q.delay)
	defer timer.Stop()
	export := func() {
		if len(batch) > 0 {
			q.export(batch)
			clear(batch) // let the spans go
			batch = batch[:0]
		}
	}
	add := func(s sdktrace.ReadOnlySpan) {
		batch = append(batch, s)
		if len(batch) >= q.batchSize {
			export()
		}
	}
	// drain exports the spans queued now, not those that keep arriving.
	drain := func() {
		for range len(q.queue) {
			add(<-q.queue)
		}
		export()
	}
	for {
		select {
		case s := <-q.queue:
			add(s)
		case <-timer.C:
			export()
			timer.Reset(q.delay)
		case ack := <-q.flushes:
			drain()
			close(ack)
		case <-q.stop:
			drain() // no OnEnd can enqueue any more: this is everything
			return
		}
	}
}

func (q *spanQueue) export(batch []sdktrace.ReadOnlySpan) {
	ctx, cancel := context.WithTimeout(q.exportCtx, q.timeout)
	err := q.exp.ExportSpans(ctx, batch)
	cancel()
	if err == nil {
		q.lastSuccess.Store(time.Now().UnixNano())
		q.stalled.Store(false)
		return
	}
	if q.stopping.Load() {
		q.unsent.Add(int64(len(batch)))
		q.drops.add(q.name, semconv.DropReasonShutdown, len(batch), err)
		return
	}
	q.drops.add(q.name, semconv.DropReasonExportFailed, len(batch), err)
}
