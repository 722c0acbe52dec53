package otelagent

import (
	"encoding/json"
	"math"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// Event is one entry of the Tracer's event log: a completed operation, or an event recorded
// with RecordEvent.
type Event struct {
	Time       time.Time            `json:"time"`
	Name       string               `json:"name"`
	Operation  string               `json:"operation,omitempty"`
	Agent      string               `json:"agent,omitempty"`
	Tool       string               `json:"tool,omitempty"` // the tool of an execute_tool operation
	Model      string               `json:"model,omitempty"`
	CacheHit   bool                 `json:"cache_hit,omitempty"`
	Usage      TokenUsage           `json:"usage,omitzero"`
	Duration   time.Duration        `json:"duration_ns,omitempty"`
	Error      string               `json:"error,omitempty"`
	TraceID    string               `json:"trace_id,omitempty"`
	SpanID     string               `json:"span_id,omitempty"`
	Attributes []attribute.KeyValue `json:"-"`

	// sc is the span of a completed operation; TraceID and SpanID are formatted from it only
	// when the log is read, off the hot path.
	sc trace.SpanContext
}

// MarshalJSON writes the event with its attributes as a JSON object. JSON has no NaN or
// infinity: such float values are written as the strings "NaN", "+Inf" and "-Inf".
func (e Event) MarshalJSON() ([]byte, error) {
	type plain Event
	out := struct {
		plain
		Attributes map[string]any `json:"attributes,omitempty"`
	}{plain: plain(e)}
	if len(e.Attributes) > 0 {
		out.Attributes = make(map[string]any, len(e.Attributes))
		for _, kv := range e.Attributes {
			out.Attributes[string(kv.Key)] = jsonValue(kv.Value)
		}
	}
	return json.Marshal(out)
}

// eventLog is a fixed-capacity ring of events, oldest overwritten first; safe for concurrent use.
// Writers take a slot by an atomic counter and lock only that slot, so concurrent operations do
// not queue on one lock; each slot keeps its event's sequence number so a reader can put the
// events back in order.
type eventLog struct {
	slots []eventSlot
	added atomic.Uint64 // events ever added
}

type eventSlot struct {
	mu  sync.Mutex
	seq uint64 // 1 + the position of e among all events added; 0 while empty
	e   Event
}

func newEventLog(capacity int) *eventLog {
	if capacity <= 0 {
		return nil
	}
	return &eventLog{slots: make([]eventSlot, capacity)}
}

// add copies *e into the log.
func (l *eventLog) add(e *Event) {
	if l == nil {
		return
	}
	seq := l.added.Add(1)
	s := &l.slots[(seq-1)%uint64(len(l.slots))]
	s.mu.Lock()
	if seq > s.seq { // a writer lapped by a newer one on the same slot leaves the newer event
		s.seq, s.e = seq, *e
	}
	s.mu.Unlock()
}

// events returns a copy, oldest first.
func (l *eventLog) events() []Event {
	if l == nil {
		return nil
	}
	type entry struct {
		seq uint64
		e   Event
	}
	entries := make([]entry, 0, len(l.slots))
	for i := range l.slots {
		s := &l.slots[i]
		s.mu.Lock()
		if s.seq != 0 {
			entries = append(entries, entry{s.seq, s.e})
		}
		s.mu.Unlock()
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].seq < entries[j].seq })
	out := make([]Event, len(entries))
	for i := range entries {
		e := &entries[i].e
		if e.sc.IsValid() && e.TraceID == "" {
			e.TraceID, e.SpanID = e.sc.TraceID().String(), e.sc.SpanID().String()
		}
		out[i] = *e
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// jsonValue is v as encoding/json can write it: non-finite floats become strings.
func jsonValue(v attribute.Value) any {
	switch v.Type() {
	case attribute.FLOAT64:
		return jsonFloat(v.AsFloat64())
	case attribute.FLOAT64SLICE:
		fs := v.AsFloat64Slice()
		out := make([]any, len(fs))
		for i, f := range fs {
			out[i] = jsonFloat(f)
		}
		return out
	}
	return v.AsInterface()
}

func jsonFloat(f float64) any {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	}
	return f
}
