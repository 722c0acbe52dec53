package otelagent

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/agenttrace/otelagent/semconv"
)

var testPricing = Pricing{
	"gpt-4o":        {Input: 2.5, Output: 10, CacheRead: 1.25, CacheWrite: 3.125},
	"claude-sonnet": {Input: 3, Output: 15, CacheRead: 0.3, CacheWrite: 3.75},
}

type step struct {
	agent string
	usage TokenUsage
	hit   bool
}

func TestCacheAccounting(t *testing.T) {
	u := func(p, c int64) TokenUsage { return TokenUsage{PromptTokens: p, CompletionTokens: c, Model: "gpt-4o"} }
	tests := []struct {
		name     string
		steps    []step
		want     CacheStatistics
		unpriced []string
	}{
		{
			name:  "hits only",
			steps: []step{{"a", u(100, 50), true}, {"a", u(100, 50), true}},
			want: CacheStatistics{Hits: 2, HitRate: 1, TokensSaved: 300, SavingsPercentage: 100,
				CostSaved: 2 * (100*2.5 + 50*10) / 1e6},
		},
		{
			name:  "misses only",
			steps: []step{{"a", u(200, 100), false}, {"a", u(200, 100), false}, {"b", u(200, 100), false}},
			want:  CacheStatistics{Misses: 3, TokensSpent: 900, CostSpent: 3 * (200*2.5 + 100*10) / 1e6},
		},
		{
			name: "mixed",
			steps: []step{{"a", u(100, 50), true}, {"a", u(100, 50), false}, {"b", u(100, 50), false},
				{"b", u(100, 50), false}},
			want: CacheStatistics{Hits: 1, Misses: 3, HitRate: 0.25, TokensSaved: 150, TokensSpent: 450,
				SavingsPercentage: 25, CostSpent: 3 * 750 / 1e6, CostSaved: 750 / 1e6},
		},
		{
			name: "provider cache reads with pricing",
			steps: []step{{"a", TokenUsage{PromptTokens: 1000, CompletionTokens: 100, CacheReadTokens: 800,
				CacheCreationTokens: 100, ReasoningTokens: 40, Model: "gpt-4o"}, false}},
			want: CacheStatistics{Misses: 1, TokensSpent: 1100, CacheReadTokens: 800, CacheCreationTokens: 100,
				CostSpent: (100*2.5 + 800*1.25 + 100*3.125 + 100*10) / 1e6, CostSaved: 800 * (2.5 - 1.25) / 1e6},
		},
		{
			name:  "explicit total wins over the sum",
			steps: []step{{"a", TokenUsage{PromptTokens: 10, CompletionTokens: 5, TotalTokens: 20, Model: "gpt-4o"}, false}},
			want:  CacheStatistics{Misses: 1, TokensSpent: 20, CostSpent: (10*2.5 + 5*10) / 1e6},
		},
		{
			name:     "unknown model costs nothing and says so",
			steps:    []step{{"a", TokenUsage{PromptTokens: 10, CompletionTokens: 5, Model: "mystery-1"}, false}},
			want:     CacheStatistics{Misses: 1, TokensSpent: 15},
			unpriced: []string{"mystery-1"},
		},
		{
			name:  "no usage",
			steps: []step{{"a", TokenUsage{}, false}, {"a", TokenUsage{}, true}},
			want:  CacheStatistics{Hits: 1, Misses: 1, HitRate: 0.5},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, WithPricing(testPricing))
			for _, s := range tt.steps {
				_, inv := h.Invoke(t.Context(), s.agent, nil)
				require.NoError(t, inv.Complete(nil, WithUsage(s.usage), WithCacheHit(s.hit)))
			}
			got := h.CacheStatistics()
			assertCacheStatistics(t, tt.want, got)
			assert.Equal(t, tt.unpriced, h.Stats().UnpricedModels)

			// The counters agree with the statistics, token for token.
			m := h.metrics(t)
			if got.TokensSpent > 0 {
				assert.Equal(t, got.TokensSpent-totalTokensOnlyExtra(tt.steps),
					sumInt(t, m[semconv.TokensName], semconv.TokenKind(semconv.TokenKindInput))+
						sumInt(t, m[semconv.TokensName], semconv.TokenKind(semconv.TokenKindOutput)))
				assert.Equal(t, got.CacheReadTokens, sumInt(t, m[semconv.TokensName], semconv.TokenKind(semconv.TokenKindCacheRead)))
			} else {
				assert.NotContains(t, m, semconv.TokensName, "no tokens were spent")
			}
			if got.TokensSaved > 0 {
				assert.Equal(t, got.TokensSaved, sumInt(t, m[semconv.CacheTokensSavedName]))
			}
			if got.CostSpent > 0 {
				assert.InDelta(t, got.CostSpent, sumFloat(t, m[semconv.CostName]), 1e-12)
			}
			if got.CostSaved > 0 {
				assert.InDelta(t, got.CostSaved, sumFloat(t, m[semconv.CostSavedName]), 1e-12)
			}
			assert.Equal(t, got.Hits, sumInt(t, m[semconv.InvocationsName], semconv.CacheHit(true)))
			assert.Equal(t, got.Misses, sumInt(t, m[semconv.InvocationsName], semconv.CacheHit(false)))

			// A hit called no model: it records no gen_ai.client.token.usage point.
			var usagePoints uint64
			if hist, ok := m[semconv.GenAIClientTokenUsageName].Data.(metricdata.Histogram[int64]); ok {
				for _, dp := range hist.DataPoints {
					usagePoints += dp.Count
				}
			}
			var modelCalls uint64
			for _, s := range tt.steps {
				if !s.hit && !s.usage.IsZero() {
					modelCalls++
				}
			}
			assert.Equal(t, 2*modelCalls, usagePoints, "one input and one output point per model call")
		})
	}
}

