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

	"github.com/agenttrace/otelagent/semconv"
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
// events back in order. A completed operation is kept as an opRecord, less than half the size
// of an Event and with a third of its pointers, and becomes an Event only when the log is read.
type eventLog struct {
	slots []eventSlot
	added atomic.Uint64 // events ever added
}

type eventSlot struct {
	mu   sync.Mutex
	seq  uint64 // 1 + the position of the event among all events added; 0 while empty
	full *Event // an event of RecordEvent; nil for a completed operation
	op   opRecord
}

// opRecord is a completed operation as the event log keeps it.
type opRecord struct {
	profile    *profile // the operation, its agent and its tool
	model      string   // see modelOf
	err        string   // the error text as recorded on the span
	usage      [5]int64 // prompt, completion, cache read, cache creation, reasoning, as given
	end, dur   int64    // end time in Unix nanoseconds, duration in nanoseconds
	traceID    trace.TraceID
	spanID     trace.SpanID
	hit        bool
	usageModel bool // the usage named the model (then it is model)
	valid      bool // traceID and spanID are a valid span context
}

// event is r as an Event.
func (r *opRecord) event() Event {
	k := &r.profile.key
	e := Event{
		Time:      time.Unix(0, r.end),
		Name:      semconv.EventOperationCompleted,
		Operation: k.op.name,
		Agent:     k.agent,
		Model:     r.model,
		CacheHit:  r.hit,
		Usage: TokenUsage{PromptTokens: r.usage[0], CompletionTokens: r.usage[1], CacheReadTokens: r.usage[2],
			CacheCreationTokens: r.usage[3], ReasoningTokens: r.usage[4]},
		Duration: time.Duration(r.dur),
		Error:    r.err,
	}
	if k.op.isTool {
		e.Tool = k.name
	}
	if r.usageModel {
		e.Usage.Model = r.model
	}
	if r.valid {
		e.TraceID, e.SpanID = r.traceID.String(), r.spanID.String()
	}
	return e
}

func newEventLog(capacity int) *eventLog {
	if capacity <= 0 {
		return nil
	}
	return &eventLog{slots: make([]eventSlot, capacity)}
}

// slot takes the next slot, locked, and its sequence number; the caller fills it and unlocks
// it. It returns nil when a writer lapped by a newer one on the same slot must leave the newer
// event in place.
func (l *eventLog) slot() (*eventSlot, uint64) {
	seq := l.added.Add(1)
	s := &l.slots[(seq-1)%uint64(len(l.slots))]
	s.mu.Lock()
	if seq <= s.seq {
		s.mu.Unlock()
		return nil, 0
	}
	return s, seq
}

// add copies *e into the log.
func (l *eventLog) add(e *Event) {
	if l == nil {
		return
	}
	full := new(Event)
	*full = *e
	if s, seq := l.slot(); s != nil {
		s.seq, s.full, s.op = seq, full, opRecord{}
		s.mu.Unlock()
	}
}

// addOp copies *r into the log.
func (l *eventLog) addOp(r *opRecord) {
	if s, seq := l.slot(); s != nil {
		s.seq, s.full, s.op = seq, nil, *r
		s.mu.Unlock()
	}
}

// events returns a copy, oldest first.
func (l *eventLog) events() []Event {
	if l == nil {
		return nil
	}
	type entry struct {
		seq  uint64
		full *Event
		op   opRecord
	}
	entries := make([]entry, 0, len(l.slots))
	for i := range l.slots {
		s := &l.slots[i]
		s.mu.Lock()
		if s.seq != 0 {
			entries = append(entries, entry{s.seq, s.full, s.op})
		}
		s.mu.Unlock()
	}
	if len(entries) == 0 {
		return nil
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].seq < entries[j].seq })
	out := make([]Event, len(entries))
	for i := range entries {
		if e := &entries[i]; e.full != nil {
			out[i] = *e.full
		} else {
			out[i] = e.op.event()
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
