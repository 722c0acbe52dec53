package otelagent

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/agenttrace/otelagent/semconv"
)

// The benchmarks below time one agent operation through otelagent and through rawSDK, a
// hand-written twin that calls the OpenTelemetry SDK directly to emit the same spans and metric
// points; TestRawSDKTwinMatches checks that both emit the same telemetry, so the ratio measures
// what otelagent adds (statistics, event log, bookkeeping) and nothing else. Both run against
// real SDK providers: every span is sampled and ended, then dropped by discardProcessor, and
// metrics aggregate in a ManualReader.

const (
	benchAgent         = "support"
	benchRequestModel  = "gpt-4o"
	benchResponseModel = "gpt-4o-2024-08-06"
	benchProvider      = "openai"
)

var (
	benchUsage = TokenUsage{PromptTokens: 1200, CompletionTokens: 300, CacheReadTokens: 800,
		CacheCreationTokens: 100, ReasoningTokens: 50, Model: benchResponseModel}
	benchPrice   = ModelPrice{Input: 2.5, Output: 10, CacheRead: 1.25, CacheWrite: 3.125}
	benchInputs  = []Message{{Role: "system", Content: "You are a helpful support agent. Answer briefly and cite the manual."}, {Role: "user", Content: "My order #1234 arrived damaged. Can I get a replacement?"}}
	benchOutputs = []Message{{Role: "assistant", Content: "I'm sorry about that. Yes: reply with a photo of the damage and we will ship a replacement today."}}
)

// discardProcessor drops every span: the SDK still builds and ends them, nothing is kept.
type discardProcessor struct{}

func (discardProcessor) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (discardProcessor) OnEnd(sdktrace.ReadOnlySpan)                     {}
func (discardProcessor) Shutdown(context.Context) error                  { return nil }
func (discardProcessor) ForceFlush(context.Context) error                { return nil }

// benchProviders returns SDK providers that sample everything and keep nothing but the metric
// aggregation.
func benchProviders(tb testing.TB, sp sdktrace.SpanProcessor) (*sdktrace.TracerProvider, *sdkmetric.MeterProvider, *sdkmetric.ManualReader) {
	tb.Helper()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()), sdktrace.WithSpanProcessor(sp))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	tb.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	return tp, mp, reader
}

func newBenchTracer(tp trace.TracerProvider, mp metric.MeterProvider, capture bool) *Tracer {
	return New(WithTracerProvider(tp), WithMeterProvider(mp), WithProviderName(benchProvider),
		WithPricing(Pricing{benchRequestModel: benchPrice}), WithContentCapture(capture))
}

// rawSDK is what an application would write by hand to emit otelagent's telemetry with the
// OpenTelemetry SDK: the same span names, kinds and attributes, the same instruments, points
// and attribute sets, and the same cost arithmetic. It keeps no statistics and no event log.
//
// By default it passes metric attributes the idiomatic way, metric.WithAttributes, which builds
// (sorts, allocates) an attribute set per point. With prebuilt sets (newRawSDK's prebuilt) it
// looks every set up in a map filled at construction, the cheapest a hand-written version can
// be when it knows its agents and models in advance.
type rawSDK struct {
	sets        map[rawSetKey]attribute.Set // nil: metric.WithAttributes per point
	tracer      trace.Tracer
	provider    attribute.KeyValue
	prices      map[string]rawPrice
	capture     bool
	tokenUsage  metric.Int64Histogram
	duration    metric.Float64Histogram
	invocations metric.Int64Counter
	tokens      metric.Int64Counter
	tokensSaved metric.Int64Counter
	cost        metric.Float64Counter
	costSaved   metric.Float64Counter
	active      metric.Int64UpDownCounter
}

type rawPrice struct{ input, output, cacheRead, cacheWrite float64 }

func (p rawPrice) cost(u TokenUsage) float64 {
	uncached := u.PromptTokens - u.CacheReadTokens - u.CacheCreationTokens
	return (float64(uncached)*p.input + float64(u.CacheReadTokens)*p.cacheRead +
		float64(u.CacheCreationTokens)*p.cacheWrite + float64(u.CompletionTokens)*p.output) / 1e6
}

// rawSetKey identifies a metric attribute set of rawSDK.
type rawSetKey struct {
	inst       byte
	op, model  string
	typ        string // gen_ai.token.type or otelagent.token.type
	hit, agent bool
}

const (
	rawDuration byte = iota
	rawTokenUsage
	rawInvocations
	rawActive
	rawTokens
	rawAgentModel
)

// opt returns the measurement option of the set k, whose attributes are kvs.
func (r *rawSDK) opt(k rawSetKey, kvs ...attribute.KeyValue) metric.MeasurementOption {
	if r.sets != nil {
		return metric.WithAttributeSet(r.sets[k])
	}
	return metric.WithAttributes(kvs...)
}

// prebuild fills r.sets with every set the benchmark cases use.
func (r *rawSDK) prebuild() {
	r.sets = make(map[rawSetKey]attribute.Set)
	add := func(k rawSetKey, kvs ...attribute.KeyValue) { r.sets[k] = attribute.NewSet(kvs...) }
	agentKV := semconv.GenAIAgentName(benchAgent)
	for _, op := range []string{semconv.OperationInvokeAgent, semconv.OperationChat} {
		opKV := semconv.GenAIOperationName(op)
		add(rawSetKey{inst: rawActive, op: op}, agentKV, opKV)
		for _, model := range []string{benchRequestModel, benchResponseModel} {
			modelKV := semconv.GenAIResponseModel(model)
			add(rawSetKey{inst: rawInvocations, op: op, model: model}, agentKV, opKV, modelKV)
			add(rawSetKey{inst: rawInvocations, op: op, model: model, agent: true}, agentKV, opKV, modelKV, semconv.CacheHit(false))
			add(rawSetKey{inst: rawInvocations, op: op, model: model, agent: true, hit: true}, agentKV, opKV, modelKV, semconv.CacheHit(true))
		}
		for _, model := range []string{"", benchResponseModel} {
			genAI := []attribute.KeyValue{opKV, r.provider, semconv.GenAIRequestModel(benchRequestModel)}
			if model != "" {
				genAI = append(genAI, semconv.GenAIResponseModel(model))
			}
			add(rawSetKey{inst: rawDuration, op: op, model: model}, genAI...)
			for _, typ := range []string{semconv.TokenTypeInput, semconv.TokenTypeOutput} {
				add(rawSetKey{inst: rawTokenUsage, op: op, model: model, typ: typ}, append(genAI, semconv.GenAITokenType(typ))...)
			}
		}
	}
	modelKV := semconv.GenAIResponseModel(benchResponseModel)
	add(rawSetKey{inst: rawAgentModel, model: benchResponseModel}, agentKV, modelKV)
	for _, kind := range []string{semconv.TokenKindInput, semconv.TokenKindOutput, semconv.TokenKindCacheRead,
		semconv.TokenKindCacheCreation, semconv.TokenKindReasoning} {
		add(rawSetKey{inst: rawTokens, model: benchResponseModel, typ: kind}, agentKV, modelKV, semconv.TokenKind(kind))
	}
}

