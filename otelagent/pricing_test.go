package otelagent

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParsePricing(t *testing.T) {
	tests := []struct {
		name    string
		json    string
		want    Pricing
		wantErr string
	}{
		{"valid", `{"gpt-4o": {"input": 2.5, "output": 10, "cache_read": 1.25}}`,
			Pricing{"gpt-4o": {Input: 2.5, Output: 10, CacheRead: 1.25}}, ""},
		{"empty table", `{}`, Pricing{}, ""},
		{"unknown field", `{"gpt-4o": {"inptu": 2.5}}`, nil, `unknown field "inptu"`},
		{"negative price", `{"gpt-4o": {"input": -1}}`, nil, "gpt-4o.input: -1 is not a price"},
		{"empty model name", `{" ": {"input": 1}}`, nil, "empty model name"},
		{"not an object", `[1,2]`, nil, "cannot unmarshal array"},
		{"null", `null`, nil, "expected a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePricing([]byte(tt.json))
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestLoadPricing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pricing.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"m": {"input": 1, "output": 2}}`), 0o600))
	p, err := LoadPricing(path)
	require.NoError(t, err)
	assert.Equal(t, Pricing{"m": {Input: 1, Output: 2}}, p)

	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"m": {"input": "cheap"}}`), 0o600))
	_, err = LoadPricing(bad)
	require.Error(t, err)
	assert.Contains(t, err.Error(), bad, "the error names the file")

	_, err = LoadPricing(filepath.Join(dir, "missing.json"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestPricingLookup(t *testing.T) {
	p := Pricing{"gpt-4o": {Input: 2.5}, "gpt-4o-mini": {Input: 0.15}, "claude": {Input: 3}}
	tests := []struct {
		model string
		input float64
		found bool
	}{
		{"gpt-4o", 2.5, true},
		{"gpt-4o-2024-08-06", 2.5, true},
		{"gpt-4o-mini-2024-07-18", 0.15, true},
		{"claude@20250101", 3, true},
		{"openai/gpt-4o", 2.5, true},
		{"openai/gpt-4o-mini-2024-07-18", 0.15, true},
		{"us.anthropic.claude-20250101-v1:0", 3, true},
		{"acme/claude-x", 3, true},
		{"gpt-4omni", 0, false},
		{"llama", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		mp, ok := p.Lookup(tt.model)
		assert.Equal(t, tt.found, ok, tt.model)
		assert.Equal(t, tt.input, mp.Input, tt.model)
	}
}

func TestModelPriceCost(t *testing.T) {
	c := counts{prompt: 1000, completion: 200, cacheRead: 600, cacheCreation: 100}
	full := ModelPrice{Input: 3, Output: 15, CacheRead: 0.3, CacheWrite: 3.75}
	assert.InDelta(t, (300*3+600*0.3+100*3.75+200*15)/1e6, full.cost(c), 1e-15)
	assert.InDelta(t, 600*(3-0.3)/1e6, full.cacheReadSaving(c), 1e-15)

	// Unset cache prices mean no known discount: input price, and no saving claimed.
	plain := ModelPrice{Input: 3, Output: 15}
	assert.InDelta(t, (1000*3+200*15)/1e6, plain.cost(c), 1e-15)
	assert.Zero(t, plain.cacheReadSaving(c))

	spent, saved := full.Cost(TokenUsage{PromptTokens: 1000, CompletionTokens: 200, CacheReadTokens: 600, CacheCreationTokens: 100})
	assert.Equal(t, full.cost(c), spent)
	assert.Equal(t, full.cacheReadSaving(c), saved)
}

// Cost sums in float64: counts whose integer difference would wrap still cost a finite,
// correctly signed amount.
func TestModelPriceCostDoesNotWrap(t *testing.T) {
	mp := ModelPrice{Input: 1, CacheRead: 2, CacheWrite: 2}
	spent, _ := mp.Cost(TokenUsage{CacheReadTokens: math.MaxInt64, CacheCreationTokens: math.MaxInt64})
	// -2M uncached tokens at 1, then 2M cache tokens at 2: 2M in all, where M = MaxInt64.
	assert.InEpsilon(t, 2*float64(math.MaxInt64)/1e6, spent, 1e-9)
}

func TestWithPricingCopiesTheTable(t *testing.T) {
	p := Pricing{"m": {Input: 1e6}}
	h := newHarness(t, WithPricing(p))
	p["m"] = ModelPrice{Input: 0}
	_, inv := h.Invoke(t.Context(), "a", nil)
	require.NoError(t, inv.Complete(nil, WithUsage(TokenUsage{PromptTokens: 2, Model: "m"})))
	assert.InDelta(t, 2.0, h.CacheStatistics().CostSpent, 1e-12)
	assert.True(t, h.Stats().Models["m"].Priced)
}
