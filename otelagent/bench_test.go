package otelagent

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

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

// TestRawSDKTwinMatches checks that the raw-SDK twin of each benchmark case emits exactly the
// spans and metric points otelagent does, so that the benchmarks compare equal work.
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