func newRawSDK(tb testing.TB, tp trace.TracerProvider, mp metric.MeterProvider, capture, prebuilt bool) *rawSDK {
	tb.Helper()
	m := mp.Meter("example.com/rawagent")
	r := &rawSDK{
		tracer:   tp.Tracer("example.com/rawagent"),
		provider: semconv.GenAIProviderName(benchProvider),
		prices: map[string]rawPrice{benchResponseModel: {benchPrice.Input, benchPrice.Output,
			benchPrice.CacheRead, benchPrice.CacheWrite}},
		capture: capture,
	}
	var errs [8]error
	r.tokenUsage, errs[0] = m.Int64Histogram(semconv.GenAIClientTokenUsageName, metric.WithUnit(semconv.GenAIClientTokenUsageUnit),
		metric.WithExplicitBucketBoundaries(semconv.TokenUsageBuckets()...))
	r.duration, errs[1] = m.Float64Histogram(semconv.GenAIClientOperationDurationName, metric.WithUnit(semconv.GenAIClientOperationDurationUnit),
		metric.WithExplicitBucketBoundaries(semconv.DurationBuckets()...))
	r.invocations, errs[2] = m.Int64Counter(semconv.InvocationsName, metric.WithUnit(semconv.InvocationsUnit))
	r.tokens, errs[3] = m.Int64Counter(semconv.TokensName, metric.WithUnit(semconv.TokensUnit))
	r.tokensSaved, errs[4] = m.Int64Counter(semconv.CacheTokensSavedName, metric.WithUnit(semconv.CacheTokensSavedUnit))
	r.cost, errs[5] = m.Float64Counter(semconv.CostName, metric.WithUnit(semconv.CostUnit))
	r.costSaved, errs[6] = m.Float64Counter(semconv.CostSavedName, metric.WithUnit(semconv.CostUnit))
	r.active, errs[7] = m.Int64UpDownCounter(semconv.InvocationsActiveName, metric.WithUnit(semconv.InvocationsActiveUnit))
	for _, err := range errs {
		require.NoError(tb, err)
	}
	if prebuilt {
		r.prebuild()
	}
	return r
}

// rawOp is one open operation of rawSDK.
type rawOp struct {
	span                 trace.Span
	start                time.Time
	op, agent, reqModel  string
	parent               *rawOp // the enclosing agent of a chat call
	childUsage           TokenUsage
	childCost, childSave float64
	childPriced          bool
	childModel           string
}

type rawPart struct {
	Type    string `json:"type"`
	Content string `json:"content"`
}

type rawMessage struct {
	Role         string    `json:"role"`
	Parts        []rawPart `json:"parts"`
	FinishReason string    `json:"finish_reason,omitempty"`
}

func rawMessagesJSON(msgs []Message, output bool) string {
	out := make([]rawMessage, len(msgs))
	for i, m := range msgs {
		out[i] = rawMessage{Role: m.Role, Parts: []rawPart{{Type: "text", Content: m.Content}}}
		if output {
			out[i].FinishReason = "stop"
		}
	}
	b, _ := json.Marshal(out)
	return string(b)
}

func (r *rawSDK) start(ctx context.Context, parent *rawOp, op, agent, reqModel string, inputs []Message) (context.Context, *rawOp) {
	attrs := []attribute.KeyValue{semconv.GenAIOperationName(op), r.provider}
	kind, name := trace.SpanKindInternal, op+" "+agent
	if op == semconv.OperationChat {
		kind, name = trace.SpanKindClient, op+" "+reqModel
	} else {
		attrs = append(attrs, semconv.GenAIAgentName(agent))
	}
	attrs = append(attrs, semconv.GenAIRequestModel(reqModel))
	if r.capture && len(inputs) > 0 {
		attrs = append(attrs, semconv.GenAIInputMessagesKey.String(rawMessagesJSON(inputs, false)))
	}
	o := &rawOp{op: op, agent: agent, reqModel: reqModel, parent: parent, start: time.Now()}
	ctx, o.span = r.tracer.Start(ctx, name, trace.WithSpanKind(kind), trace.WithTimestamp(o.start), trace.WithAttributes(attrs...))
	r.active.Add(ctx, 1, r.opt(rawSetKey{inst: rawActive, op: op}, semconv.GenAIAgentName(agent), semconv.GenAIOperationName(op)))
	return ctx, o
}

