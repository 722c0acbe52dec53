package otelagent

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/agenttrace/otelagent/semconv"
)

// Invocation is one open operation: an agent invocation, a chat call, a tool execution or a
// workflow. Complete it exactly once. Its methods are safe for concurrent use, and a nil
// *Invocation is valid and does nothing.
type Invocation struct {
	tracer         *Tracer
	span           trace.Span
	ctx            context.Context // carries span: metric points get its exemplars
	op             string
	name           string
	agentName      string
	parent         *Invocation        // the operation ctx carried when this one started
	agent          *Invocation        // the enclosing invoke_agent of a chat, tool or workflow
	providerAttr   attribute.KeyValue // gen_ai.provider.name
	requestModel   string
	conversationID string
	inputJSON      string
	start          time.Time
	done           atomic.Bool

	// fromCallbacks is set for invocations opened by OnMessagesInvoke; provisional is their usage.
	fromCallbacks bool
	provisional   TokenUsage

	mu     sync.Mutex // guards ledger
	ledger ledger
}

// ledger is what an invoke_agent knows of its chat children. Until the agent completes, a
// chat's usage is counted at the chat and added to children; the agent then counts only its
// own excess over them. A chat that completes after its agent (a late chat) counts only what
// it adds to the agent's figure, max(own, children) per token kind, so the tokens are counted
// once whatever the order. One lock orders the agent's completion against its chats'.
type ledger struct {
	children rollup
	closed   bool   // the agent has completed
	own      counts // its own usage taken as its total; zero on a cache hit or invalid usage
}

// rollup is what chat calls inside an invocation reported: usage already counted at their
// level, shown again on the invocation's span.
type rollup struct {
	usage        counts
	cost, saved  float64
	priced, seen bool
}

