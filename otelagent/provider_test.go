package otelagent

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/agenttrace/otelagent/semconv"
)

// TestProviderNamePerOperation: one Tracer serves an application calling two providers; each
// operation's spans and gen_ai.* metric points carry its own provider.
func TestProviderNamePerOperation(t *testing.T) {
	h := newHarness(t, WithProviderName("openai"))
	ctx, inv := h.Invoke(t.Context(), "router", nil)
	_, c1 := h.StartChat(ctx, "gpt-4o")
	require.NoError(t, c1.Complete(nil, WithUsage(TokenUsage{PromptTokens: 10, CompletionTokens: 1})))
	_, c2 := h.StartChat(ctx, "claude-sonnet-4-5", WithProviderName("anthropic"))
	require.NoError(t, c2.Complete(nil, WithUsage(TokenUsage{PromptTokens: 20, CompletionTokens: 2})))
	toolCtx, tool := h.StartTool(ctx, "search", WithProviderName("anthropic"))
	_, nested := h.StartChat(toolCtx, "claude-haiku-4-5")
	require.NoError(t, nested.Complete(nil, WithUsage(TokenUsage{PromptTokens: 5, CompletionTokens: 1})))
	require.NoError(t, tool.Complete(nil))
	require.NoError(t, inv.Complete(nil))

	provider := func(name string) string {
		return attrs(h.span(t, name))[semconv.GenAIProviderNameKey].AsString()
	}
	assert.Equal(t, "openai", provider("invoke_agent router"), "the Tracer's default")
	assert.Equal(t, "openai", provider("chat gpt-4o"), "inherited from the agent")
	assert.Equal(t, "anthropic", provider("chat claude-sonnet-4-5"), "per call")
	assert.Equal(t, "anthropic", provider("execute_tool search"), "per call")
	assert.Equal(t, "anthropic", provider("chat claude-haiku-4-5"), "inherited from the tool")

	usage := h.metrics(t)[semconv.GenAIClientTokenUsageName].Data.(metricdata.Histogram[int64])
	inputs := map[string]int64{}
	for _, dp := range usage.DataPoints {
		op, _ := dp.Attributes.Value(semconv.GenAIOperationNameKey)
		tt, _ := dp.Attributes.Value(semconv.GenAITokenTypeKey)
		p, _ := dp.Attributes.Value(semconv.GenAIProviderNameKey)
		if op.AsString() == semconv.OperationChat && tt.AsString() == semconv.TokenTypeInput {
			inputs[p.AsString()] += dp.Sum
		}
	}
	assert.Equal(t, map[string]int64{"openai": 10, "anthropic": 25}, inputs)
	assert.Equal(t, int64(35+4), h.CacheStatistics().TokensSpent, "one Tracer keeps one set of statistics")
}

func TestProviderNameDefaultAndEmpty(t *testing.T) {
	h := newHarness(t, WithProviderName(""))
	_, inv := h.Invoke(t.Context(), "a", nil, WithProviderName(""))
	require.NoError(t, inv.Complete(nil))
	assert.Equal(t, attribute.StringValue(semconv.ProviderOther),
		attrs(h.span(t, "invoke_agent a"))[semconv.GenAIProviderNameKey])
}

// TestNoopProviders: with the API's no-op providers (OTEL_SDK_DISABLED) statistics and the event
// log are still kept, a propagated span context still reaches the operations' contexts, and
// without one the contexts carry no span.
func TestNoopProviders(t *testing.T) {
	tr := New(WithTracerProvider(tracenoop.NewTracerProvider()), WithMeterProvider(metricnoop.NewMeterProvider()))
	remote := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2}, TraceFlags: trace.FlagsSampled, Remote: true,
	})
	tests := []struct {
		name string
		ctx  context.Context
		want trace.SpanContext
	}{
		{"no span", t.Context(), trace.SpanContext{}},
		{"remote parent", trace.ContextWithRemoteSpanContext(t.Context(), remote), remote},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, inv := tr.Invoke(tt.ctx, "a", nil)
			chatCtx, chat := tr.StartChat(ctx, "gpt-4o")
			assert.Equal(t, tt.want, trace.SpanContextFromContext(chatCtx))
			assert.Equal(t, tt.want, inv.SpanContext())
			assert.False(t, trace.SpanFromContext(chatCtx).IsRecording())
			assert.Same(t, chat, InvocationFromContext(chatCtx))
			require.NoError(t, chat.Complete(nil, WithUsage(TokenUsage{PromptTokens: 3, CompletionTokens: 1})))
			require.NoError(t, inv.Complete(nil))
		})
	}
	assert.Equal(t, int64(2), tr.Stats().Agents["a"].Invocations)
	assert.Equal(t, int64(8), tr.CacheStatistics().TokensSpent)
	assert.Len(t, tr.Events(), 4)
}

// endCounter is a span without a valid span context that counts End calls.
type endCounter struct {
	trace.Span
	ended int
}

func (s *endCounter) End(...trace.SpanEndOption) { s.ended++ }

// TestNoopTracerLeavesContextSpan: with the no-op tracer, completing an operation never ends
// the span of the context it was started from.
func TestNoopTracerLeavesContextSpan(t *testing.T) {
	tr := New(WithTracerProvider(tracenoop.NewTracerProvider()), WithMeterProvider(metricnoop.NewMeterProvider()))
	outer := &endCounter{Span: tracenoop.Span{}}
	_, inv := tr.Invoke(trace.ContextWithSpan(t.Context(), outer), "a", nil)
	require.NoError(t, inv.Complete(nil))
	assert.Zero(t, outer.ended)
}