// end completes o with its own usage u (a response-cache hit when hit), or, when u is zero,
// with what its chat children reported.
func (r *rawSDK) end(ctx context.Context, o *rawOp, outputs []Message, u TokenUsage, hit bool) {
	end := time.Now()
	isAgent := o.op == semconv.OperationInvokeAgent
	respModel := u.Model
	if respModel == "" && isAgent {
		respModel = o.childModel // the model its chats answered with
	}
	model := respModel
	if model == "" {
		model = o.reqModel
	}
	price, priced := r.prices[model]
	var (
		spanUsage             TokenUsage
		spent                 bool
		saved                 int64
		cost, costSaved       float64
		spanCost, spanSavedUS float64
		spanPriced            bool
	)
	switch {
	case hit:
		saved = u.Total()
		if priced {
			costSaved = price.cost(u)
		}
		spanSavedUS, spanPriced = costSaved, priced
	case u != TokenUsage{}:
		spanUsage, spent = u, true
		if priced {
			cost = price.cost(u)
			costSaved = float64(u.CacheReadTokens) * (price.input - price.cacheRead) / 1e6
		}
		spanCost, spanSavedUS, spanPriced = cost, costSaved, priced
	default:
		spanUsage = o.childUsage
		spanCost, spanSavedUS, spanPriced = o.childCost, o.childSave, o.childPriced
	}

	attrs := make([]attribute.KeyValue, 0, 16)
	if respModel != "" {
		attrs = append(attrs, semconv.GenAIResponseModel(respModel))
	}
	if spanUsage != (TokenUsage{}) {
		attrs = append(attrs,
			semconv.GenAIUsageInputTokensKey.Int64(spanUsage.PromptTokens),
			semconv.GenAIUsageOutputTokensKey.Int64(spanUsage.CompletionTokens),
			semconv.GenAIUsageCacheReadInputTokensKey.Int64(spanUsage.CacheReadTokens),
			semconv.GenAIUsageCacheCreationInputTokensKey.Int64(spanUsage.CacheCreationTokens),
			semconv.GenAIUsageReasoningOutputTokensKey.Int64(spanUsage.ReasoningTokens),
			semconv.UsageTotalTokensKey.Int64(spanUsage.Total()))
	}
	if isAgent {
		attrs = append(attrs, semconv.CacheHit(hit))
	}
	if saved > 0 {
		attrs = append(attrs, semconv.CacheTokensSavedKey.Int64(saved))
	}
	if spanPriced {
		attrs = append(attrs, semconv.CostUSDKey.Float64(spanCost), semconv.CostSavedUSDKey.Float64(spanSavedUS))
	}
	if r.capture && len(outputs) > 0 {
		attrs = append(attrs, semconv.GenAIOutputMessagesKey.String(rawMessagesJSON(outputs, true)))
	}
	o.span.SetAttributes(attrs...)
	o.span.End(trace.WithTimestamp(end))

	// The conventions' metrics name the response model only when the usage did.
	genAI := []attribute.KeyValue{semconv.GenAIOperationName(o.op), r.provider, semconv.GenAIRequestModel(o.reqModel)}
	if respModel != "" {
		genAI = append(genAI, semconv.GenAIResponseModel(respModel))
	}
	r.duration.Record(ctx, end.Sub(o.start).Seconds(), r.opt(rawSetKey{inst: rawDuration, op: o.op, model: respModel}, genAI...))
	if !hit && spanUsage != (TokenUsage{}) {
		r.tokenUsage.Record(ctx, spanUsage.PromptTokens, r.opt(rawSetKey{inst: rawTokenUsage, op: o.op, model: respModel, typ: semconv.TokenTypeInput},
			append(genAI, semconv.GenAITokenType(semconv.TokenTypeInput))...))
		r.tokenUsage.Record(ctx, spanUsage.CompletionTokens, r.opt(rawSetKey{inst: rawTokenUsage, op: o.op, model: respModel, typ: semconv.TokenTypeOutput},
			append(genAI, semconv.GenAITokenType(semconv.TokenTypeOutput))...))
	}
	if isAgent {
		r.invocations.Add(ctx, 1, r.opt(rawSetKey{inst: rawInvocations, op: o.op, model: model, agent: true, hit: hit},
			semconv.GenAIAgentName(o.agent), semconv.GenAIOperationName(o.op), semconv.GenAIResponseModel(model), semconv.CacheHit(hit)))
	} else {
		r.invocations.Add(ctx, 1, r.opt(rawSetKey{inst: rawInvocations, op: o.op, model: model},
			semconv.GenAIAgentName(o.agent), semconv.GenAIOperationName(o.op), semconv.GenAIResponseModel(model)))
	}
	r.active.Add(ctx, -1, r.opt(rawSetKey{inst: rawActive, op: o.op}, semconv.GenAIAgentName(o.agent), semconv.GenAIOperationName(o.op)))
	if spent {
		for _, k := range []struct {
			kind string
			n    int64
		}{
			{semconv.TokenKindInput, u.PromptTokens},
			{semconv.TokenKindOutput, u.CompletionTokens},
			{semconv.TokenKindCacheRead, u.CacheReadTokens},
			{semconv.TokenKindCacheCreation, u.CacheCreationTokens},
			{semconv.TokenKindReasoning, u.ReasoningTokens},
		} {
			if k.n != 0 {
				r.tokens.Add(ctx, k.n, r.opt(rawSetKey{inst: rawTokens, model: model, typ: k.kind},
					semconv.GenAIAgentName(o.agent), semconv.GenAIResponseModel(model), semconv.TokenKind(k.kind)))
			}
		}
	}
	if saved > 0 || cost > 0 || costSaved > 0 {
		set := r.opt(rawSetKey{inst: rawAgentModel, model: model}, semconv.GenAIAgentName(o.agent), semconv.GenAIResponseModel(model))
		if saved > 0 {
			r.tokensSaved.Add(ctx, saved, set)
		}
		if cost > 0 {
			r.cost.Add(ctx, cost, set)
		}
		if costSaved > 0 {
			r.costSaved.Add(ctx, costSaved, set)
		}
	}
	if p := o.parent; p != nil && o.op == semconv.OperationChat {
		p.childUsage = TokenUsage{
			PromptTokens:        p.childUsage.PromptTokens + spanUsage.PromptTokens,
			CompletionTokens:    p.childUsage.CompletionTokens + spanUsage.CompletionTokens,
			CacheReadTokens:     p.childUsage.CacheReadTokens + spanUsage.CacheReadTokens,
			CacheCreationTokens: p.childUsage.CacheCreationTokens + spanUsage.CacheCreationTokens,
			ReasoningTokens:     p.childUsage.ReasoningTokens + spanUsage.ReasoningTokens,
		}
		p.childCost += spanCost
		p.childSave += spanSavedUS
		p.childPriced = p.childPriced || spanPriced
		if respModel != "" {
			p.childModel = respModel
		}
	}
}

// benchCase is one operation done the otelagent way and the raw SDK way.
type benchCase struct {
	name      string
	capture   bool
	otelagent func(ctx context.Context, t *Tracer) error
	rawSDK    func(ctx context.Context, r *rawSDK)
}

