package otelagent

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/agenttrace/otelagent/semconv"
)

// Tracer creates agent, chat, tool and workflow spans and keeps the statistics of what they
// reported. Create it with New. All methods are safe for concurrent use, and all are safe to
// call on a nil *Tracer, which records nothing.
type Tracer struct {
	tracer     trace.Tracer
	noopTracer bool // tracer is the API's no-op: spans need no name or attributes
	ins        instruments
	provider   string // gen_ai.provider.name of operations that name none
	capture    bool
	maxBytes   int
	redact     func(Message) Message
	prices     priceIndex
	stats      statistics
	log        *eventLog
	open       openInvocations
	sets       attrSetCache
	profiles   profileCache
	// lastProfile is the profile of the last operation of each kind (operation.index).
	lastProfile [operationKinds]atomic.Pointer[profile]
}

// New returns a Tracer configured by opts. It never fails: without providers it uses the
// global ones, and an instrument that cannot be created is reported to otel.Handle and
// replaced by a no-op.
func New(opts ...Option) *Tracer {
	c := newConfig(opts)
	tp := c.tracerProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	mp := c.meterProvider
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	provider := validUTF8(c.providerName)
	if provider == "" {
		provider = semconv.ProviderOther
	}
	t := &Tracer{
		tracer: tp.Tracer(ScopeName, trace.WithInstrumentationVersion(Version),
			trace.WithSchemaURL(semconv.SchemaURL)),
		ins: newInstruments(mp.Meter(ScopeName, metric.WithInstrumentationVersion(Version),
			metric.WithSchemaURL(semconv.SchemaURL))),
		provider: provider,
		capture:  c.captureContent,
		maxBytes: c.maxContentBytes,
		redact:   c.redactor,
		log:      newEventLog(c.eventLogCap),
	}
	_, t.noopTracer = t.tracer.(tracenoop.Tracer)
	t.prices.init(c)
	return t
}

// Invoke starts an agent invocation: an invoke_agent span named "invoke_agent {agent}" (just
// "invoke_agent" when agent is empty), of kind INTERNAL, child of any span in ctx. The inputs
// are captured when content capture is on. The returned context carries the span and the
// invocation: operations started from it are its children. Complete the invocation exactly once.
func (t *Tracer) Invoke(ctx context.Context, agent string, inputs []Message, opts ...InvokeOption) (context.Context, *Invocation) {
	return t.start(ctx, opInvokeAgent, agent, inputs, opts)
}

// StartChat starts a model call: a span "chat {model}" of kind CLIENT with gen_ai.request.model
// set to model. Its usage counts once, as spent, and rolls up into the enclosing invocation's
// span attributes.
func (t *Tracer) StartChat(ctx context.Context, model string, opts ...InvokeOption) (context.Context, *Invocation) {
	return t.start(ctx, opChat, model, nil, opts)
}

// StartTool starts a tool execution: a span "execute_tool {tool}" of kind INTERNAL with
// gen_ai.tool.name set to tool.
func (t *Tracer) StartTool(ctx context.Context, tool string, opts ...InvokeOption) (context.Context, *Invocation) {
	return t.start(ctx, opExecuteTool, tool, nil, opts)
}

// StartWorkflow starts a workflow that coordinates several agents under one root: a span
// "invoke_workflow {name}" of kind INTERNAL with gen_ai.workflow.name set to name.
func (t *Tracer) StartWorkflow(ctx context.Context, name string, opts ...InvokeOption) (context.Context, *Invocation) {
	return t.start(ctx, opInvokeWorkflow, name, nil, opts)
}

