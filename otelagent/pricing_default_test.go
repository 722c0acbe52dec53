package otelagent

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agenttrace/otelagent/semconv"
)

func TestDefaultPricingFile(t *testing.T) {
	f, err := parseDefaultPricing(defaultPricingJSON)
	require.NoError(t, err)
	assert.Regexp(t, `^\d{4}-\d{2}-\d{2}$`, f.AsOf)
	assert.Contains(t, f.Source, "list prices")
	for _, m := range []string{
		"gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "o3", "o4-mini",
		"gpt-5", "gpt-5-mini", "gpt-5-nano", "claude-opus-4-1", "claude-opus-4",
		"claude-sonnet-4-5", "claude-sonnet-4", "claude-3-7-sonnet", "claude-haiku-4-5", "claude-3-5-haiku",
	} {
		mp, ok := f.Models[m]
		if assert.True(t, ok, m) {
			assert.Positive(t, mp.Input, m)
			assert.Positive(t, mp.Output, m)
			assert.Positive(t, mp.CacheRead, m)
			assert.LessOrEqual(t, mp.CacheRead, mp.Input, m)
			assert.GreaterOrEqual(t, mp.CacheWrite, mp.Input, m)
		}
	}

	for _, tt := range []struct{ name, json, wantErr string }{
		{"no date", `{"source": "s", "models": {"m": {"input": 1}}}`, "as_of"},
		{"unknown field", `{"as_of": "2025-01-01", "source": "s", "models": {}, "extra": 1}`, `unknown field "extra"`},
		{"bad price", `{"as_of": "2025-01-01", "source": "s", "models": {"m": {"input": -1}}}`, "m.input"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseDefaultPricing([]byte(tt.json))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestModelFamily(t *testing.T) {
	tests := []struct{ model, want string }{
		{"gpt-4o", "gpt-4o"},
		{"gpt-4o-2024-08-06", "gpt-4o"},
		{"gpt-4o-mini-2024-07-18", "gpt-4o-mini"},
		{"gpt-4.1-nano-2025-04-14", "gpt-4.1-nano"},
		{"o3-2025-04-16", "o3"},
		{"gpt-5-chat-latest", "gpt-5-chat"},
		{"claude-sonnet-4-5-20250929", "claude-sonnet-4-5"},
		{"claude-3-7-sonnet-latest", "claude-3-7-sonnet"},
		{"claude-sonnet-4@20250514", "claude-sonnet-4"},
		{"openai/gpt-4o", "gpt-4o"},
		{"openrouter/anthropic/claude-haiku-4-5", "claude-haiku-4-5"},
		{"anthropic.claude-3-5-haiku-20241022-v1:0", "claude-3-5-haiku"},
		{"us.anthropic.claude-opus-4-1-20250805-v1:0", "claude-opus-4-1"},
		{"claude-opus-4-6", "claude-opus-4-6"},
		{"llama3.1:8b", "llama3.1:8b"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			assert.Equal(t, tt.want, modelFamily(tt.model))
		})
	}
}

func TestDefaultPricingLookup(t *testing.T) {
	def := DefaultPricing()
	tests := []struct {
		model  string
		family string // "" means unpriced
	}{
		{"gpt-4o", "gpt-4o"},
		{"gpt-4o-2024-08-06", "gpt-4o"},
		{"gpt-4o-mini-2024-07-18", "gpt-4o-mini"},
		{"gpt-5-mini-2025-08-07", "gpt-5-mini"},
		{"gpt-5-chat-latest", "gpt-5-chat"},
		{"claude-sonnet-4-5-20250929", "claude-sonnet-4-5"},
		{"claude-opus-4-20250514", "claude-opus-4"},
		{"claude-opus-4-1-20250805", "claude-opus-4-1"},
		{"claude-3-5-haiku-latest", "claude-3-5-haiku"},
		{"openai/gpt-4.1-mini", "gpt-4.1-mini"},
		{"us.anthropic.claude-sonnet-4-20250514-v1:0", "claude-sonnet-4"},
		// Default entries never match by prefix: a newer model is unpriced, not costed as an older one.
		{"claude-opus-4-6", ""},
		{"gpt-4o-audio-preview", ""},
		{"gpt-5.2", ""},
		{"llama3.1:8b", ""},
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			var x priceIndex
			x.init(newConfig(nil))
			mp, ok := x.lookup(tt.model)
			if tt.family == "" {
				assert.False(t, ok)
				return
			}
			require.True(t, ok)
			assert.Equal(t, def[tt.family], mp)
		})
	}
}