func invokeOnly(hit, withContent bool) (func(context.Context, *Tracer) error, func(context.Context, *rawSDK)) {
	var inputs, outputs []Message
	if withContent {
		inputs, outputs = benchInputs, benchOutputs
	}
	return func(ctx context.Context, t *Tracer) error {
			_, inv := t.Invoke(ctx, benchAgent, inputs, WithRequestModel(benchRequestModel))
			return inv.Complete(outputs, WithUsage(benchUsage), WithCacheHit(hit))
		}, func(ctx context.Context, r *rawSDK) {
			ctx, op := r.start(ctx, nil, semconv.OperationInvokeAgent, benchAgent, benchRequestModel, inputs)
			r.end(ctx, op, outputs, benchUsage, hit)
		}
}

func benchCases() []benchCase {
	miss, missRaw := invokeOnly(false, false)
	hit, hitRaw := invokeOnly(true, false)
	content, contentRaw := invokeOnly(false, true)
	return []benchCase{
		{name: "miss", otelagent: miss, rawSDK: missRaw},
		{name: "hit", otelagent: hit, rawSDK: hitRaw},
		{
			name: "chat",
			otelagent: func(ctx context.Context, t *Tracer) error {
				ctx, agent := t.Invoke(ctx, benchAgent, nil, WithRequestModel(benchRequestModel))
				_, chat := t.StartChat(ctx, benchRequestModel)
				if err := chat.Complete(nil, WithUsage(benchUsage)); err != nil {
					return err
				}
				return agent.Complete(nil)
			},
			rawSDK: func(ctx context.Context, r *rawSDK) {
				ctx, agent := r.start(ctx, nil, semconv.OperationInvokeAgent, benchAgent, benchRequestModel, nil)
				chatCtx, chat := r.start(ctx, agent, semconv.OperationChat, benchAgent, benchRequestModel, nil)
				r.end(chatCtx, chat, nil, benchUsage, false)
				r.end(ctx, agent, nil, TokenUsage{}, false)
			},
		},
		{name: "content", capture: true, otelagent: content, rawSDK: contentRaw},
	}
}

// rawImpls are the two raw-SDK twins: attribute sets built per point, and prebuilt.
var rawImpls = []struct {
	name     string
	prebuilt bool
}{{"rawSDK", false}, {"rawSDKprebuilt", true}}

func BenchmarkInvokeComplete(b *testing.B) {
	for _, c := range benchCases() {
		// rawSDK first: benchstat compares each column with the first.
		for _, impl := range rawImpls {
			b.Run("case="+c.name+"/impl="+impl.name, func(b *testing.B) {
				tp, mp, _ := benchProviders(b, discardProcessor{})
				r := newRawSDK(b, tp, mp, c.capture, impl.prebuilt)
				ctx := context.Background()
				b.ReportAllocs()
				for b.Loop() {
					c.rawSDK(ctx, r)
				}
			})
		}
		b.Run("case="+c.name+"/impl=otelagent", func(b *testing.B) {
			tp, mp, _ := benchProviders(b, discardProcessor{})
			t := newBenchTracer(tp, mp, c.capture)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if err := c.otelagent(ctx, t); err != nil {
					b.Fatal(err)
				}
			}
		})
	}

	// Many goroutines completing invocations of one Tracer (or one raw SDK setup) at once.
	miss, missRaw := invokeOnly(false, false)
	for _, impl := range rawImpls {
		b.Run("case=parallel/impl="+impl.name, func(b *testing.B) {
			tp, mp, _ := benchProviders(b, discardProcessor{})
			r := newRawSDK(b, tp, mp, false, impl.prebuilt)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				ctx := context.Background()
				for pb.Next() {
					missRaw(ctx, r)
				}
			})
		})
	}
	b.Run("case=parallel/impl=otelagent", func(b *testing.B) {
		tp, mp, _ := benchProviders(b, discardProcessor{})
		t := newBenchTracer(tp, mp, false)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			ctx := context.Background()
			for pb.Next() {
				if err := miss(ctx, t); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// loadedTracer returns a Tracer that has completed invocations of 4 agents and 3 models, hits
// and misses, with and without chat children.
func loadedTracer(tb testing.TB) *Tracer {
	tb.Helper()
	tp, mp, _ := benchProviders(tb, discardProcessor{})
	t := newBenchTracer(tp, mp, false)
	ctx := context.Background()
	for i := range 1200 {
		agent := fmt.Sprintf("agent-%d", i%4)
		model := []string{"gpt-4o", "gpt-4o-mini", "claude-sonnet-4"}[i%3]
		u := benchUsage
		u.Model = model
		ctx, inv := t.Invoke(ctx, agent, nil, WithRequestModel(model))
		if i%5 == 0 {
			_, chat := t.StartChat(ctx, model)
			require.NoError(tb, chat.Complete(nil, WithUsage(u)))
			require.NoError(tb, inv.Complete(nil))
			continue
		}
		require.NoError(tb, inv.Complete(nil, WithUsage(u), WithCacheHit(i%3 == 0)))
	}
	return t
}

func BenchmarkCacheStatistics(b *testing.B) {
	t := loadedTracer(b)
	b.ReportAllocs()
	var cs CacheStatistics
	for b.Loop() {
		cs = t.CacheStatistics()
	}
	if cs.Hits == 0 || cs.Misses == 0 {
		b.Fatalf("statistics of the loaded tracer are empty: %+v", cs)
	}
}

func BenchmarkStats(b *testing.B) {
	t := loadedTracer(b)
	b.ReportAllocs()
	var s Stats
	for b.Loop() {
		s = t.Stats()
	}
	if len(s.Agents) != 4 || len(s.Models) != 3 {
		b.Fatalf("stats of the loaded tracer: %d agents, %d models; want 4 and 3", len(s.Agents), len(s.Models))
	}
}

// TestRawSDKTwinMatches checks that the raw-SDK twins of each benchmark case, and the floor of
// each floor case, emit exactly the spans and metric points otelagent does, so that the
// benchmarks compare equal work.
func TestRawSDKTwinMatches(t *testing.T) {
	for _, c := range benchCases() {
		for _, impl := range rawImpls {
			t.Run(c.name+"/"+impl.name, func(t *testing.T) {
				recA := tracetest.NewSpanRecorder()
				tpA, mpA, readerA := benchProviders(t, recA)
				tr := newBenchTracer(tpA, mpA, c.capture)
				recB := tracetest.NewSpanRecorder()
				tpB, mpB, readerB := benchProviders(t, recB)
				raw := newRawSDK(t, tpB, mpB, c.capture, impl.prebuilt)

				for range 2 {
					require.NoError(t, c.otelagent(t.Context(), tr))
					c.rawSDK(t.Context(), raw)
				}

				gotSpans, wantSpans := spanDigest(recB.Ended()), spanDigest(recA.Ended())
				require.NotEmpty(t, wantSpans)
				assert.Equal(t, wantSpans, gotSpans, "spans")
				gotPoints, wantPoints := pointDigest(t, readerB), pointDigest(t, readerA)
				require.NotEmpty(t, wantPoints)
				assert.Equal(t, wantPoints, gotPoints, "metric points")
			})
		}
	}
	for _, c := range floorCases() {
		t.Run(c.name+"/floor", func(t *testing.T) { checkFloorTwin(t, c) })
	}
}

// spanDigest renders spans as sorted "name kind parent? attrs" lines.
func spanDigest(spans []sdktrace.ReadOnlySpan) []string {
	out := make([]string, 0, len(spans))
	for _, s := range spans {
		set := attribute.NewSet(s.Attributes()...)
		out = append(out, fmt.Sprintf("%s %s child=%v status=%v %s", s.Name(), s.SpanKind(), s.Parent().IsValid(),
			s.Status().Code, set.Encoded(attribute.DefaultEncoder())))
	}
	sort.Strings(out)
	return out
}

// pointDigest renders every metric point as a sorted "name unit attrs value" line; histogram
// points show their count, their sum when it is not a duration, and their bounds.
func pointDigest(t *testing.T, reader *sdkmetric.ManualReader) []string {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(t.Context(), &rm))
	var out []string
	enc := attribute.DefaultEncoder()
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			prefix := m.Name + " " + m.Unit + " "
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					out = append(out, fmt.Sprintf("%s%s sum=%d mono=%v", prefix, p.Attributes.Encoded(enc), p.Value, d.IsMonotonic))
				}
			case metricdata.Sum[float64]:
				for _, p := range d.DataPoints {
					out = append(out, fmt.Sprintf("%s%s sum=%.9f mono=%v", prefix, p.Attributes.Encoded(enc), p.Value, d.IsMonotonic))
				}
			case metricdata.Histogram[int64]:
				for _, p := range d.DataPoints {
					out = append(out, fmt.Sprintf("%s%s count=%d sum=%d bounds=%v", prefix, p.Attributes.Encoded(enc), p.Count, p.Sum, p.Bounds))
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					out = append(out, fmt.Sprintf("%s%s count=%d bounds=%v", prefix, p.Attributes.Encoded(enc), p.Count, p.Bounds))
				}
			default:
				t.Fatalf("metric %s: unexpected data %T", m.Name, m.Data)
			}
		}
	}
	sort.Strings(out)
	return out
}

