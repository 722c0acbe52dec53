package otelagent

import (
	"context"
	"errors"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	noopmetric "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"
	"go.opentelemetry.io/otel/trace"

	"github.com/agenttrace/otelagent/semconv"
)

func TestInvokeSpan(t *testing.T) {
	h := newHarness(t, WithProviderName("openai"), WithPricing(testPricing))
	ctx, inv := h.Invoke(t.Context(), "planner", []Message{{Role: "user", Content: "hi"}},
		WithRequestModel("gpt-4o"), WithAgentID("agent-7"), WithConversationID("conv-1"),
		WithAttributes(attribute.String("app.tenant", "acme")))
	require.NotNil(t, inv)
	assert.Equal(t, inv.SpanContext(), trace.SpanContextFromContext(ctx))
	assert.Same(t, inv, InvocationFromContext(ctx))
	require.NoError(t, inv.Complete([]Message{{Role: "assistant", Content: "hello"}},
		WithUsage(TokenUsage{PromptTokens: 120, CompletionTokens: 30, CacheReadTokens: 100, ReasoningTokens: 10, Model: "gpt-4o-2024-08-06"}),
		WithFinishReasons("stop")))

	s := h.span(t, "invoke_agent planner")
	assert.Equal(t, trace.SpanKindInternal, s.SpanKind())
	assert.Equal(t, ScopeName, s.InstrumentationScope().Name)
	assert.Equal(t, Version, s.InstrumentationScope().Version)
	assert.Equal(t, codes.Unset, s.Status().Code)
	assert.Empty(t, s.Events(), "no exception or other events")
	a := attrs(s)
	want := map[attribute.Key]attribute.Value{
		semconv.GenAIOperationNameKey:                 attribute.StringValue("invoke_agent"),
		semconv.GenAIProviderNameKey:                  attribute.StringValue("openai"),
		semconv.GenAIAgentNameKey:                     attribute.StringValue("planner"),
		semconv.GenAIAgentIDKey:                       attribute.StringValue("agent-7"),
		semconv.GenAIConversationIDKey:                attribute.StringValue("conv-1"),
		semconv.GenAIRequestModelKey:                  attribute.StringValue("gpt-4o"),
		semconv.GenAIResponseModelKey:                 attribute.StringValue("gpt-4o-2024-08-06"),
		semconv.GenAIUsageInputTokensKey:              attribute.Int64Value(120),
		semconv.GenAIUsageOutputTokensKey:             attribute.Int64Value(30),
		semconv.GenAIUsageCacheReadInputTokensKey:     attribute.Int64Value(100),
		semconv.GenAIUsageCacheCreationInputTokensKey: attribute.Int64Value(0),
		semconv.GenAIUsageReasoningOutputTokensKey:    attribute.Int64Value(10),
		semconv.GenAIResponseFinishReasonsKey:         attribute.StringSliceValue([]string{"stop"}),
		semconv.UsageTotalTokensKey:                   attribute.Int64Value(150),
		semconv.CacheHitKey:                           attribute.BoolValue(false),
		semconv.CostUSDKey:                            attribute.Float64Value((20*2.5 + 100*1.25 + 30*10) / 1e6),
		semconv.CostSavedUSDKey:                       attribute.Float64Value(100 * 1.25 / 1e6),
		"app.tenant":                                  attribute.StringValue("acme"),
	}
	assert.Equal(t, want, a, "content is not captured by default")
}

