package otelagent

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agenttrace/otelagent/semconv"
)

func TestMisuseNeverPanics(t *testing.T) {
	t.Run("nil invocation", func(t *testing.T) {
		var inv *Invocation
		assert.NoError(t, inv.Complete(nil, WithUsage(TokenUsage{PromptTokens: 1})))
		assert.False(t, inv.SpanContext().IsValid())
		assert.Empty(t, inv.Operation())
	})
	t.Run("nil tracer", func(t *testing.T) {
		var tr *Tracer
		ctx, inv := tr.Invoke(t.Context(), "a", nil)
		assert.NotNil(t, ctx)
		assert.Nil(t, inv)
		_, inv = tr.StartChat(t.Context(), "m")
		assert.Nil(t, inv)
		_, inv = tr.StartTool(t.Context(), "t")
		assert.Nil(t, inv)
		_, inv = tr.StartWorkflow(t.Context(), "w")
		assert.Nil(t, inv)
		tr.RecordEvent(t.Context(), Event{Name: "x"})
		assert.NotNil(t, tr.OnMessagesInvoke(t.Context(), "a", nil, TokenUsage{}, false))
		assert.ErrorIs(t, tr.OnMessagesComplete(t.Context(), "a", nil, TokenUsage{}, false), ErrNilTracer)
		assert.Equal(t, CacheStatistics{}, tr.CacheStatistics())
		assert.Empty(t, tr.Stats().Agents)
		assert.Nil(t, tr.Events())
		assert.ErrorIs(t, tr.SaveTrace(t.TempDir()+"/x.json"), ErrNilTracer)
	})
	t.Run("nil context and options", func(t *testing.T) {
		h := newHarness(t)
		ctx, inv := h.Invoke(nil, "a", nil, nil) //lint:ignore SA1012 misuse under test
		require.NotNil(t, ctx)
		assert.NoError(t, inv.Complete(nil, nil))
		h.RecordEvent(nil, Event{}) //lint:ignore SA1012 misuse under test
		assert.Nil(t, InvocationFromContext(nil))
	})
	t.Run("second complete", func(t *testing.T) {
		h := newHarness(t)
		_, inv := h.Invoke(t.Context(), "a", nil)
		require.NoError(t, inv.Complete(nil, WithUsage(TokenUsage{PromptTokens: 10})))
		err := inv.Complete(nil, WithUsage(TokenUsage{PromptTokens: 99}), WithCacheHit(true))
		assert.ErrorIs(t, err, ErrAlreadyCompleted)
		assert.Contains(t, err.Error(), "invoke_agent a")
		assert.Len(t, h.spans.Ended(), 1)
		cs := h.CacheStatistics()
		assert.Equal(t, int64(10), cs.TokensSpent, "the second Complete had no effect")
		assert.Equal(t, int64(0), cs.Hits)
		assert.Equal(t, int64(1), cs.Misses)
	})
	t.Run("complete without invoke", func(t *testing.T) {
		h := newHarness(t)
		err := h.OnMessagesComplete(t.Context(), "ghost", nil, TokenUsage{PromptTokens: 1}, false)
		assert.ErrorIs(t, err, ErrNoOpenInvocation)
		assert.Contains(t, err.Error(), `"ghost"`)
		assert.Empty(t, h.spans.Ended())
		assert.Equal(t, CacheStatistics{}, h.CacheStatistics())
	})
}

func TestInvalidUsage(t *testing.T) {
	h := newHarness(t)
	_, ok := h.Invoke(t.Context(), "a", nil)
	require.NoError(t, ok.Complete(nil, WithUsage(TokenUsage{PromptTokens: 10, CompletionTokens: 5})))
	_, bad := h.Invoke(t.Context(), "a", nil)
	err := bad.Complete(nil, WithUsage(TokenUsage{PromptTokens: 10, CacheReadTokens: 20}), WithCacheHit(false))
	require.ErrorIs(t, err, ErrInvalidUsage)
	assert.Contains(t, err.Error(), "cache_read_tokens+cache_creation_tokens (20) exceed prompt_tokens (10)")

	spans := h.spans.Ended()
	require.Len(t, spans, 2, "the span still ends")
	a := attrs(spans[1])
	assert.Equal(t, err.Error(), a[semconv.UsageInvalidKey].AsString(), "the span is marked")
	_, hasUsage := a[semconv.GenAIUsageInputTokensKey]
	assert.False(t, hasUsage, "invalid usage is not reported as if it were true")
	cs := h.CacheStatistics()
	assert.Equal(t, int64(15), cs.TokensSpent, "what was recorded before is kept, nothing invalid is added")
	assert.Equal(t, int64(2), cs.Misses)
}

