package exporters

import (
	"cmp"
	"context"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/agenttrace/otelagent/semconv"
)

// scopeName is the instrumentation scope of the exporters' own metrics.
const scopeName = "github.com/agenttrace/otelagent/exporters"

// dropLogInterval is the least time between two log lines about dropped spans.
const dropLogInterval = 10 * time.Second

// dropReporter counts the spans the exporters lose: on the otelagent.spans.dropped counter,
// and in a log line at most every dropLogInterval that says how many were lost since the last
// one, by exporter and reason. Safe for concurrent use.
type dropReporter struct {
	logger *slog.Logger
	now    func() time.Time

	mu       sync.Mutex
	counter  metric.Int64Counter // nil until setCounter
	pending  map[dropKey]int64   // not yet logged
	lastErr  error               // of the last export failure not yet logged
	lastLog  time.Time
	total    map[dropKey]int64
	loggedAt bool // a line was logged at lastLog
}

type dropKey struct{ exporter, reason string }

func newDropReporter(logger *slog.Logger, now func() time.Time) *dropReporter {
	return &dropReporter{logger: logger, now: now, pending: map[dropKey]int64{}, total: map[dropKey]int64{}}
}

// setCounter creates the otelagent.spans.dropped counter on mp; drops before it are only
// logged and totalled.
func (r *dropReporter) setCounter(mp metric.MeterProvider) {
	c, err := mp.Meter(scopeName).Int64Counter(semconv.SpansDroppedName,
		metric.WithUnit(semconv.SpansDroppedUnit),
		metric.WithDescription("Spans that did not reach an exporter's destination."))
	if err != nil {
		r.logger.Error("cannot create the dropped spans counter", "error", err)
		return
	}
	r.mu.Lock()
	r.counter = c
	r.mu.Unlock()
}

// add counts n spans lost by exporter for reason; cause is the export error, if any.
func (r *dropReporter) add(exporter, reason string, n int, cause error) {
	if n <= 0 {
		return
	}
	k := dropKey{exporter, reason}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.total[k] += int64(n)
	r.pending[k] += int64(n)
	if cause != nil {
		r.lastErr = cause
	}
	if r.counter != nil {
		r.counter.Add(context.Background(), int64(n), metric.WithAttributes(
			attribute.String(string(semconv.SpansDroppedExporterKey), exporter),
			attribute.String(string(semconv.SpansDroppedReasonKey), reason)))
	}
	if now := r.now(); !r.loggedAt || now.Sub(r.lastLog) >= dropLogInterval {
		r.logLocked()
		r.lastLog, r.loggedAt = now, true
	}
}

// flush logs what was dropped since the last line, whatever the time.
func (r *dropReporter) flush() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.logLocked()
}

// totals returns the spans dropped so far, by exporter and reason.
func (r *dropReporter) totals() map[dropKey]int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.total)
}

func (r *dropReporter) logLocked() {
	if len(r.pending) == 0 {
		return
	}
	keys := make([]dropKey, 0, len(r.pending))
	for k := range r.pending {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b dropKey) int {
		return cmp.Or(cmp.Compare(a.exporter, b.exporter), cmp.Compare(a.reason, b.reason))
	})
	args := make([]any, 0, 2*len(keys)+2)
	for _, k := range keys {
		args = append(args, k.exporter+"."+k.reason, r.pending[k])
	}
	if r.lastErr != nil {
		args = append(args, "last_error", scrubURLs(r.lastErr.Error()))
	}
	r.logger.Warn("spans dropped since the last report", args...)
	clear(r.pending)
	r.lastErr = nil
}