// The floor: the cheapest hand-written SDK code that emits what otelagent emits for one agent
// and one model with no pricing. Every metric attribute set is built once into a field, as the
// ready option slice of metric.WithAttributeSet, so is every span start attribute list, and end
// attributes are built only when the span is recording. Both sides export spans through a
// blocking batch processor to an exporter that counts them; TestRawSDKTwinMatches keeps the two
// equal.

var (
	benchFinishReasons = []string{"stop"}
	benchAttrs         = []attribute.KeyValue{attribute.String("app.tenant", "acme")}
)

// countingExporter counts the spans it is given and keeps nothing.
type countingExporter struct{ n atomic.Int64 }

func (e *countingExporter) ExportSpans(_ context.Context, spans []sdktrace.ReadOnlySpan) error {
	e.n.Add(int64(len(spans)))
	return nil
}

func (e *countingExporter) Shutdown(context.Context) error { return nil }

// batchProviders returns SDK providers that sample everything, export spans through a blocking
// batch processor with a queue of 65,536 to exp, and aggregate metrics in a ManualReader.
func batchProviders(tb testing.TB, exp sdktrace.SpanExporter) (*sdktrace.TracerProvider, *sdkmetric.MeterProvider, *sdkmetric.ManualReader) {
	tb.Helper()
	bsp := sdktrace.NewBatchSpanProcessor(exp, sdktrace.WithBlocking(), sdktrace.WithMaxQueueSize(65536))
	return benchProviders(tb, bsp)
}

// floorProviders returns the providers of one floor benchmark: SDK ones as batchProviders, or
// the API's no-op ones, as OTEL_SDK_DISABLED installs.
func floorProviders(tb testing.TB, noop bool) (trace.TracerProvider, metric.MeterProvider) {
	tb.Helper()
	if noop {
		return tracenoop.NewTracerProvider(), metricnoop.NewMeterProvider()
	}
	tp, mp, _ := batchProviders(tb, new(countingExporter))
	return tp, mp
}

// newFloorTracer is the Tracer the floor is compared with: no pricing, statistics and the
// event log on as by default.
func newFloorTracer(tp trace.TracerProvider, mp metric.MeterProvider) *Tracer {
	return New(WithTracerProvider(tp), WithMeterProvider(mp), WithProviderName(benchProvider), WithDefaultPricing(false))
}

type floorSDK struct {
	tracer      trace.Tracer
	tokenUsage  metric.Int64Histogram
	duration    metric.Float64Histogram
	invocations metric.Int64Counter
	tokens      metric.Int64Counter
	tokensSaved metric.Int64Counter
	active      metric.Int64UpDownCounter

	agentSpan, chatSpan   string
	agentStart, chatStart []attribute.KeyValue

	activeAgent, activeChat            floorSet
	invMiss, invHit, invChat           floorSet
	durAgent, durChat                  floorSet
	inAgent, outAgent, inChat, outChat floorSet
	tokInput, tokOutput, tokCacheRead  floorSet
	tokCacheCreation, tokReasoning     floorSet
	agentModel                         floorSet
}

// floorSet is one attribute set as ready option slices, so that a point neither boxes an
// option nor allocates a variadic slice.
type floorSet struct {
	add []metric.AddOption
	rec []metric.RecordOption
}