func TestTokenUsageValidate(t *testing.T) {
	tests := []struct {
		name  string
		usage TokenUsage
		want  string // substring of the error; "" means valid
	}{
		{"zero", TokenUsage{}, ""},
		{"full", TokenUsage{PromptTokens: 100, CompletionTokens: 50, TotalTokens: 160, CacheReadTokens: 60, CacheCreationTokens: 40, ReasoningTokens: 50}, ""},
		{"negative prompt", TokenUsage{PromptTokens: -1}, "prompt_tokens is negative (-1)"},
		{"two negatives", TokenUsage{CompletionTokens: -2, ReasoningTokens: -3}, "completion_tokens is negative (-2); reasoning_tokens is negative (-3)"},
		{"cache above prompt", TokenUsage{PromptTokens: 10, CacheReadTokens: 6, CacheCreationTokens: 5}, "exceed prompt_tokens"},
		{"reasoning above completion", TokenUsage{CompletionTokens: 1, ReasoningTokens: 2}, "reasoning_tokens (2) exceed completion_tokens (1)"},
		{"total below parts", TokenUsage{PromptTokens: 5, CompletionTokens: 5, TotalTokens: 9}, "total_tokens (9) is below"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.usage.Validate()
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrInvalidUsage)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	assert.Equal(t, int64(15), TokenUsage{PromptTokens: 10, CompletionTokens: 5}.Total())
	assert.Equal(t, int64(20), TokenUsage{PromptTokens: 10, CompletionTokens: 5, TotalTokens: 20}.Total())
}

func TestCallbackPair(t *testing.T) {
	u := func(p int64) TokenUsage { return TokenUsage{PromptTokens: p, CompletionTokens: 1} }
	t.Run("complete usage replaces the provisional", func(t *testing.T) {
		h := newHarness(t)
		ctx := h.OnMessagesInvoke(t.Context(), "a", nil, u(100), false)
		require.NoError(t, h.OnMessagesComplete(ctx, "a", nil, u(40), false))
		assert.Equal(t, int64(41), h.CacheStatistics().TokensSpent)
	})
	t.Run("zero complete usage keeps the provisional", func(t *testing.T) {
		h := newHarness(t)
		ctx := h.OnMessagesInvoke(t.Context(), "a", nil, u(100), true)
		require.NoError(t, h.OnMessagesComplete(ctx, "a", nil, TokenUsage{}, false))
		cs := h.CacheStatistics()
		assert.Equal(t, int64(101), cs.TokensSpent)
		assert.Equal(t, int64(1), cs.Misses, "complete's cacheHit decides")
	})
	t.Run("complete's cache hit decides", func(t *testing.T) {
		h := newHarness(t)
		ctx := h.OnMessagesInvoke(t.Context(), "a", nil, u(100), false)
		require.NoError(t, h.OnMessagesComplete(ctx, "a", nil, TokenUsage{}, true))
		cs := h.CacheStatistics()
		assert.Equal(t, int64(101), cs.TokensSaved)
		assert.Equal(t, int64(0), cs.TokensSpent)
	})
	t.Run("without ctx the most recent open one of the agent", func(t *testing.T) {
		h := newHarness(t)
		h.OnMessagesInvoke(t.Context(), "a", []Message{{Content: "first"}}, u(1), false)
		second := h.OnMessagesInvoke(t.Context(), "a", nil, u(2), false)
		h.OnMessagesInvoke(t.Context(), "b", nil, u(3), false)
		require.NoError(t, h.OnMessagesComplete(context.Background(), "a", nil, TokenUsage{}, false))
		ended := h.spans.Ended()
		require.Len(t, ended, 1)
		assert.Equal(t, InvocationFromContext(second).SpanContext(), ended[0].SpanContext())
		require.NoError(t, h.OnMessagesComplete(context.Background(), "a", nil, TokenUsage{}, false))
		assert.ErrorIs(t, h.OnMessagesComplete(context.Background(), "a", nil, TokenUsage{}, false), ErrNoOpenInvocation)
		require.NoError(t, h.OnMessagesComplete(context.Background(), "b", nil, TokenUsage{}, false))
		assert.Equal(t, int64(2+1+3+3), h.CacheStatistics().TokensSpent)
	})
	t.Run("ctx of a chat inside the agent", func(t *testing.T) {
		h := newHarness(t)
		ctx := h.OnMessagesInvoke(t.Context(), "a", nil, TokenUsage{}, false)
		chatCtx, chat := h.StartChat(ctx, "m")
		require.NoError(t, h.OnMessagesComplete(chatCtx, "a", nil, TokenUsage{}, false))
		require.NoError(t, chat.Complete(nil))
		assert.Equal(t, int64(1), h.Stats().Agents["a"].Invocations)
	})
	t.Run("completed directly is no longer open", func(t *testing.T) {
		h := newHarness(t)
		ctx := h.OnMessagesInvoke(t.Context(), "a", nil, TokenUsage{}, false)
		require.NoError(t, InvocationFromContext(ctx).Complete(nil))
		assert.ErrorIs(t, h.OnMessagesComplete(context.Background(), "a", nil, TokenUsage{}, false), ErrNoOpenInvocation)
	})
}