func TestUserPricingMergesOverDefaults(t *testing.T) {
	def := DefaultPricing()
	mine := ModelPrice{Input: 1, Output: 2}
	catchAll := ModelPrice{Input: 7, Output: 7}
	user := Pricing{"gpt-4o": mine, "my-model": mine, "claude": catchAll}
	tests := []struct {
		name     string
		defaults bool
		model    string
		want     ModelPrice
		found    bool
	}{
		{"user entry wins over the default of that name", true, "gpt-4o", mine, true},
		{"and over its snapshots", true, "gpt-4o-2024-08-06", mine, true},
		{"defaults the user does not name stay", true, "gpt-4o-mini-2024-07-18", def["gpt-4o-mini"], true},
		{"a default family beats a shorter user prefix", true, "claude-sonnet-4-5-20250929", def["claude-sonnet-4-5"], true},
		{"user entries keep prefix matching", true, "claude-opus-4-6", catchAll, true},
		{"user model", true, "my-model-v2", mine, true},
		{"user model behind a provider prefix", true, "acme/my-model", mine, true},
		{"defaults off: user table alone, prefix rule", false, "gpt-4o-mini", mine, true},
		{"defaults off: default models unpriced", false, "o3", ModelPrice{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var x priceIndex
			x.init(newConfig([]Option{WithPricing(user), WithDefaultPricing(tt.defaults)}))
			mp, ok := x.lookup(tt.model)
			assert.Equal(t, tt.found, ok)
			assert.Equal(t, tt.want, mp)
		})
	}
}

func TestDefaultPricingOnByDefault(t *testing.T) {
	h := newHarness(t)
	_, inv := h.Invoke(t.Context(), "a", nil)
	require.NoError(t, inv.Complete(nil, WithUsage(TokenUsage{PromptTokens: 1e6, CompletionTokens: 1e6, Model: "gpt-4o-2024-08-06"})))
	assert.InDelta(t, 2.5+10, h.CacheStatistics().CostSpent, 1e-9)
	assert.InDelta(t, 2.5+10, attrs(h.span(t, "invoke_agent a"))[semconv.CostUSDKey].AsFloat64(), 1e-9)
	st := h.Stats()
	assert.True(t, st.Models["gpt-4o-2024-08-06"].Priced)
	assert.Equal(t, defaultPrices.AsOf, st.PricingAsOf, "Stats reports the date of the default table")

	off := newHarness(t, WithDefaultPricing(false))
	_, inv = off.Invoke(t.Context(), "a", nil)
	require.NoError(t, inv.Complete(nil, WithUsage(TokenUsage{PromptTokens: 10, Model: "gpt-4o"})))
	assert.Zero(t, off.CacheStatistics().CostSpent)
	assert.Empty(t, off.Stats().PricingAsOf)
	assert.Empty(t, off.Stats().UnpricedModels, "no pricing at all is a choice, not a gap to report")
}

// TestUnpricedModelReported checks that a model missing from the price table is listed by
// Stats and logged once, and that its spans carry no cost rather than a cost of zero.
func TestUnpricedModelReported(t *testing.T) {
	var buf bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })

	h := newHarness(t)
	for range 3 {
		_, inv := h.Invoke(t.Context(), "a", nil)
		require.NoError(t, inv.Complete(nil, WithUsage(TokenUsage{PromptTokens: 5, CompletionTokens: 5, Model: "llama3.1:8b"})))
	}
	ctx, inv := h.Invoke(t.Context(), "b", nil)
	_, chat := h.StartChat(ctx, "claude-opus-4-6")
	require.NoError(t, chat.Complete(nil, WithUsage(TokenUsage{PromptTokens: 5, Model: "claude-opus-4-6"})))
	require.NoError(t, inv.Complete(nil))

	st := h.Stats()
	assert.Equal(t, []string{"claude-opus-4-6", "llama3.1:8b"}, st.UnpricedModels)
	assert.False(t, st.Models["llama3.1:8b"].Priced)
	assert.Zero(t, h.CacheStatistics().CostSpent)
	for _, s := range h.spans.Ended() {
		assert.NotContains(t, attrs(s), semconv.CostUSDKey, s.Name())
	}
	assert.Equal(t, 1, strings.Count(buf.String(), "model=llama3.1:8b"), buf.String())
	assert.Equal(t, 1, strings.Count(buf.String(), "model=claude-opus-4-6"), buf.String())
	assert.Contains(t, buf.String(), "level=WARN")
}