func TestOperationSpans(t *testing.T) {
	h := newHarness(t)
	ctx, wf := h.StartWorkflow(t.Context(), "triage", WithConversationID("c-9"))
	actx, agent := h.Invoke(ctx, "", nil)
	cctx, chat := h.StartChat(actx, "claude-sonnet")
	_, tool := h.StartTool(cctx, "lookup", WithToolCallID("call-1"))
	require.NoError(t, tool.Complete(nil))
	require.NoError(t, chat.Complete(nil))
	require.NoError(t, agent.Complete(nil))
	require.NoError(t, wf.Complete(nil))

	wfSpan := h.span(t, "invoke_workflow triage")
	agentSpan := h.span(t, "invoke_agent")
	chatSpan := h.span(t, "chat claude-sonnet")
	toolSpan := h.span(t, "execute_tool lookup")

	assert.False(t, wfSpan.Parent().IsValid())
	assert.Equal(t, wfSpan.SpanContext().SpanID(), agentSpan.Parent().SpanID())
	assert.Equal(t, agentSpan.SpanContext().SpanID(), chatSpan.Parent().SpanID())
	assert.Equal(t, chatSpan.SpanContext().SpanID(), toolSpan.Parent().SpanID())
	assert.Equal(t, trace.SpanKindClient, chatSpan.SpanKind())
	assert.Equal(t, trace.SpanKindInternal, toolSpan.SpanKind())
	assert.Equal(t, trace.SpanKindInternal, wfSpan.SpanKind())

	for _, s := range []struct {
		span trace.SpanKind
		a    map[attribute.Key]attribute.Value
		op   string
	}{{wfSpan.SpanKind(), attrs(wfSpan), "invoke_workflow"}, {agentSpan.SpanKind(), attrs(agentSpan), "invoke_agent"},
		{chatSpan.SpanKind(), attrs(chatSpan), "chat"}, {toolSpan.SpanKind(), attrs(toolSpan), "execute_tool"}} {
		assert.Equal(t, s.op, s.a[semconv.GenAIOperationNameKey].AsString())
		assert.Equal(t, "_OTHER", s.a[semconv.GenAIProviderNameKey].AsString(), "%s: provider defaults to _OTHER", s.op)
		assert.Equal(t, "c-9", s.a[semconv.GenAIConversationIDKey].AsString(), "%s inherits the conversation", s.op)
	}
	_, hasName := attrs(agentSpan)[semconv.GenAIAgentNameKey]
	assert.False(t, hasName, "an empty agent name is not emitted")
	assert.Equal(t, "triage", attrs(wfSpan)[semconv.GenAIWorkflowNameKey].AsString())
	assert.Equal(t, "claude-sonnet", attrs(chatSpan)[semconv.GenAIRequestModelKey].AsString())
	assert.Equal(t, "lookup", attrs(toolSpan)[semconv.GenAIToolNameKey].AsString())
	assert.Equal(t, "call-1", attrs(toolSpan)[semconv.GenAIToolCallIDKey].AsString())
	_, toolHasHit := attrs(toolSpan)[semconv.CacheHitKey]
	assert.False(t, toolHasHit, "only agent invocations are cache events")
}

type rateLimited struct{}

func (rateLimited) Error() string     { return "429 too many requests" }
func (rateLimited) ErrorType() string { return "rate_limited" }

func TestCompleteWithError(t *testing.T) {
	h := newHarness(t)
	_, inv := h.Invoke(t.Context(), "a", nil)
	require.NoError(t, inv.Complete(nil, WithError(rateLimited{})))
	s := h.span(t, "invoke_agent a")
	assert.Equal(t, codes.Error, s.Status().Code)
	assert.Equal(t, "429 too many requests", s.Status().Description)
	assert.Equal(t, "rate_limited", attrs(s)[semconv.ErrorTypeKey].AsString())
	assert.Empty(t, s.Events(), "errors are not exception events")
	assert.Equal(t, int64(1), h.Stats().Agents["a"].Errors)
	m := h.metrics(t)
	assert.Equal(t, int64(1), sumInt(t, m[semconv.InvocationsName], semconv.ErrorType("rate_limited")))
	dur := m[semconv.GenAIClientOperationDurationName].Data.(metricdata.Histogram[float64])
	require.Len(t, dur.DataPoints, 1)
	v, ok := dur.DataPoints[0].Attributes.Value(semconv.ErrorTypeKey)
	assert.True(t, ok)
	assert.Equal(t, "rate_limited", v.AsString())
}

func TestErrorType(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"ErrorType method", rateLimited{}, "rate_limited"},
		{"wrapped ErrorType method", errors.Join(errors.New("x"), rateLimited{}), "rate_limited"},
		{"deadline", context.DeadlineExceeded, "timeout"},
		{"canceled wrapped", errors.Join(context.Canceled), "canceled"},
		{"plain", errors.New("boom"), "_OTHER"},
		{"typed", &typedErr{}, "*otelagent.typedErr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, ErrorType(tt.err)) })
	}
}

type typedErr struct{}

func (*typedErr) Error() string { return "typed" }

