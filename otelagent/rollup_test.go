package otelagent

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agenttrace/otelagent/semconv"
)

// TestLateChatCountsOnce completes an agent and its chat in every order, concurrently as well,
// and checks that every total counts each token once: per token kind the larger of the agent's
// own usage and its chats' sum.
func TestLateChatCountsOnce(t *testing.T) {
	price := Pricing{"m": {Input: 1, Output: 2, CacheRead: 0.5}}
	u := func(p, c, cr int64) TokenUsage {
		return TokenUsage{PromptTokens: p, CompletionTokens: c, CacheReadTokens: cr, Model: "m"}
	}
	usages := []struct {
		name  string
		own   TokenUsage   // the agent's own WithUsage; zero for none
		early []TokenUsage // chats completed before anything else
		late  TokenUsage   // the chat whose completion races the agent's
		want  TokenUsage   // what the pair counts
	}{
		{name: "agent without usage", late: u(100, 50, 0), want: u(100, 50, 0)},
		{name: "agent usage equal to its chat", own: u(100, 50, 0), late: u(100, 50, 0), want: u(100, 50, 0)},
		{name: "agent usage above its chat", own: u(300, 80, 40), late: u(100, 50, 20), want: u(300, 80, 40)},
		{name: "chat above the agent usage", own: u(100, 50, 0), late: u(150, 20, 10), want: u(150, 50, 10)},
		{name: "an early chat and a late one", own: u(100, 50, 0), early: []TokenUsage{u(60, 10, 0)},
			late: u(60, 10, 0), want: u(120, 50, 0)},
	}
	orders := []string{"chat before agent", "agent before chat", "concurrent"}
	const trials = 200
	for _, uc := range usages {
		for _, order := range orders {
			t.Run(uc.name+"/"+order, func(t *testing.T) {
				h := newHarness(t, WithPricing(price), WithEventLog(0))
				for range trials {
					ctx, agent := h.Invoke(t.Context(), "a", nil)
					for _, e := range uc.early {
						_, c := h.StartChat(ctx, "m")
						require.NoError(t, c.Complete(nil, WithUsage(e)))
					}
					_, chat := h.StartChat(ctx, "m")
					completeAgent := func() { assert.NoError(t, agent.Complete(nil, WithUsage(uc.own))) }
					completeChat := func() { assert.NoError(t, chat.Complete(nil, WithUsage(uc.late))) }
					switch order {
					case "chat before agent":
						completeChat()
						completeAgent()
					case "agent before chat":
						completeAgent()
						completeChat()
					default:
						var wg sync.WaitGroup
						start := make(chan struct{})
						wg.Add(2)
						go func() { defer wg.Done(); <-start; completeAgent() }()
						go func() { defer wg.Done(); <-start; completeChat() }()
						close(start)
						wg.Wait()
					}
				}
				want := countsOf(uc.want)
				cs := h.CacheStatistics()
				assert.Equal(t, trials*want.total, cs.TokensSpent)
				assert.Equal(t, trials*want.cacheRead, cs.CacheReadTokens)
				assert.InDelta(t, trials*price["m"].cost(want), cs.CostSpent, 1e-9)
				assert.InDelta(t, trials*price["m"].cacheReadSaving(want), cs.CostSaved, 1e-9)
				for group, g := range map[string]GroupStats{"agent": h.Stats().Agents["a"], "model": h.Stats().Models["m"]} {
					assert.Equal(t, trials*want.prompt, g.PromptTokens, group)
					assert.Equal(t, trials*want.completion, g.CompletionTokens, group)
					assert.Equal(t, trials*want.total, g.TotalTokens, group)
				}
				assert.NotContains(t, h.Stats().Agents, "", "a late chat still belongs to its agent")
				m := h.metrics(t)
				assert.Equal(t, trials*want.prompt, sumInt(t, m[semconv.TokensName], semconv.TokenKind(semconv.TokenKindInput)))
				assert.Equal(t, trials*want.completion, sumInt(t, m[semconv.TokensName], semconv.TokenKind(semconv.TokenKindOutput)))
				assert.InDelta(t, trials*price["m"].cost(want), sumFloat(t, m[semconv.CostName]), 1e-9)
			})
		}
	}
}

// TestLateChatSpanAttributes checks what a reader of spans needs: the agent span as it ended,
// and on the late chat what it counted beyond it.
func TestLateChatSpanAttributes(t *testing.T) {
	h := newHarness(t, WithPricing(Pricing{"m": {Input: 1, Output: 2}}))
	ctx, agent := h.Invoke(t.Context(), "a", nil)
	_, early := h.StartChat(ctx, "m")
	_, late := h.StartChat(ctx, "m")
	require.NoError(t, early.Complete(nil, WithUsage(TokenUsage{PromptTokens: 10, CompletionTokens: 1})))
	require.NoError(t, agent.Complete(nil, WithUsage(TokenUsage{PromptTokens: 30, CompletionTokens: 5})))
	require.NoError(t, late.Complete(nil, WithUsage(TokenUsage{PromptTokens: 40, CompletionTokens: 2})))

	var chats []map[string]any
	for _, s := range h.spans.Ended() {
		if s.Name() != "chat m" {
			continue
		}
		a := attrs(s)
		chats = append(chats, map[string]any{
			"late":   a[semconv.RollupLateKey].AsBool(),
			"input":  a[semconv.RollupCountedInputTokensKey].AsInt64(),
			"output": a[semconv.RollupCountedOutputTokensKey].AsInt64(),
			"total":  a[semconv.RollupCountedTotalTokensKey].AsInt64(),
			"cost":   a[semconv.RollupCountedCostUSDKey].AsFloat64(),
			"shown":  a[semconv.GenAIUsageInputTokensKey].AsInt64(),
		})
	}
	require.Len(t, chats, 2)
	assert.Equal(t, map[string]any{"late": false, "input": int64(0), "output": int64(0), "total": int64(0), "cost": 0.0, "shown": int64(10)}, chats[0])
	// The agent counted 30 input and 5 output; with the late chat its chats sum to 50 input.
	assert.Equal(t, map[string]any{"late": true, "input": int64(20), "output": int64(0), "total": int64(20), "cost": 20 / 1e6, "shown": int64(40)}, chats[1])
	assert.Equal(t, int64(55), h.CacheStatistics().TokensSpent)
	assert.Equal(t, int64(35), attrs(h.span(t, "invoke_agent a"))[semconv.UsageTotalTokensKey].AsInt64())
}
