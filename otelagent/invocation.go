package otelagent

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/trace"
)

// Invocation is one open operation: an agent invocation, a chat call, a tool execution or a
// workflow. Complete it exactly once. Its methods are safe for concurrent use, and a nil
// *Invocation is valid and does nothing.
type Invocation struct {
	tracer    *Tracer
	span      trace.Span
	ctx       context.Context // carries span: metric points get its exemplars
	op        *operation
	name      string
	agentName string
	parent    *Invocation // the operation ctx carried when this one started
	agent     *Invocation // the enclosing invoke_agent of a chat, tool or workflow
	provider  string      // gen_ai.provider.name
	// agentGroup and modelGroup are the statistics groups of agentName and requestModel,
	// looked up once at start; nil when there was nothing to look up then.
	agentGroup, modelGroup *group
	profile                *profile
	requestModel           string
	conversationID         string
	start                  time.Time
	done                   atomic.Bool
	stripe                 uint32 // the stripe of the statistics groups this operation updates

	// provisional is the usage of an invocation opened by OnMessagesInvoke; nil for others.
	provisional *TokenUsage

	mu     sync.Mutex // guards ledger
	ledger ledger
}

// ledger is what an invoke_agent knows of its chat children. Until the agent completes, a
// chat's usage is counted at the chat and added to children; the agent then counts only its
// own excess over them. A chat that completes after its agent (a late chat) counts only what
// it adds to the agent's figure, max(own, children) per token kind, so the tokens are counted
// once whatever the order. One lock orders the agent's completion against its chats'.
type ledger struct {
	children *rollup // nil until a chat reports: most invocations have none
	closed   bool    // the agent has completed
	own      counts  // its own usage taken as its total; zero on a cache hit or invalid usage
}

// rollup is what chat calls inside an invocation reported: usage already counted at their
// level, shown again on the invocation's span.
type rollup struct {
	usage        counts
	cost, saved  float64
	priced, seen bool
	// model is the response model the chats' usage named while they all named the same one;
	// mixed records that two differed, which leaves the agent to its request model.
	model string
	mixed bool
}

// addModel rolls a chat's response model up: the agent's stays known while its chats agree.
func (r *rollup) addModel(model string) {
	switch {
	case model == "" || r.mixed || model == r.model:
	case r.model == "":
		r.model = model
	default:
		r.model, r.mixed = "", true
	}
}

func (i *Invocation) enclosingAgent() *Invocation {
	if i == nil {
		return nil
	}
	if i.op.isAgent {
		return i
	}
	return i.agent
}

// addChild records a completing chat's rollup. While the agent is open it reports late=false
// and the chat counts all its usage. Once the agent has completed it reports late=true and
// the usage the chat still has to count: what it raised the agent's max(own, children) by.
func (i *Invocation) addChild(r rollup) (late bool, counted counts) {
	i.mu.Lock()
	defer i.mu.Unlock()
	l := &i.ledger
	if l.children == nil {
		if !l.closed && !r.seen && r.model == "" {
			return false, counts{} // nothing to roll up
		}
		l.children = new(rollup)
	}
	if l.closed {
		before := l.own.merge(l.children.usage)
		l.children.usage = l.children.usage.add(r.usage)
		return true, l.own.merge(l.children.usage).sub(before)
	}
	l.children.addModel(r.model)
	if r.seen {
		c := l.children
		c.usage = c.usage.add(r.usage)
		c.cost += r.cost
		c.saved += r.saved
		c.priced = c.priced || r.priced
		c.seen = true
	}
	return false, counts{}
}

// close marks the invocation completed with own as its total and returns its children so far;
// chats completing later are late.
func (i *Invocation) close(own counts) rollup {
	if !i.op.isAgent { // only an invoke_agent has children reporting to it
		return rollup{}
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	i.ledger.closed = true
	i.ledger.own = own
	if i.ledger.children == nil {
		return rollup{}
	}
	return *i.ledger.children
}

// SpanContext returns the span context of the operation's span; zero for a nil Invocation.
func (i *Invocation) SpanContext() trace.SpanContext {
	if i == nil {
		return trace.SpanContext{}
	}
	return i.span.SpanContext()
}

// Operation returns the gen_ai.operation.name of the operation; "" for a nil Invocation.
func (i *Invocation) Operation() string {
	if i == nil {
		return ""
	}
	return i.op.name
}

// Complete ends the operation: it sets usage, cache, cost, finish-reason and error attributes
// on the span, ends it, records metrics, statistics and an event-log entry. The outputs are
// captured when content capture is on.
//
// Only the first call has effect; later ones return ErrAlreadyCompleted. Usage that fails
// TokenUsage.Validate still ends the span, marked with otelagent.usage.invalid and without
// usage attributes; no tokens are counted and the validation error is returned. On a nil
// Invocation, Complete does nothing and returns nil.
func (i *Invocation) Complete(outputs []Message, opts ...CompleteOption) error {
	if i == nil {
		return nil
	}
	if !i.done.CompareAndSwap(false, true) {
		return fmt.Errorf("%w: %s", ErrAlreadyCompleted, i.spanName())
	}
	var cc completeConfig
	for _, o := range opts {
		cc.apply(o)
	}
	cc.validate()
	return i.tracer.finish(i, outputs, &cc)
}

// toolName is the tool of an execute_tool operation, else "".
func (i *Invocation) toolName() string {
	if !i.op.isTool {
		return ""
	}
	return i.name
}

func (i *Invocation) spanName() string {
	if i.name == "" {
		return i.op.name
	}
	return i.op.name + " " + i.name
}