func (t *Tracer) start(ctx context.Context, op *operation, name string, inputs []Message, opts []InvokeOption) (context.Context, *Invocation) {
	if ctx == nil {
		ctx = context.Background()
	}
	if t == nil {
		return ctx, nil
	}
	var ic invokeConfig
	for _, o := range opts {
		ic.apply(o)
	}
	ic.validate()
	name = validUTF8(name)
	if op.isChat {
		ic.requestModel = name
	}
	parent := invocationFromContext(ctx)
	// The invocation and the context that carries it are one allocation.
	ictx := &invocationContext{inv: Invocation{tracer: t, parent: parent, op: op, name: name, requestModel: ic.requestModel}}
	inv := &ictx.inv
	if op.isAgent {
		inv.agentName = name
	} else if a := parent.enclosingAgent(); a != nil {
		inv.agent = a
		inv.agentName = a.agentName
	}
	switch {
	case ic.providerName != "":
		inv.provider = ic.providerName
	case parent != nil:
		inv.provider = parent.provider
	default:
		inv.provider = t.provider
	}
	inv.conversationID = ic.conversationID
	if inv.conversationID == "" && parent != nil {
		inv.conversationID = parent.conversationID
	}

	inv.profile = t.profile(op, name, inv.agentName, inv.provider, ic.requestModel)
	if t.noopTracer {
		// The no-op tracer ignores name and options; it only carries a valid span context of
		// ctx on. Without one there is nothing to carry: no span is started and nothing is
		// allocated (ctx's own span is left alone: ending it is not ours to do).
		inv.span = noopSpan
		if trace.SpanContextFromContext(ctx).IsValid() {
			ctx, inv.span = t.tracer.Start(ctx, op.name)
		}
		inv.start = time.Now()
	} else {
		ctx, inv.span = t.startSpan(ctx, inv, &ic, inputs)
		inv.start = spanStartTime(inv.span)
	}
	inv.ctx = ctx

	inv.stripe = randomStripe()
	if op.isAgent {
		inv.agentGroup = inv.profile.agentGroup
		inv.agentGroup.stripe(inv.stripe).inFlight.Add(1)
	} else if inv.agent != nil {
		inv.agentGroup = inv.agent.agentGroup
	}
	if inv.modelGroup = inv.profile.modelGroup; inv.modelGroup != nil {
		inv.modelGroup.stripe(inv.stripe).inFlight.Add(1)
	}
	if t.ins.active.Enabled(ctx) {
		t.ins.active.Add(ctx, 1, inv.profile.active.add...)
	}
	return ictx, inv
}

// startSpan starts the span of inv with its start attributes.
func (t *Tracer) startSpan(ctx context.Context, inv *Invocation, ic *invokeConfig, inputs []Message) (context.Context, trace.Span) {
	op, name := inv.op, inv.name
	buf := getSpanBuf()
	attrs := append(buf.attrs, semconv.GenAIOperationName(op.name), semconv.GenAIProviderName(inv.provider))
	if op.nameKey != "" && (name != "" || op.nameAlways) {
		attrs = append(attrs, op.nameKey.String(name))
	}
	if op.isAgent && ic.agentID != "" {
		attrs = append(attrs, semconv.GenAIAgentIDKey.String(ic.agentID))
	}
	var truncated bool // some captured content was cut
	if op.isTool {
		if ic.toolCallID != "" {
			attrs = append(attrs, semconv.GenAIToolCallIDKey.String(ic.toolCallID))
		}
		if t.capture && ic.toolArguments != "" {
			args, cut := t.toolContent([]Message{{Role: "tool", Content: ic.toolArguments}})
			attrs = append(attrs, semconv.GenAIToolCallArgumentsKey.String(args))
			truncated = truncated || cut
		}
	}
	if inv.conversationID != "" {
		attrs = append(attrs, semconv.GenAIConversationIDKey.String(inv.conversationID))
	}
	if ic.requestModel != "" {
		attrs = append(attrs, semconv.GenAIRequestModel(ic.requestModel))
	}
	n := len(attrs)
	attrs = append(attrs, ic.attrs...)
	validAttrs(attrs[n:])
	if len(inputs) == 0 {
		inputs = ic.inputs
	}
	if t.capture && len(ic.instructions) > 0 {
		si, cut := encodeTextParts(ic.instructions, t.redact, t.maxBytes)
		attrs = append(attrs, semconv.GenAISystemInstructionsKey.String(si))
		truncated = truncated || cut
	}
	if t.capture && len(inputs) > 0 {
		in, cut := encodeMessages(inputs, false, nil, t.redact, t.maxBytes)
		attrs = append(attrs, semconv.GenAIInputMessagesKey.String(in))
		truncated = truncated || cut
	}
	if truncated {
		attrs = append(attrs, semconv.ContentTruncatedKey.Bool(true))
	}
	// No timestamp option: the span takes its own start time, read back by spanStartTime.
	buf.start[0], buf.start[1] = op.kindOption, trace.WithAttributes(attrs...)
	ctx, span := t.tracer.Start(ctx, inv.profile.spanName, buf.start[:]...)
	buf.attrs = attrs
	putSpanBuf(buf)
	return ctx, span
}

// noopSpan is the span of operations started by the no-op tracer without a span context.
var noopSpan trace.Span = tracenoop.Span{}

// invocationContext is the context an operation's start returns: the invocation's context
// (with its span), answering for the invocation itself. It holds nothing else, so the two are
// one allocation.
type invocationContext struct{ inv Invocation }

func (c *invocationContext) Deadline() (time.Time, bool) { return c.inv.ctx.Deadline() }
func (c *invocationContext) Done() <-chan struct{}       { return c.inv.ctx.Done() }
func (c *invocationContext) Err() error                  { return c.inv.ctx.Err() }

func (c *invocationContext) Value(key any) any {
	if _, ok := key.(invocationKey); ok {
		return &c.inv
	}
	return c.inv.ctx.Value(key)
}