// totalTokensOnlyExtra is the part of the spent total that is in neither input nor output:
// explicit totals above prompt+completion.
func totalTokensOnlyExtra(steps []step) int64 {
	var extra int64
	for _, s := range steps {
		if !s.hit {
			extra += s.usage.Total() - s.usage.PromptTokens - s.usage.CompletionTokens
		}
	}
	return extra
}

func assertCacheStatistics(t *testing.T, want, got CacheStatistics) {
	t.Helper()
	assert.Equal(t, want.Hits, got.Hits, "hits")
	assert.Equal(t, want.Misses, got.Misses, "misses")
	assert.InDelta(t, want.HitRate, got.HitRate, 1e-12, "hit rate")
	assert.Equal(t, want.TokensSaved, got.TokensSaved, "tokens saved")
	assert.Equal(t, want.TokensSpent, got.TokensSpent, "tokens spent")
	assert.Equal(t, want.CacheReadTokens, got.CacheReadTokens, "cache read tokens")
	assert.Equal(t, want.CacheCreationTokens, got.CacheCreationTokens, "cache creation tokens")
	assert.InDelta(t, want.SavingsPercentage, got.SavingsPercentage, 1e-9, "savings percentage")
	assert.InDelta(t, want.CostSpent, got.CostSpent, 1e-12, "cost spent")
	assert.InDelta(t, want.CostSaved, got.CostSaved, 1e-12, "cost saved")
}

func TestChatUsageRollsUpOnce(t *testing.T) {
	chat := func(p, c, cr int64) TokenUsage {
		return TokenUsage{PromptTokens: p, CompletionTokens: c, CacheReadTokens: cr, Model: "gpt-4o"}
	}
	tests := []struct {
		name      string
		chats     []TokenUsage
		own       TokenUsage // the invocation's own WithUsage
		wantSpan  TokenUsage // what the invoke_agent span shows
		wantSpent int64
	}{
		{
			name:      "children only",
			chats:     []TokenUsage{chat(100, 10, 50), chat(200, 20, 0)},
			wantSpan:  TokenUsage{PromptTokens: 300, CompletionTokens: 30, CacheReadTokens: 50, TotalTokens: 330},
			wantSpent: 330,
		},
		{
			name:      "own usage only, the callback pair's case",
			own:       chat(500, 50, 0),
			wantSpan:  TokenUsage{PromptTokens: 500, CompletionTokens: 50, TotalTokens: 550},
			wantSpent: 550,
		},
		{
			name:      "own usage equal to the children's sum is the same tokens",
			chats:     []TokenUsage{chat(100, 10, 0), chat(200, 20, 0)},
			own:       chat(300, 30, 0),
			wantSpan:  TokenUsage{PromptTokens: 300, CompletionTokens: 30, TotalTokens: 330},
			wantSpent: 330,
		},
		{
			name:      "own usage above the children counts only the excess",
			chats:     []TokenUsage{chat(100, 10, 0)},
			own:       chat(400, 40, 0),
			wantSpan:  TokenUsage{PromptTokens: 400, CompletionTokens: 40, TotalTokens: 440},
			wantSpent: 440,
		},
		{
			name:      "own usage below the children never uncounts",
			chats:     []TokenUsage{chat(300, 30, 20)},
			own:       chat(100, 10, 0),
			wantSpan:  TokenUsage{PromptTokens: 300, CompletionTokens: 30, CacheReadTokens: 20, TotalTokens: 330},
			wantSpent: 330,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, WithPricing(testPricing))
			ctx, inv := h.Invoke(t.Context(), "planner", nil)
			for _, u := range tt.chats {
				_, c := h.StartChat(ctx, "gpt-4o")
				require.NoError(t, c.Complete(nil, WithUsage(u)))
			}
			require.NoError(t, inv.Complete(nil, WithUsage(tt.own)))

			a := attrs(h.span(t, "invoke_agent planner"))
			assert.Equal(t, tt.wantSpan.PromptTokens, a[semconv.GenAIUsageInputTokensKey].AsInt64())
			assert.Equal(t, tt.wantSpan.CompletionTokens, a[semconv.GenAIUsageOutputTokensKey].AsInt64())
			assert.Equal(t, tt.wantSpan.CacheReadTokens, a[semconv.GenAIUsageCacheReadInputTokensKey].AsInt64())
			assert.Equal(t, tt.wantSpan.TotalTokens, a[semconv.UsageTotalTokensKey].AsInt64())
			wantCost := testPricing["gpt-4o"].cost(countsOf(tt.wantSpan))
			assert.InDelta(t, wantCost, a[semconv.CostUSDKey].AsFloat64(), 1e-12, "the span's cost covers its children")

			cs := h.CacheStatistics()
			assert.Equal(t, tt.wantSpent, cs.TokensSpent, "each token counted once")
			assert.Equal(t, int64(1), cs.Misses, "chats are not cache events")
			assert.InDelta(t, wantCost, cs.CostSpent, 1e-12)
			m := h.metrics(t)
			assert.Equal(t, tt.wantSpan.PromptTokens, sumInt(t, m[semconv.TokensName], semconv.TokenKind(semconv.TokenKindInput)))
			assert.Equal(t, tt.wantSpan.PromptTokens, h.Stats().Agents["planner"].PromptTokens)
			assert.Equal(t, tt.wantSpan.PromptTokens, h.Stats().Models["gpt-4o"].PromptTokens)
		})
	}
}