func TestMetricsShape(t *testing.T) {
	h := newHarness(t, WithProviderName("openai"))
	ctx, inv := h.Invoke(t.Context(), "a", nil, WithRequestModel("gpt-4o"))
	_, chat := h.StartChat(ctx, "gpt-4o")
	require.NoError(t, chat.Complete(nil, WithUsage(TokenUsage{PromptTokens: 10, CompletionTokens: 4, Model: "gpt-4o"})))
	require.NoError(t, inv.Complete(nil))
	m := h.metrics(t)

	chatAttrs := func(tokenType string) attribute.Set {
		return attribute.NewSet(semconv.GenAIOperationName("chat"), semconv.GenAIProviderName("openai"),
			semconv.GenAIRequestModel("gpt-4o"), semconv.GenAIResponseModel("gpt-4o"), semconv.GenAITokenType(tokenType))
	}
	agentAttrs := func(tokenType string) attribute.Set {
		// The agent's own usage named no model: its chat's response model rolls up.
		return attribute.NewSet(semconv.GenAIOperationName("invoke_agent"), semconv.GenAIProviderName("openai"),
			semconv.GenAIRequestModel("gpt-4o"), semconv.GenAIResponseModel("gpt-4o"), semconv.GenAITokenType(tokenType))
	}
	bounds := semconv.TokenUsageBuckets()
	point := func(set attribute.Set, v int64) metricdata.HistogramDataPoint[int64] {
		counts := make([]uint64, len(bounds)+1)
		for i, b := range bounds {
			if float64(v) <= b {
				counts[i] = 1
				break
			}
		}
		return metricdata.HistogramDataPoint[int64]{Attributes: set, Count: 1, Sum: v, Bounds: bounds, BucketCounts: counts,
			Min: metricdata.NewExtrema(v), Max: metricdata.NewExtrema(v)}
	}
	metricdatatest.AssertEqual(t, metricdata.Metrics{
		Name:        semconv.GenAIClientTokenUsageName,
		Description: "Number of input and output tokens used.",
		Unit:        "{token}",
		Data: metricdata.Histogram[int64]{Temporality: metricdata.CumulativeTemporality, DataPoints: sortedHist(
			point(chatAttrs("input"), 10), point(chatAttrs("output"), 4),
			point(agentAttrs("input"), 10), point(agentAttrs("output"), 4))},
	}, sorted(m[semconv.GenAIClientTokenUsageName]), metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())

	dur := m[semconv.GenAIClientOperationDurationName]
	assert.Equal(t, "s", dur.Unit)
	for _, dp := range dur.Data.(metricdata.Histogram[float64]).DataPoints {
		assert.Equal(t, semconv.DurationBuckets(), dp.Bounds)
	}

	metricdatatest.AssertEqual(t, metricdata.Metrics{
		Name:        semconv.InvocationsActiveName,
		Description: "Operations started and not yet completed.",
		Unit:        "{invocation}",
		Data: metricdata.Sum[int64]{Temporality: metricdata.CumulativeTemporality, IsMonotonic: false, DataPoints: []metricdata.DataPoint[int64]{
			{Attributes: attribute.NewSet(semconv.GenAIAgentName("a"), semconv.GenAIOperationName("chat")), Value: 0},
			{Attributes: attribute.NewSet(semconv.GenAIAgentName("a"), semconv.GenAIOperationName("invoke_agent")), Value: 0},
		}},
	}, sorted(m[semconv.InvocationsActiveName]), metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())

	// No metric carries content, IDs or other unbounded values.
	for name, metric := range m {
		for _, set := range pointAttributes(metric) {
			for _, kv := range set.ToSlice() {
				switch kv.Key {
				case semconv.GenAIOperationNameKey, semconv.GenAIProviderNameKey, semconv.GenAIRequestModelKey,
					semconv.GenAIResponseModelKey, semconv.GenAITokenTypeKey, semconv.ErrorTypeKey,
					semconv.GenAIAgentNameKey, semconv.CacheHitKey, semconv.TokenKindKey:
				default:
					t.Errorf("%s carries attribute %s", name, kv.Key)
				}
			}
		}
	}
}

func pointAttributes(m metricdata.Metrics) []attribute.Set {
	var out []attribute.Set
	switch d := m.Data.(type) {
	case metricdata.Sum[int64]:
		for _, dp := range d.DataPoints {
			out = append(out, dp.Attributes)
		}
	case metricdata.Sum[float64]:
		for _, dp := range d.DataPoints {
			out = append(out, dp.Attributes)
		}
	case metricdata.Histogram[int64]:
		for _, dp := range d.DataPoints {
			out = append(out, dp.Attributes)
		}
	case metricdata.Histogram[float64]:
		for _, dp := range d.DataPoints {
			out = append(out, dp.Attributes)
		}
	}
	return out
}