func newFloorSet(kvs ...attribute.KeyValue) floorSet {
	opt := metric.WithAttributeSet(attribute.NewSet(kvs...))
	return floorSet{add: []metric.AddOption{opt}, rec: []metric.RecordOption{opt}}
}

func newFloorSDK(tb testing.TB, tp trace.TracerProvider, mp metric.MeterProvider) *floorSDK {
	tb.Helper()
	m := mp.Meter("example.com/floor")
	f := &floorSDK{tracer: tp.Tracer("example.com/floor")}
	var errs [6]error
	f.tokenUsage, errs[0] = m.Int64Histogram(semconv.GenAIClientTokenUsageName, metric.WithUnit(semconv.GenAIClientTokenUsageUnit),
		metric.WithExplicitBucketBoundaries(semconv.TokenUsageBuckets()...))
	f.duration, errs[1] = m.Float64Histogram(semconv.GenAIClientOperationDurationName, metric.WithUnit(semconv.GenAIClientOperationDurationUnit),
		metric.WithExplicitBucketBoundaries(semconv.DurationBuckets()...))
	f.invocations, errs[2] = m.Int64Counter(semconv.InvocationsName, metric.WithUnit(semconv.InvocationsUnit))
	f.tokens, errs[3] = m.Int64Counter(semconv.TokensName, metric.WithUnit(semconv.TokensUnit))
	f.tokensSaved, errs[4] = m.Int64Counter(semconv.CacheTokensSavedName, metric.WithUnit(semconv.CacheTokensSavedUnit))
	f.active, errs[5] = m.Int64UpDownCounter(semconv.InvocationsActiveName, metric.WithUnit(semconv.InvocationsActiveUnit))
	for _, err := range errs {
		require.NoError(tb, err)
	}

	agent, provider := semconv.GenAIAgentName(benchAgent), semconv.GenAIProviderName(benchProvider)
	invoke, chat := semconv.GenAIOperationName(semconv.OperationInvokeAgent), semconv.GenAIOperationName(semconv.OperationChat)
	reqModel, respModel := semconv.GenAIRequestModel(benchRequestModel), semconv.GenAIResponseModel(benchResponseModel)
	in, out := semconv.GenAITokenType(semconv.TokenTypeInput), semconv.GenAITokenType(semconv.TokenTypeOutput)
	set := newFloorSet

	f.agentSpan, f.chatSpan = semconv.OperationInvokeAgent+" "+benchAgent, semconv.OperationChat+" "+benchRequestModel
	f.agentStart = []attribute.KeyValue{invoke, provider, agent, reqModel}
	f.chatStart = []attribute.KeyValue{chat, provider, reqModel}
	f.activeAgent, f.activeChat = set(agent, invoke), set(agent, chat)
	f.invMiss, f.invHit = set(agent, invoke, respModel, semconv.CacheHit(false)), set(agent, invoke, respModel, semconv.CacheHit(true))
	f.invChat = set(agent, chat, respModel)
	f.durAgent, f.durChat = set(invoke, provider, reqModel, respModel), set(chat, provider, reqModel, respModel)
	f.inAgent, f.outAgent = set(invoke, provider, reqModel, respModel, in), set(invoke, provider, reqModel, respModel, out)
	f.inChat, f.outChat = set(chat, provider, reqModel, respModel, in), set(chat, provider, reqModel, respModel, out)
	kind := func(k string) floorSet { return set(agent, respModel, semconv.TokenKind(k)) }
	f.tokInput, f.tokOutput, f.tokCacheRead = kind(semconv.TokenKindInput), kind(semconv.TokenKindOutput), kind(semconv.TokenKindCacheRead)
	f.tokCacheCreation, f.tokReasoning = kind(semconv.TokenKindCacheCreation), kind(semconv.TokenKindReasoning)
	f.agentModel = set(agent, respModel)
	return f
}

// floorOp is one open operation of the floor.
type floorOp struct {
	span     trace.Span
	start    time.Time
	children TokenUsage // usage of an agent's chat calls
}

func (f *floorSDK) startAgent(ctx context.Context) (context.Context, floorOp) {
	o := floorOp{start: time.Now()}
	ctx, o.span = f.tracer.Start(ctx, f.agentSpan, trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithTimestamp(o.start), trace.WithAttributes(f.agentStart...))
	f.active.Add(ctx, 1, f.activeAgent.add...)
	return ctx, o
}

func (f *floorSDK) startChat(ctx context.Context) (context.Context, floorOp) {
	o := floorOp{start: time.Now()}
	ctx, o.span = f.tracer.Start(ctx, f.chatSpan, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithTimestamp(o.start), trace.WithAttributes(f.chatStart...))
	f.active.Add(ctx, 1, f.activeChat.add...)
	return ctx, o
}

// usageAttrs are the span attributes of usage u.
func usageAttrs(u TokenUsage) [6]attribute.KeyValue {
	return [6]attribute.KeyValue{
		semconv.GenAIUsageInputTokensKey.Int64(u.PromptTokens),
		semconv.GenAIUsageOutputTokensKey.Int64(u.CompletionTokens),
		semconv.GenAIUsageCacheReadInputTokensKey.Int64(u.CacheReadTokens),
		semconv.GenAIUsageCacheCreationInputTokensKey.Int64(u.CacheCreationTokens),
		semconv.GenAIUsageReasoningOutputTokensKey.Int64(u.ReasoningTokens),
		semconv.UsageTotalTokensKey.Int64(u.Total()),
	}
}

// addTokens records u on otelagent.tokens, one point per non-zero kind.
func (f *floorSDK) addTokens(ctx context.Context, u TokenUsage) {
	for _, k := range [...]struct {
		n   int64
		set *floorSet
	}{{u.PromptTokens, &f.tokInput}, {u.CompletionTokens, &f.tokOutput}, {u.CacheReadTokens, &f.tokCacheRead},
		{u.CacheCreationTokens, &f.tokCacheCreation}, {u.ReasoningTokens, &f.tokReasoning}} {
		if k.n != 0 {
			f.tokens.Add(ctx, k.n, k.set.add...)
		}
	}
}

