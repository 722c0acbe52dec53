package otelagent

import (
	"encoding/json"
	"math"
	"sync"
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
type eventLog struct {
	mu    sync.Mutex
	buf   []Event
	next  int
	full  bool
	total int64
}

func newEventLog(capacity int) *eventLog {
	if capacity <= 0 {
		return nil
	}
	return &eventLog{buf: make([]Event, capacity)}
}

func (l *eventLog) add(e Event) {
	if l == nil {
		return
	}
	l.mu.Lock()
	l.buf[l.next] = e
	l.next++
	l.total++
	if l.next == len(l.buf) {
		l.next, l.full = 0, true
	}
	l.mu.Unlock()
}

// events returns a copy, oldest first.
func (l *eventLog) events() []Event {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Event
	if l.full {
		out = make([]Event, 0, len(l.buf))
		out = append(out, l.buf[l.next:]...)
	}
	out = append(out, l.buf[:l.next]...)
	for i := range out {
		if e := &out[i]; e.sc.IsValid() && e.TraceID == "" {
			e.TraceID, e.SpanID = e.sc.TraceID().String(), e.sc.SpanID().String()
		}
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