func (c *invocationContext) String() string {
	return fmt.Sprint(c.inv.ctx) + ".WithValue(otelagent.Invocation)"
}

// spanTimes is what SDK spans offer to read their start and end times back.
type spanTimes interface {
	StartTime() time.Time
	EndTime() time.Time
}

// spanStartTime returns the start time span recorded, or now for a span that keeps none.
// Reading it back rather than passing a timestamp saves an allocation and a clock read.
func spanStartTime(span trace.Span) time.Time {
	if st, ok := span.(spanTimes); ok {
		if ts := st.StartTime(); !ts.IsZero() {
			return ts
		}
	}
	return time.Now()
}

// endSpanNow ends span without options and returns the end time it recorded, else now.
func endSpanNow(span trace.Span) time.Time {
	span.End()
	if st, ok := span.(spanTimes); ok {
		if ts := st.EndTime(); !ts.IsZero() {
			return ts
		}
	}
	return time.Now()
}

// RecordEvent adds e as a span event to the span in ctx (when it is recording) and appends it
// to the event log. A zero Time means now; an empty Name means "otelagent.event"; Agent,
// Operation, Tool, TraceID and SpanID are filled from ctx when empty. Error is scrubbed like
// WithError's message.
func (t *Tracer) RecordEvent(ctx context.Context, e Event) {
	if t == nil {
		return
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	if e.Name == "" {
		e.Name = semconv.EventDefaultName
	}
	if inv := invocationFromContext(ctx); inv != nil {
		if e.Agent == "" {
			e.Agent = inv.agentName
		}
		if e.Operation == "" {
			e.Operation = inv.op.name
		}
		if e.Tool == "" {
			e.Tool = inv.toolName()
		}
	}
	e.Attributes = append([]attribute.KeyValue(nil), e.Attributes...)
	e.validate()
	if e.Error != "" {
		e.Error = t.cleanErrorText(e.Error)
	}
	span := trace.SpanFromContext(ctx)
	if sc := span.SpanContext(); sc.IsValid() {
		e.TraceID, e.SpanID = sc.TraceID().String(), sc.SpanID().String()
	}
	if span.IsRecording() {
		span.AddEvent(e.Name, trace.WithTimestamp(e.Time), trace.WithAttributes(e.Attributes...))
	}
	t.log.add(&e)
}

// CapturesContent reports whether the Tracer captures message content (WithContentCapture),
// so that instrumentation can skip gathering content nobody records. False for a nil Tracer.
func (t *Tracer) CapturesContent() bool {
	return t != nil && t.capture
}

// CacheStatistics returns the cache statistics so far: the sums of the agents' statistics, so
// its cost grows with the number of agents, not of operations. Safe for concurrent use; a nil
// Tracer returns zero statistics.
func (t *Tracer) CacheStatistics() CacheStatistics {
	if t == nil {
		return CacheStatistics{}
	}
	return t.stats.cacheStatistics()
}

// Stats returns the statistics so far per agent and per model, as a copy. A nil Tracer returns
// empty maps.
func (t *Tracer) Stats() Stats {
	if t == nil {
		return Stats{Agents: map[string]GroupStats{}, Models: map[string]GroupStats{}}
	}
	st := t.stats.stats()
	st.PricingAsOf = t.prices.asOf
	return st
}

// Events returns a copy of the event log, oldest first; nil when the log is off.
func (t *Tracer) Events() []Event {
	if t == nil {
		return nil
	}
	return t.log.events()
}

// toolContent renders tool arguments or results for capture: one message as its content, cut
// at the byte limit on a rune boundary; more as a JSON array of contents, cut by the rules of
// encodeMessages. Each is redacted first; the result is valid UTF-8.
func (t *Tracer) toolContent(msgs []Message) (string, bool) {
	contents := make([]string, len(msgs))
	for i, m := range msgs {
		if t.redact != nil {
			m = t.redact(m)
		}
		contents[i] = m.Content
	}
	if len(contents) > 1 {
		return encodeStrings(contents, t.maxBytes)
	}
	out := validUTF8(contents[0])
	if len(out) <= t.maxBytes {
		return out, false
	}
	return cutUTF8(out, t.maxBytes), true
}

type invocationKey struct{}

func invocationFromContext(ctx context.Context) *Invocation {
	inv, _ := ctx.Value(invocationKey{}).(*Invocation)
	return inv
}

// InvocationFromContext returns the operation that ctx carries (the innermost one started by
// Invoke, StartChat, StartTool or StartWorkflow), or nil.
func InvocationFromContext(ctx context.Context) *Invocation {
	if ctx == nil {
		return nil
	}
	return invocationFromContext(ctx)
}