func TestNewFallsBackToGlobalProviders(t *testing.T) {
	tr := New() // global no-op providers unless a test installed others
	ctx, inv := tr.Invoke(t.Context(), "a", nil)
	require.NotNil(t, inv)
	assert.NotNil(t, ctx)
	require.NoError(t, inv.Complete(nil, WithUsage(TokenUsage{PromptTokens: 1})))
	assert.Equal(t, int64(1), tr.CacheStatistics().TokensSpent, "statistics work without an SDK")
}

func TestInstrumentErrorsFallBackToNoop(t *testing.T) {
	var handled atomic.Int64
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(error) { handled.Add(1) }))
	t.Cleanup(func() { otel.SetErrorHandler(otel.ErrorHandlerFunc(func(error) {})) })
	tr := New(WithMeterProvider(failingMeterProvider{}))
	assert.Equal(t, int64(8), handled.Load(), "every failed instrument is reported")
	_, inv := tr.Invoke(t.Context(), "a", nil)
	assert.NoError(t, inv.Complete(nil, WithUsage(TokenUsage{PromptTokens: 3})))
	assert.Equal(t, int64(3), tr.CacheStatistics().TokensSpent)
}

// failingMeterProvider's meter fails to create any instrument.
type failingMeterProvider struct{ noopmetric.MeterProvider }

func (failingMeterProvider) Meter(string, ...metric.MeterOption) metric.Meter { return failingMeter{} }

type failingMeter struct{ noopmetric.Meter }

var errInstrument = errors.New("instrument refused")

func (failingMeter) Int64Counter(string, ...metric.Int64CounterOption) (metric.Int64Counter, error) {
	return nil, errInstrument
}

func (failingMeter) Int64UpDownCounter(string, ...metric.Int64UpDownCounterOption) (metric.Int64UpDownCounter, error) {
	return nil, errInstrument
}

func (failingMeter) Int64Histogram(string, ...metric.Int64HistogramOption) (metric.Int64Histogram, error) {
	return nil, errInstrument
}

func (failingMeter) Float64Counter(string, ...metric.Float64CounterOption) (metric.Float64Counter, error) {
	return nil, errInstrument
}

func (failingMeter) Float64Histogram(string, ...metric.Float64HistogramOption) (metric.Float64Histogram, error) {
	return nil, errInstrument
}

// sorted orders a metric's data points by their attributes, for order-blind comparison.
func sorted(m metricdata.Metrics) metricdata.Metrics {
	switch d := m.Data.(type) {
	case metricdata.Histogram[int64]:
		d.DataPoints = sortedHist(d.DataPoints...)
		m.Data = d
	case metricdata.Sum[int64]:
		sort.Slice(d.DataPoints, func(i, j int) bool {
			return d.DataPoints[i].Attributes.Encoded(attribute.DefaultEncoder()) < d.DataPoints[j].Attributes.Encoded(attribute.DefaultEncoder())
		})
		m.Data = d
	}
	return m
}

func sortedHist(dps ...metricdata.HistogramDataPoint[int64]) []metricdata.HistogramDataPoint[int64] {
	sort.Slice(dps, func(i, j int) bool {
		return dps[i].Attributes.Encoded(attribute.DefaultEncoder()) < dps[j].Attributes.Encoded(attribute.DefaultEncoder())
	})
	return dps
}

// TestInvocationContextFollowsParent: the context Invoke returns carries the parent's values,
// deadline and cancellation, to contexts derived from it too.
func TestInvocationContextFollowsParent(t *testing.T) {
	type key struct{}
	deadline := time.Now().Add(time.Hour)
	parent, cancel := context.WithDeadline(context.WithValue(t.Context(), key{}, "v"), deadline)
	h := newHarness(t)
	ctx, inv := h.Invoke(parent, "a", nil)
	child, cancelChild := context.WithCancel(ctx)
	defer cancelChild()

	assert.Equal(t, "v", ctx.Value(key{}))
	assert.Same(t, inv, InvocationFromContext(child))
	got, ok := ctx.Deadline()
	assert.True(t, ok)
	assert.Equal(t, deadline, got)
	require.NoError(t, ctx.Err())
	cancel()
	<-child.Done()
	assert.ErrorIs(t, ctx.Err(), context.Canceled)
	assert.ErrorIs(t, child.Err(), context.Canceled)
	require.NoError(t, inv.Complete(nil))
}
