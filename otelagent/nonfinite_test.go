package otelagent

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
)

// captureHandled routes otel.Handle to the returned list for the test's duration.
func captureHandled(t *testing.T) func() []string {
	t.Helper()
	var mu sync.Mutex
	var got []string
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		mu.Lock()
		got = append(got, err.Error())
		mu.Unlock()
	}))
	t.Cleanup(func() { otel.SetErrorHandler(otel.ErrorHandlerFunc(func(error) {})) })
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), got...)
	}
}

func TestParsePricingRejectsBadPrices(t *testing.T) {
	tests := []struct {
		name, json, want string
	}{
		{"too large to cost finitely", `{"gpt-4o": {"input": 1e308}}`, "gpt-4o.input: 1e+308 is not a price"},
		{"unknown field names the model", `{"gpt-4o": {"input": 1}, "claude": {"inptu": 2.5}}`, `claude: json: unknown field "inptu"`},
		{"wrong type names the model", `{"claude": {"input": "2.5"}}`, `claude: json: cannot unmarshal string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePricing([]byte(tt.json))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Nil(t, got, "no table with an error")
		})
	}
}

func TestPricingValidate(t *testing.T) {
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), -1, 1e300} {
		err := Pricing{"m": {Output: v}}.Validate()
		require.Error(t, err, "%v", v)
		assert.Contains(t, err.Error(), "m.output")
	}
	assert.NoError(t, Pricing{"m": {Input: 1e6, Output: 0, CacheRead: 0.1}}.Validate())
}

func TestWithPricingDropsInvalidEntries(t *testing.T) {
	handled := captureHandled(t)
	h := newHarness(t, WithPricing(Pricing{
		"nan": {Input: math.NaN()}, "inf": {Output: math.Inf(1)}, "neg": {CacheRead: -1}, "ok": {Input: 1, Output: 2},
	}))
	errs := handled()
	require.Len(t, errs, 1, "reported once")
	for _, m := range []string{"nan.input", "inf.output", "neg.cache_read"} {
		assert.Contains(t, errs[0], m)
	}
	for _, model := range []string{"nan", "inf", "neg", "ok"} {
		_, inv := h.Invoke(t.Context(), "a", nil)
		require.NoError(t, inv.Complete(nil, WithUsage(TokenUsage{PromptTokens: 1000, CompletionTokens: 1000, Model: model})))
	}
	cs := h.CacheStatistics()
	assert.InDelta(t, 3000/1e6, cs.CostSpent, 1e-12, "only the valid entry prices")
	assert.ElementsMatch(t, []string{"inf", "nan", "neg"}, h.Stats().UnpricedModels)
	require.NoError(t, h.SaveTrace(filepath.Join(t.TempDir(), "t.json")))
}

func TestSaveTraceWithNonFiniteAttributes(t *testing.T) {
	h := newHarness(t)
	h.RecordEvent(t.Context(), Event{Name: "e", Attributes: []attribute.KeyValue{
		attribute.Float64("nan", math.NaN()), attribute.Float64("inf", math.Inf(1)),
		attribute.Float64Slice("s", []float64{1, math.Inf(-1)}), attribute.Float64("ok", 1.5),
	}})
	path := filepath.Join(t.TempDir(), "t.json")
	require.NoError(t, h.SaveTrace(path))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var doc struct {
		Events []struct {
			Attributes map[string]any `json:"attributes"`
		} `json:"events"`
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	require.Len(t, doc.Events, 1)
	assert.Equal(t, map[string]any{"nan": "NaN", "inf": "+Inf", "s": []any{1.0, "-Inf"}, "ok": 1.5}, doc.Events[0].Attributes)
}

func TestAddFiniteStaysFinite(t *testing.T) {
	sum := addFinite(addFinite(0, math.NaN()), math.Inf(1))
	assert.Zero(t, sum, "non-finite values are never added")
	sum = addFinite(addFinite(sum, math.MaxFloat64), math.MaxFloat64)
	assert.Equal(t, math.MaxFloat64, sum, "saturated")
	assert.Equal(t, -math.MaxFloat64, addFinite(-math.MaxFloat64, -math.MaxFloat64), "saturated below")
}