// endAgent completes an agent invocation answered by the model (usage u) or by the response
// cache (hit).
func (f *floorSDK) endAgent(ctx context.Context, o *floorOp, u TokenUsage, reasons []string, hit bool) {
	end := time.Now()
	if o.span.IsRecording() {
		var a [10]attribute.KeyValue
		attrs := append(a[:0], semconv.GenAIResponseModel(u.Model))
		if !hit {
			ua := usageAttrs(u)
			attrs = append(attrs, ua[:]...)
		}
		attrs = append(attrs, semconv.CacheHit(hit))
		if hit {
			attrs = append(attrs, semconv.CacheTokensSavedKey.Int64(u.Total()))
		}
		attrs = append(attrs, semconv.GenAIResponseFinishReasonsKey.StringSlice(reasons))
		o.span.SetAttributes(attrs...)
	}
	o.span.End(trace.WithTimestamp(end))
	f.duration.Record(ctx, end.Sub(o.start).Seconds(), f.durAgent.rec...)
	if hit {
		f.invocations.Add(ctx, 1, f.invHit.add...)
		f.active.Add(ctx, -1, f.activeAgent.add...)
		f.tokensSaved.Add(ctx, u.Total(), f.agentModel.add...)
		return
	}
	f.tokenUsage.Record(ctx, u.PromptTokens, f.inAgent.rec...)
	f.tokenUsage.Record(ctx, u.CompletionTokens, f.outAgent.rec...)
	f.invocations.Add(ctx, 1, f.invMiss.add...)
	f.active.Add(ctx, -1, f.activeAgent.add...)
	f.addTokens(ctx, u)
}

// endChat completes a chat call with usage u and adds u to its agent's children.
func (f *floorSDK) endChat(ctx context.Context, o, agent *floorOp, u TokenUsage, reasons []string) {
	end := time.Now()
	if o.span.IsRecording() {
		ua := usageAttrs(u)
		var a [8]attribute.KeyValue
		attrs := append(append(a[:0], semconv.GenAIResponseModel(u.Model)), ua[:]...)
		attrs = append(attrs, semconv.GenAIResponseFinishReasonsKey.StringSlice(reasons))
		o.span.SetAttributes(attrs...)
	}
	o.span.End(trace.WithTimestamp(end))
	f.duration.Record(ctx, end.Sub(o.start).Seconds(), f.durChat.rec...)
	f.tokenUsage.Record(ctx, u.PromptTokens, f.inChat.rec...)
	f.tokenUsage.Record(ctx, u.CompletionTokens, f.outChat.rec...)
	f.invocations.Add(ctx, 1, f.invChat.add...)
	f.active.Add(ctx, -1, f.activeChat.add...)
	f.addTokens(ctx, u)
	agent.children = u
}

// endRollup completes an agent invocation whose usage came from its chat calls: the span shows
// their sum and the model they answered with (the agent's model), the tokens were counted at
// the chats.
func (f *floorSDK) endRollup(ctx context.Context, o *floorOp) {
	end := time.Now()
	u := o.children
	if o.span.IsRecording() {
		ua := usageAttrs(u)
		var a [8]attribute.KeyValue
		attrs := append(append(a[:0], semconv.GenAIResponseModel(u.Model)), ua[:]...)
		attrs = append(attrs, semconv.CacheHit(false))
		o.span.SetAttributes(attrs...)
	}
	o.span.End(trace.WithTimestamp(end))
	f.duration.Record(ctx, end.Sub(o.start).Seconds(), f.durAgent.rec...)
	f.tokenUsage.Record(ctx, u.PromptTokens, f.inAgent.rec...)
	f.tokenUsage.Record(ctx, u.CompletionTokens, f.outAgent.rec...)
	f.invocations.Add(ctx, 1, f.invMiss.add...)
	f.active.Add(ctx, -1, f.activeAgent.add...)
}

// floorCase is one operation done the otelagent way and the floor way.
type floorCase struct {
	name      string
	otelagent func(ctx context.Context, t *Tracer) error
	floor     func(ctx context.Context, f *floorSDK)
}

// invokeOnce is one agent invocation the way a caller writes it. It is a plain function rather
// than the closure floorInvoke returns: the compiler inlines option constructors into plain
// functions, as into a caller's code, but not always into a closure cloned by inlining.
func invokeOnce(ctx context.Context, t *Tracer, hit bool) error {
	_, inv := t.Invoke(ctx, benchAgent, nil, WithRequestModel(benchRequestModel))
	return inv.Complete(nil, WithUsage(benchUsage), WithCacheHit(hit), WithFinishReasons(benchFinishReasons...))
}

func floorInvoke(hit bool) (func(context.Context, *Tracer) error, func(context.Context, *floorSDK)) {
	return func(ctx context.Context, t *Tracer) error {
			return invokeOnce(ctx, t, hit)
		}, func(ctx context.Context, f *floorSDK) {
			ctx, op := f.startAgent(ctx)
			f.endAgent(ctx, &op, benchUsage, benchFinishReasons, hit)
		}
}

func floorCases() []floorCase {
	miss, missFloor := floorInvoke(false)
	hit, hitFloor := floorInvoke(true)
	return []floorCase{
		{name: "miss", otelagent: miss, floor: missFloor},
		{name: "hit", otelagent: hit, floor: hitFloor},
		{
			name: "chat",
			otelagent: func(ctx context.Context, t *Tracer) error {
				ctx, agent := t.Invoke(ctx, benchAgent, nil, WithRequestModel(benchRequestModel))
				_, chat := t.StartChat(ctx, benchRequestModel)
				if err := chat.Complete(nil, WithUsage(benchUsage), WithFinishReasons(benchFinishReasons...)); err != nil {
					return err
				}
				return agent.Complete(nil)
			},
			floor: func(ctx context.Context, f *floorSDK) {
				ctx, agent := f.startAgent(ctx)
				chatCtx, chat := f.startChat(ctx)
				f.endChat(chatCtx, &chat, &agent, benchUsage, benchFinishReasons)
				f.endRollup(ctx, &agent)
			},
		},
	}
}

var floorProviderKinds = []struct {
	name string
	noop bool
}{{"sdk", false}, {"noop", true}}