func TestUsageAcrossNestedOperations(t *testing.T) {
	h := newHarness(t)
	ctx, wf := h.StartWorkflow(t.Context(), "support")
	actx, agent := h.Invoke(ctx, "researcher", nil)
	tctx, tool := h.StartTool(actx, "search")
	_, chat := h.StartChat(tctx, "gpt-4o") // a model call made by a tool still belongs to the agent
	require.NoError(t, chat.Complete(nil, WithUsage(TokenUsage{PromptTokens: 40, CompletionTokens: 2})))
	require.NoError(t, tool.Complete(nil))
	require.NoError(t, agent.Complete(nil))
	_, orphan := h.StartChat(ctx, "gpt-4o") // outside any agent: counted, rolls up nowhere
	require.NoError(t, orphan.Complete(nil, WithUsage(TokenUsage{PromptTokens: 7, CompletionTokens: 3})))
	require.NoError(t, wf.Complete(nil))

	assert.Equal(t, int64(42), attrs(h.span(t, "invoke_agent researcher"))[semconv.UsageTotalTokensKey].AsInt64())
	_, has := attrs(h.span(t, "invoke_workflow support"))[semconv.UsageTotalTokensKey]
	assert.False(t, has, "workflows do not roll up")
	assert.Equal(t, int64(52), h.CacheStatistics().TokensSpent)
	st := h.Stats()
	assert.Equal(t, int64(42), st.Agents["researcher"].TotalTokens)
	assert.Equal(t, int64(10), st.Agents[""].TotalTokens)
	assert.Equal(t, int64(1), st.Agents["researcher"].Invocations)
	assert.Equal(t, int64(1), st.Agents[""].Invocations, "the chat outside any agent")
	assert.Equal(t, int64(1), st.Models["gpt-4o"].Invocations, "the chat outside any agent")
	assert.Equal(t, int64(1), st.Models[""].Invocations, "the agent: no model requested or named")
	assert.Equal(t, int64(52), st.Models["gpt-4o"].TotalTokens, "tokens count under the model that spent them")
}

func TestChatCompletedAfterItsAgent(t *testing.T) {
	h := newHarness(t)
	ctx, agent := h.Invoke(t.Context(), "a", nil)
	_, chat := h.StartChat(ctx, "m")
	require.NoError(t, agent.Complete(nil))
	require.NoError(t, chat.Complete(nil, WithUsage(TokenUsage{PromptTokens: 5, CompletionTokens: 5})))
	assert.Equal(t, int64(10), h.CacheStatistics().TokensSpent, "late chats still count once")
	assert.Equal(t, int64(10), h.Stats().Agents["a"].TotalTokens)
}
