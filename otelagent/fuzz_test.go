package otelagent

import (
	"math"
	"testing"
)

func FuzzUsageValidate(f *testing.F) {
	f.Add(int64(100), int64(50), int64(0), int64(10), int64(5), int64(2), false)
	f.Add(int64(math.MaxInt64), int64(1), int64(0), int64(0), int64(0), int64(0), true)
	f.Add(int64(10), int64(0), int64(0), int64(math.MaxInt64), int64(math.MaxInt64), int64(0), false)
	f.Add(int64(-1), int64(0), int64(0), int64(0), int64(0), int64(0), false)
	f.Fuzz(func(t *testing.T, prompt, completion, total, cacheRead, cacheCreation, reasoning int64, hit bool) {
		u := TokenUsage{PromptTokens: prompt, CompletionTokens: completion, TotalTokens: total,
			CacheReadTokens: cacheRead, CacheCreationTokens: cacheCreation, ReasoningTokens: reasoning, Model: "m"}
		err := u.Validate()
		tr := New(WithEventLog(0), WithPricing(Pricing{"m": {Input: 1e9, Output: 1e9, CacheRead: 1, CacheWrite: 1e9}}))
		for range 3 {
			_, inv := tr.Invoke(t.Context(), "a", nil)
			_ = inv.Complete(nil, WithUsage(u), WithCacheHit(hit))
		}
		cs := tr.CacheStatistics()
		if cs.TokensSpent < 0 || cs.TokensSaved < 0 || cs.CacheReadTokens < 0 || cs.CacheCreationTokens < 0 {
			t.Fatalf("negative totals %+v for %+v", cs, u)
		}
		if math.IsNaN(cs.CostSpent) || math.IsInf(cs.CostSpent, 0) || math.IsNaN(cs.CostSaved) || math.IsInf(cs.CostSaved, 0) {
			t.Fatalf("non-finite cost %+v for %+v", cs, u)
		}
		if err != nil {
			if cs.TokensSpent != 0 || cs.TokensSaved != 0 {
				t.Fatalf("invalid usage %+v (%v) was counted: %+v", u, err, cs)
			}
			return
		}
		want := satAdd(satAdd(u.Total(), u.Total()), u.Total())
		got := cs.TokensSpent
		if hit {
			got = cs.TokensSaved
		}
		if got != want {
			t.Fatalf("counted %d, want %d for %+v", got, want, u)
		}
	})
}

func FuzzParsePricing(f *testing.F) {
	f.Add([]byte(`{"gpt-4o": {"input": 2.5, "output": 10, "cache_read": 1.25}}`))
	f.Add([]byte(`{"m": {"input": 1e308}}`))
	f.Add([]byte(`{"m": {"inptu": 1}}`))
	f.Add([]byte(`{"": {}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePricing(data)
		if err != nil {
			if p != nil {
				t.Fatalf("a table with an error: %v", err)
			}
			return
		}
		const maxI = math.MaxInt64
		extreme := []counts{
			{prompt: maxI, completion: maxI, total: maxI},
			{prompt: maxI, completion: maxI, total: maxI, cacheRead: maxI / 2, cacheCreation: maxI / 2},
			{prompt: maxI, cacheRead: maxI, total: maxI},
		}
		for model, mp := range p {
			for _, v := range []float64{mp.Input, mp.Output, mp.CacheRead, mp.CacheWrite} {
				if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
					t.Fatalf("accepted %s with price %v", model, v)
				}
			}
			for _, c := range extreme {
				for _, cost := range []float64{mp.cost(c), mp.cacheReadSaving(c)} {
					if math.IsNaN(cost) || math.IsInf(cost, 0) {
						t.Fatalf("%s: cost %v of %+v", model, cost, c)
					}
				}
			}
		}
	})
}