func (i *Invocation) enclosingAgent() *Invocation {
	if i == nil {
		return nil
	}
	if i.op == semconv.OperationInvokeAgent {
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
	if l.closed {
		before := l.own.merge(l.children.usage)
		l.children.usage = l.children.usage.add(r.usage)
		return true, l.own.merge(l.children.usage).sub(before)
	}
	if r.seen {
		l.children.usage = l.children.usage.add(r.usage)
		l.children.cost += r.cost
		l.children.saved += r.saved
		l.children.priced = l.children.priced || r.priced
		l.children.seen = true
	}
	return false, counts{}
}

// close marks the invocation completed with own as its total and returns its children so far;
// chats completing later are late.
func (i *Invocation) close(own counts) rollup {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.ledger.closed = true
	i.ledger.own = own
	return i.ledger.children
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
	return i.op
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
	end := time.Now()
	var cc completeConfig
	for _, o := range opts {
		if o != nil {
			o.applyComplete(&cc)
		}
	}
	cc.validate()
	return i.tracer.finish(i, outputs, &cc, end)
}

// toolName is the tool of an execute_tool operation, else "".
func (i *Invocation) toolName() string {
	if i.op != semconv.OperationExecuteTool {
		return ""
	}
	return i.name
}

func (i *Invocation) spanName() string {
	if i.name == "" {
		return i.op
	}
	return i.op + " " + i.name
}

// outcome is what one completed operation counts, worked out once and then recorded on the
// span, the metrics and the statistics.
type outcome struct {
	model         string // response model, else request model: the key of statistics and counters
	responseModel string // the model the usage named, if any
	isAgent       bool
	hit           bool
	errType       string
	errText       string // the error's message, made safe to record
	spanUsage     counts // what the span shows: own usage merged with its chat children
	spent         counts // newly counted as spent at this level
	saved         int64  // tokens a cache hit avoided
	cost          float64
	costSaved     float64
	priced        bool // the model's price is known
	unpriced      bool // pricing is set, tokens were counted, and the model is not in it
	rollup        rollup
	late          bool // a chat completed after its agent: spent is what it added beyond it
}

func (t *Tracer) finish(i *Invocation, outputs []Message, cc *completeConfig, end time.Time) error {
	if i.fromCallbacks {
		t.open.remove(i)
	}
	usageErr := cc.usage.Validate()
	own := countsOf(cc.usage)
	if usageErr != nil {
		own = counts{}
	}
	o := outcome{model: cc.usage.Model, responseModel: cc.usage.Model, isAgent: i.op == semconv.OperationInvokeAgent}
	if o.model == "" {
		o.model = i.requestModel
	}
	o.hit = o.isAgent && cc.cacheHit
	if cc.err != nil {
		o.errType = validUTF8(ErrorType(cc.err))
		o.errText = t.errorText(cc.err)
	}
	price, priced := t.prices.lookup(o.model)
	o.priced = priced
	ownTotal := own
	if o.hit {
		ownTotal = counts{}
	}
	children := i.close(ownTotal)
	if o.hit {
		o.saved = own.total
		o.spanUsage = children.usage
		if priced {
			o.costSaved = price.cost(own)
		}
	} else {
		o.spanUsage = own.merge(children.usage)
		o.spent = o.spanUsage.sub(children.usage)
		if priced {
			o.cost = price.cost(o.spent)
			o.costSaved = price.cacheReadSaving(o.spent)
		}
	}
	o.cost, o.costSaved = finiteCost(o.cost, o.model), finiteCost(o.costSaved, o.model)
	o.unpriced = t.prices.table != nil && !priced && o.model != "" && (o.saved > 0 || !o.spent.isZero())
	o.rollup = rollup{
		usage:  o.spanUsage,
		cost:   children.cost + o.cost,
		saved:  children.saved + o.costSaved,
		priced: children.priced || (priced && (o.saved > 0 || !own.isZero())),
		seen:   !o.spanUsage.isZero(),
	}
	if i.op == semconv.OperationChat && i.agent != nil {
		if o.late, o.spent = i.agent.addChild(o.rollup); o.late {
			o.cost, o.costSaved = 0, 0
			if priced {
				o.cost = price.cost(o.spent)
				o.costSaved = price.cacheReadSaving(o.spent)
			}
		} else {
			o.spent = o.spanUsage
		}
	}

	t.endSpan(i, outputs, cc, &o, usageErr, end)
	t.recordMetrics(i, &o, end)
	t.recordStats(i, &o, end)
	if t.log != nil {
		e := Event{
			Time: end, Name: semconv.EventOperationCompleted, Operation: i.op, Agent: i.agentName, Tool: i.toolName(),
			Model: o.model, CacheHit: o.hit, Usage: cc.usage, Duration: end.Sub(i.start),
			sc: i.span.SpanContext(),
		}
		e.Error = o.errText
		t.log.add(e)
	}
	return usageErr
}

func (t *Tracer) endSpan(i *Invocation, outputs []Message, cc *completeConfig, o *outcome, usageErr error, end time.Time) {
	span := i.span
	if !span.IsRecording() {
		span.End(trace.WithTimestamp(end))
		return
	}
	buf := getAttrs()
	defer putAttrs(buf)
	attrs := *buf
	if cc.usage.Model != "" {
		attrs = append(attrs, semconv.GenAIResponseModel(cc.usage.Model))
	}
	if u := o.spanUsage; !u.isZero() {
		attrs = append(attrs,
			semconv.GenAIUsageInputTokensKey.Int64(u.prompt),
			semconv.GenAIUsageOutputTokensKey.Int64(u.completion),
			semconv.GenAIUsageCacheReadInputTokensKey.Int64(u.cacheRead),
			semconv.GenAIUsageCacheCreationInputTokensKey.Int64(u.cacheCreation),
			semconv.GenAIUsageReasoningOutputTokensKey.Int64(u.reasoning),
			semconv.UsageTotalTokensKey.Int64(u.total),
		)
	}
	if o.isAgent {
		attrs = append(attrs, semconv.CacheHit(o.hit))
	}
	if o.saved > 0 {
		attrs = append(attrs, semconv.CacheTokensSavedKey.Int64(o.saved))
	}
	if o.rollup.priced {
		attrs = append(attrs, semconv.CostUSDKey.Float64(o.rollup.cost), semconv.CostSavedUSDKey.Float64(o.rollup.saved))
	}
	if o.late {
		c := o.spent
		attrs = append(attrs, semconv.RollupLateKey.Bool(true),
			semconv.RollupCountedInputTokensKey.Int64(c.prompt),
			semconv.RollupCountedOutputTokensKey.Int64(c.completion),
			semconv.RollupCountedCacheReadInputTokensKey.Int64(c.cacheRead),
			semconv.RollupCountedCacheCreationInputTokensKey.Int64(c.cacheCreation),
			semconv.RollupCountedReasoningOutputTokensKey.Int64(c.reasoning),
			semconv.RollupCountedTotalTokensKey.Int64(c.total),
			semconv.RollupCountedCostUSDKey.Float64(o.cost),
			semconv.RollupCountedCostSavedUSDKey.Float64(o.costSaved))
	}
	if len(cc.finishReasons) > 0 {
		attrs = append(attrs, semconv.GenAIResponseFinishReasonsKey.StringSlice(cc.finishReasons))
	}
	if usageErr != nil {
		attrs = append(attrs, semconv.UsageInvalidKey.String(usageErr.Error()))
	}
	if t.capture && len(outputs) > 0 {
		key := semconv.GenAIOutputMessagesKey
		var out string
		var truncated bool
		if i.op == semconv.OperationExecuteTool {
			key = semconv.GenAIToolCallResultKey
			out, truncated = t.toolContent(outputs)
		} else {
			out, truncated = encodeMessages(outputs, true, cc.finishReasons, t.redact, t.maxBytes)
		}
		attrs = append(attrs, key.String(out))
		if truncated {
			attrs = append(attrs, semconv.ContentTruncatedKey.Bool(true))
		}
	}
	if o.errType != "" {
		attrs = append(attrs, semconv.ErrorType(o.errType))
		span.SetStatus(codes.Error, o.errText)
	}
	span.SetAttributes(attrs...)
	span.End(trace.WithTimestamp(end))
	*buf = attrs
}

func (t *Tracer) recordMetrics(i *Invocation, o *outcome, end time.Time) {
	ctx := i.ctx
	// The conventions' metrics name a response model only when the usage said which one
	// answered; the module's counters fall back to the requested model.
	respModel := o.responseModel
	t.ins.duration.Record(ctx, end.Sub(i.start).Seconds(),
		t.sets.operation(i.op, i.providerAttr, i.requestModel, respModel, o.errType).rec...)
	if !o.hit && !o.spanUsage.isZero() {
		t.ins.tokenUsage.Record(ctx, o.spanUsage.prompt,
			t.sets.tokenUsage(i.op, i.providerAttr, i.requestModel, respModel, semconv.TokenTypeInput).rec...)
		t.ins.tokenUsage.Record(ctx, o.spanUsage.completion,
			t.sets.tokenUsage(i.op, i.providerAttr, i.requestModel, respModel, semconv.TokenTypeOutput).rec...)
	}
	t.ins.invocations.Add(ctx, 1, t.sets.invocation(i.agentName, i.op, o.isAgent, o.hit, o.errType).add...)
	t.ins.active.Add(ctx, -1, t.sets.active(i.agentName, i.op).add...)
	if !o.spent.isZero() {
		for _, k := range [...]struct {
			kind string
			n    int64
		}{
			{semconv.TokenKindInput, o.spent.prompt},
			{semconv.TokenKindOutput, o.spent.completion},
			{semconv.TokenKindCacheRead, o.spent.cacheRead},
			{semconv.TokenKindCacheCreation, o.spent.cacheCreation},
			{semconv.TokenKindReasoning, o.spent.reasoning},
		} {
			if k.n != 0 {
				t.ins.tokens.Add(ctx, k.n, t.sets.tokens(i.agentName, o.model, k.kind).add...)
			}
		}
	}
	if o.saved > 0 || o.cost > 0 || o.costSaved > 0 {
		opts := t.sets.agentModel(i.agentName, o.model).add
		if o.saved > 0 {
			t.ins.tokensSaved.Add(ctx, o.saved, opts...)
		}
		if o.cost > 0 {
			t.ins.cost.Add(ctx, o.cost, opts...)
		}
		if o.costSaved > 0 {
			t.ins.costSaved.Add(ctx, o.costSaved, opts...)
		}
	}
}

func (t *Tracer) recordStats(i *Invocation, o *outcome, end time.Time) {
	s := &t.stats
	if o.isAgent {
		if o.hit {
			s.hits.Add(1)
		} else {
			s.misses.Add(1)
		}
	}
	satAddAtomic(&s.saved, o.saved)
	s.spent.add(o.spent)
	s.costSpent.add(o.cost)
	s.costSave.add(o.costSaved)

	latency := end.Sub(i.start)
	if o.isAgent || !o.spent.isZero() || o.saved > 0 {
		g := s.agents.get(i.agentName)
		if o.isAgent {
			g.inFlight.Add(-1)
			countOperation(g, o, latency)
		}
		tallyTokens(g, o)
	}
	if i.requestModel != "" {
		s.models.get(i.requestModel).inFlight.Add(-1)
	}
	if o.model != "" {
		g := s.models.get(o.model)
		countOperation(g, o, latency)
		tallyTokens(g, o)
		if o.priced {
			g.priced.Store(true)
		}
		if o.unpriced {
			s.noteUnpriced(o.model)
		}
	}
}

func countOperation(g *group, o *outcome, latency time.Duration) {
	g.invocations.Add(1)
	if o.errType != "" {
		g.errors.Add(1)
	}
	if o.isAgent {
		if o.hit {
			g.hits.Add(1)
		} else {
			g.misses.Add(1)
		}
	}
	g.latency.record(latency)
}

func tallyTokens(g *group, o *outcome) {
	g.spent.add(o.spent)
	satAddAtomic(&g.saved, o.saved)
	g.cost.add(o.cost)
	g.costSaved.add(o.costSaved)
}

// finiteCost returns v, or 0 when it is not finite, reported to otel.Handle: a validated table
// keeps costs finite, and one NaN would spoil every total and metric it reached.
func finiteCost(v float64, model string) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		otel.Handle(fmt.Errorf("otelagent: cost of model %q is %v, not counted", model, v))
		return 0
	}
	return v
}

// ErrorType returns the error.type recorded for err: the value of an ErrorType() string method
// anywhere in its chain, "timeout" or "canceled" for context errors, else the Go type of the
// innermost error, else "_OTHER".
func ErrorType(err error) string {
	if err == nil {
		return ""
	}
	var typed interface{ ErrorType() string }
	if errors.As(err, &typed) {
		if s := typed.ErrorType(); s != "" {
			return s
		}
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	inner := err
	for {
		next := errors.Unwrap(inner)
		if next == nil {
			break
		}
		inner = next
	}
	switch name := fmt.Sprintf("%T", inner); name {
	case "*errors.errorString", "*fmt.wrapError", "*fmt.wrapErrors", "*errors.joinError":
		return semconv.ErrorTypeOther
	default:
		return name
	}
}