// BenchmarkFloor times each floor case through the floor and through otelagent, with SDK
// providers and with no-op ones.
func BenchmarkFloor(b *testing.B) {
	for _, p := range floorProviderKinds {
		for _, c := range floorCases() {
			// The floor first: benchstat compares each column with the first.
			b.Run("providers="+p.name+"/case="+c.name+"/impl=floor", func(b *testing.B) {
				tp, mp := floorProviders(b, p.noop)
				f := newFloorSDK(b, tp, mp)
				ctx := context.Background()
				b.ReportAllocs()
				for b.Loop() {
					c.floor(ctx, f)
				}
			})
			b.Run("providers="+p.name+"/case="+c.name+"/impl=otelagent", func(b *testing.B) {
				t := newFloorTracer(floorProviders(b, p.noop))
				ctx := context.Background()
				b.ReportAllocs()
				for b.Loop() {
					if err := c.otelagent(ctx, t); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkFloorParallel times the miss case from 1, 2 and 8 goroutines sharing one Tracer (or
// one floor): 1 runs with GOMAXPROCS=1, more with b.SetParallelism over the machine's cores.
func BenchmarkFloorParallel(b *testing.B) {
	miss, missFloor := floorInvoke(false)
	for _, p := range floorProviderKinds {
		for _, n := range []int{1, 2, 8} {
			parallel := func(b *testing.B, body func(ctx context.Context) error) {
				if n < runtime.GOMAXPROCS(0) {
					defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(n))
				}
				b.SetParallelism(max(n/runtime.GOMAXPROCS(0), 1))
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					ctx := context.Background()
					for pb.Next() {
						if err := body(ctx); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			name := fmt.Sprintf("providers=%s/goroutines=%d", p.name, n)
			b.Run(name+"/impl=floor", func(b *testing.B) {
				tp, mp := floorProviders(b, p.noop)
				f := newFloorSDK(b, tp, mp)
				parallel(b, func(ctx context.Context) error { missFloor(ctx, f); return nil })
			})
			b.Run(name+"/impl=otelagent", func(b *testing.B) {
				t := newFloorTracer(floorProviders(b, p.noop))
				parallel(b, func(ctx context.Context) error { return miss(ctx, t) })
			})
		}
	}
}

// checkFloorTwin checks that the floor emits exactly the spans and metric points otelagent
// does for c, on the batch-processor setup of the benchmarks, and that a miss carries the 13
// span attributes the floor is defined by.
func checkFloorTwin(t *testing.T, c floorCase) {
	t.Helper()
	expA := tracetest.NewInMemoryExporter()
	tpA, mpA, readerA := batchProviders(t, expA)
	tr := newFloorTracer(tpA, mpA)
	expB := tracetest.NewInMemoryExporter()
	tpB, mpB, readerB := batchProviders(t, expB)
	f := newFloorSDK(t, tpB, mpB)

	for range 2 {
		require.NoError(t, c.otelagent(t.Context(), tr))
		c.floor(t.Context(), f)
	}
	require.NoError(t, tpA.ForceFlush(t.Context()))
	require.NoError(t, tpB.ForceFlush(t.Context()))

	want, got := expA.GetSpans().Snapshots(), expB.GetSpans().Snapshots()
	require.NotEmpty(t, want)
	assert.Equal(t, spanDigest(want), spanDigest(got), "spans")
	if c.name == "miss" {
		assert.Len(t, want[0].Attributes(), 13, "span attributes of a miss")
	}
	gotPoints, wantPoints := pointDigest(t, readerB), pointDigest(t, readerA)
	require.NotEmpty(t, wantPoints)
	assert.Equal(t, wantPoints, gotPoints, "metric points")
}

// TestAllocationsNotAboveFloor checks that each floor case allocates no more through otelagent
// than through the floor, both measured here, with SDK providers and with no-op ones. The SDK
// side uses a span processor that drops spans, so no exporting goroutine allocates meanwhile.
func TestAllocationsNotAboveFloor(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector drops pooled objects at random")
	}
	for _, p := range floorProviderKinds {
		for _, c := range floorCases() {
			t.Run(p.name+"/"+c.name, func(t *testing.T) {
				var tp trace.TracerProvider = tracenoop.NewTracerProvider()
				var mp metric.MeterProvider = metricnoop.NewMeterProvider()
				if !p.noop {
					tp, mp, _ = benchProviders(t, discardProcessor{})
				}
				f := newFloorSDK(t, tp, mp)
				tr := newFloorTracer(tp, mp)
				ctx := context.Background()
				floor := testing.AllocsPerRun(200, func() { c.floor(ctx, f) })
				got := testing.AllocsPerRun(200, func() { require.NoError(t, c.otelagent(ctx, tr)) })
				t.Logf("allocations per operation: floor %v, otelagent %v", floor, got)
				assert.LessOrEqual(t, got, floor)
			})
		}
	}
}

// TestOptionsCostNoAllocation checks that options reach the configs without escaping: with
// no-op providers an invocation with every option a caller commonly passes costs one
// allocation, the operation itself; a chat call inside it costs its own and the agent's record
// of its chats.
func TestOptionsCostNoAllocation(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector drops pooled objects at random")
	}
	tr := newFloorTracer(tracenoop.NewTracerProvider(), metricnoop.NewMeterProvider())
	ctx := context.Background()
	agentOnly := testing.AllocsPerRun(200, func() {
		_, agent := tr.Invoke(ctx, benchAgent, nil, WithRequestModel(benchRequestModel), WithAgentID("id-1"),
			WithConversationID("conv-1"), WithProviderName("openai"), WithAttributes(benchAttrs...))
		require.NoError(t, agent.Complete(nil, WithUsage(benchUsage), WithCacheHit(true), WithError(nil),
			WithFinishReasons(benchFinishReasons...)))
	})
	assert.Equal(t, 1.0, agentOnly, "allocations of an invocation")
	withChat := testing.AllocsPerRun(200, func() {
		ctx, agent := tr.Invoke(ctx, benchAgent, nil, WithRequestModel(benchRequestModel))
		_, chat := tr.StartChat(ctx, benchRequestModel, WithProviderName("openai"))
		require.NoError(t, chat.Complete(nil, WithUsage(benchUsage), WithFinishReasons(benchFinishReasons...)))
		require.NoError(t, agent.Complete(nil))
	})
	assert.Equal(t, 3.0, withChat, "allocations of an invocation with one chat call")
}
