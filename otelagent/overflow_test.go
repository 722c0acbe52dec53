package otelagent

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTokenUsageValidateOverflow(t *testing.T) {
	const maxI = math.MaxInt64
	tests := []struct {
		name  string
		usage TokenUsage
		want  string // substring of the error; "" means valid
	}{
		{"prompt plus completion overflows", TokenUsage{PromptTokens: maxI, CompletionTokens: 1},
			"prompt_tokens+completion_tokens overflow int64"},
		{"cache read plus creation overflows", TokenUsage{PromptTokens: 10, CacheReadTokens: maxI, CacheCreationTokens: maxI},
			"cache_read_tokens+cache_creation_tokens overflow int64"},
		{"largest prompt alone", TokenUsage{PromptTokens: maxI}, ""},
		{"largest sum exactly", TokenUsage{PromptTokens: maxI - 1, CompletionTokens: 1}, ""},
		{"largest total", TokenUsage{PromptTokens: 1, CompletionTokens: 1, TotalTokens: maxI}, ""},
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
}

func TestRunningTotalsSaturate(t *testing.T) {
	const maxI = math.MaxInt64
	big := TokenUsage{PromptTokens: maxI - 10, CompletionTokens: 10, Model: "m"}
	tests := []struct {
		name string
		hit  bool
	}{
		{"spent", false},
		{"saved", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			for range 3 {
				ctx, inv := h.Invoke(t.Context(), "a", nil)
				_, chat := h.StartChat(ctx, "m")
				require.NoError(t, chat.Complete(nil, WithUsage(big)))
				require.NoError(t, inv.Complete(nil, WithUsage(big), WithCacheHit(tt.hit)))
			}
			cs := h.CacheStatistics()
			st := h.Stats()
			if tt.hit {
				assert.Equal(t, int64(maxI), cs.TokensSaved)
				assert.Equal(t, int64(maxI), st.Agents["a"].TokensSaved)
			}
			assert.Equal(t, int64(maxI), cs.TokensSpent, "saturated, never wrapped")
			assert.Equal(t, int64(maxI), st.Agents["a"].TotalTokens)
			assert.Equal(t, int64(maxI), st.Models["m"].PromptTokens)
			assert.GreaterOrEqual(t, cs.SavingsPercentage, 0.0)
			assert.LessOrEqual(t, cs.SavingsPercentage, 100.0)
		})
	}
}

func TestCountsSaturate(t *testing.T) {
	const maxI = math.MaxInt64
	c := counts{prompt: maxI, completion: maxI, total: maxI}
	assert.Equal(t, int64(maxI), c.add(c).prompt)
	assert.Equal(t, int64(maxI), c.add(c).total)
	m := counts{prompt: maxI, total: maxI}.merge(counts{completion: maxI, total: maxI})
	assert.Equal(t, int64(maxI), m.total, "merged prompt plus completion saturates")
	var stripe tally
	o := &outcome{counted: true, spent: c, saved: maxI}
	stripe.count(o, false)
	stripe.count(o, false)
	assert.Equal(t, int64(maxI), stripe.spent.total)
	assert.Equal(t, int64(maxI), stripe.saved)
	var sum tally
	sum.merge(&stripe)
	sum.merge(&stripe)
	assert.Equal(t, int64(maxI), sum.spent.total, "stripes add up saturating")
	assert.Equal(t, int64(maxI), sum.saved)
	assert.Equal(t, int64(4), sum.invocations)
}
