package otelagent

import (
	"fmt"
	"math"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/codes"

	"github.com/agenttrace/otelagent/semconv"
)

// The Complete pipeline: work out what an operation counts (finish), then record it on the
// span, the metrics, the statistics and the event log.

// outcome is what one completed operation counts, worked out once and then recorded on the
// span, the metrics and the statistics.
type outcome struct {
	model         string // see modelOf: the key of statistics and counters
	responseModel string // the model that answered, if known (see modelOf)
	isAgent       bool
	counted       bool // an invocation of the statistics and the report: an agent's, or a chat's outside any agent
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

func (t *Tracer) finish(i *Invocation, outputs []Message, cc *completeConfig) error {
	if i.provisional != nil {
		t.open.remove(i)
	}
	usageErr := cc.usage.Validate()
	own := countsOf(cc.usage)
	if usageErr != nil {
		own = counts{}
	}
	o := outcome{isAgent: i.op.isAgent, counted: i.op.isAgent || (i.op.isChat && i.agent == nil)}
	o.hit = o.isAgent && cc.cacheHit
	if cc.err != nil {
		o.errType = validUTF8(ErrorType(cc.err))
		o.errText = t.errorText(cc.err)
	}
	ownTotal := own
	if o.hit {
		ownTotal = counts{}
	}
	children := i.close(ownTotal)
	o.model, o.responseModel = modelOf(cc.usage.Model, o.isAgent, children, i.requestModel)
	price, priced := t.prices.lookup(o.model)
	o.priced = priced
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
		model:  o.responseModel,
	}
	if i.op.isChat && i.agent != nil {
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

	end := t.endSpan(i, outputs, cc, &o, usageErr)
	t.recordMetrics(i, &o, end)
	t.recordStats(i, &o, end)
	if t.log != nil {
		u := &cc.usage
		sc := i.span.SpanContext()
		t.log.addOp(&opRecord{
			profile: i.profile, model: o.model, err: o.errText,
			usage: [5]int64{u.PromptTokens, u.CompletionTokens, u.CacheReadTokens, u.CacheCreationTokens, u.ReasoningTokens},
			end:   end.UnixNano(), dur: int64(end.Sub(i.start)),
			traceID: sc.TraceID(), spanID: sc.SpanID(), valid: sc.IsValid(),
			hit: o.hit, usageModel: u.Model != "",
		})
	}
	return usageErr
}

// modelOf is the model of an operation, the one rule behind the statistics, the spans'
// gen_ai.response.model, the otelagent.* metrics and the report: the response model its usage
// named; for an agent without one, the response model its chats' usage named, when they all
// named the same; else the model it requested. response is the model that answered, "" when
// only the requested one is known.
func modelOf(usageModel string, isAgent bool, children rollup, requested string) (model, response string) {
	response = usageModel
	if response == "" && isAgent && !children.mixed {
		response = children.model
	}
	if response != "" {
		return response, response
	}
	return requested, ""
}

// endSpan sets the span's end attributes, ends it and returns its end time.
func (t *Tracer) endSpan(i *Invocation, outputs []Message, cc *completeConfig, o *outcome, usageErr error) time.Time {
	span := i.span
	if !span.IsRecording() {
		return endSpanNow(span)
	}
	buf := getSpanBuf()
	attrs := buf.attrs
	if o.responseModel != "" {
		attrs = append(attrs, semconv.GenAIResponseModel(o.responseModel))
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
		if i.op.isTool {
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
	buf.attrs = attrs
	putSpanBuf(buf)
	return endSpanNow(span)
}

func (t *Tracer) recordMetrics(i *Invocation, o *outcome, end time.Time) {
	ctx := i.ctx
	// An instrument that records nothing (no-op provider, or dropped by a view) is skipped
	// before its options are looked up.
	ins := &t.ins
	// The conventions' metrics name a response model only when it is known; the module's
	// counters fall back to the requested model (modelOf).
	respModel := o.responseModel
	saved, cost, costSaved := o.saved > 0 && ins.tokensSaved.Enabled(ctx), o.cost > 0 && ins.cost.Enabled(ctx),
		o.costSaved > 0 && ins.costSaved.Enabled(ctx)
	tokens := !o.spent.isZero() && ins.tokens.Enabled(ctx)
	duration := ins.duration.Enabled(ctx)
	usage := !o.hit && !o.spanUsage.isZero() && ins.tokenUsage.Enabled(ctx)
	invocations := ins.invocations.Enabled(ctx)
	var m *modelOpts
	if duration || usage || invocations || tokens || saved || cost || costSaved {
		m = i.profile.models(t, i, respModel, o.model, tokens, saved || cost || costSaved)
	}
	if duration {
		opts := m.duration
		if o.errType != "" {
			opts = t.sets.operation(i.op.name, i.provider, i.requestModel, respModel, o.errType)
		}
		ins.duration.Record(ctx, end.Sub(i.start).Seconds(), opts.rec...)
	}
	if usage {
		ins.tokenUsage.Record(ctx, o.spanUsage.prompt, m.usageIn.rec...)
		ins.tokenUsage.Record(ctx, o.spanUsage.completion, m.usageOut.rec...)
	}
	if invocations {
		opts := m.invocation
		switch {
		case o.errType != "":
			opts = t.sets.invocation(i.agentName, i.op.name, o.model, o.isAgent, o.hit, o.errType)
		case o.hit:
			opts = m.invHit
		}
		ins.invocations.Add(ctx, 1, opts.add...)
	}
	if ins.active.Enabled(ctx) {
		ins.active.Add(ctx, -1, i.profile.active.add...)
	}
	if tokens {
		for k, n := range [...]int64{o.spent.prompt, o.spent.completion, o.spent.cacheRead, o.spent.cacheCreation, o.spent.reasoning} {
			if n != 0 {
				ins.tokens.Add(ctx, n, m.tokens[k].add...)
			}
		}
	}
	if saved {
		ins.tokensSaved.Add(ctx, o.saved, m.agentModel.add...)
	}
	if cost {
		ins.cost.Add(ctx, o.cost, m.agentModel.add...)
	}
	if costSaved {
		ins.costSaved.Add(ctx, o.costSaved, m.agentModel.add...)
	}
}

func (t *Tracer) recordStats(i *Invocation, o *outcome, end time.Time) {
	s := &t.stats
	// Agent and model groups count the same invocations and the same tokens, so each
	// dimension adds up to the totals.
	latency := end.Sub(i.start)
	counts := o.counted || !o.spent.isZero() || o.saved > 0
	if counts || o.isAgent {
		g := i.agentGroup
		if g == nil {
			g = s.agents.get(i.agentName)
		}
		if o.isAgent {
			g.stripe(i.stripe).inFlight.Add(-1)
		}
		g.count(i.stripe, o, latency, false)
	}
	if i.modelGroup != nil {
		i.modelGroup.stripe(i.stripe).inFlight.Add(-1)
	}
	if counts {
		i.profile.statsModel(s, o.model).count(i.stripe, o, latency, true)
	}
	if o.unpriced && s.noteUnpriced(o.model) {
		warnUnpriced(o.model, t.prices.asOf)
	}
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
