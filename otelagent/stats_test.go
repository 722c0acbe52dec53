package otelagent

import (
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agenttrace/otelagent/semconv"
)

func TestStatsPerAgentAndModel(t *testing.T) {
	h := newHarness(t, WithPricing(Pricing{"gpt-4o": {Input: 1, Output: 1}}))
	ctx, open := h.Invoke(t.Context(), "planner", nil, WithRequestModel("gpt-4o"))
	st := h.Stats()
	assert.Equal(t, int64(1), st.Agents["planner"].InFlight)
	assert.Equal(t, int64(1), st.Models["gpt-4o"].InFlight, "in flight is keyed by the requested model")

	_, chat := h.StartChat(ctx, "gpt-4o")
	require.NoError(t, chat.Complete(nil, WithUsage(TokenUsage{PromptTokens: 100, CompletionTokens: 20, ReasoningTokens: 5, Model: "gpt-4o"})))
	require.NoError(t, open.Complete(nil))
	_, hit := h.Invoke(t.Context(), "planner", nil)
	require.NoError(t, hit.Complete(nil, WithCacheHit(true), WithUsage(TokenUsage{PromptTokens: 100, CompletionTokens: 20, Model: "gpt-4o"})))
	_, failed := h.Invoke(t.Context(), "coder", nil)
	require.NoError(t, failed.Complete(nil, WithError(errors.New("x")), WithUsage(TokenUsage{PromptTokens: 7, Model: "llama-3"})))

	st = h.Stats()
	planner := st.Agents["planner"]
	assert.Equal(t, int64(2), planner.Invocations)
	assert.Equal(t, int64(0), planner.InFlight)
	assert.Equal(t, int64(1), planner.CacheHits)
	assert.Equal(t, int64(1), planner.CacheMisses)
	assert.Equal(t, int64(100), planner.PromptTokens)
	assert.Equal(t, int64(5), planner.ReasoningTokens)
	assert.Equal(t, int64(120), planner.TokensSaved)
	assert.InDelta(t, 120/1e6, planner.CostSpent, 1e-12)
	assert.InDelta(t, 120/1e6, planner.CostSaved, 1e-12)
	assert.Equal(t, int64(2), planner.Latency.Count)
	assert.Positive(t, planner.Latency.Max)
	assert.LessOrEqual(t, planner.Latency.P50, planner.Latency.Max)

	coder := st.Agents["coder"]
	assert.Equal(t, int64(1), coder.Errors)
	assert.Equal(t, int64(7), coder.TotalTokens)

	gpt := st.Models["gpt-4o"]
	assert.Equal(t, int64(2), gpt.Invocations, "the invocation its chat answered for (the chat is part of it) and the hit")
	assert.Equal(t, int64(0), gpt.InFlight)
	assert.True(t, gpt.Priced)
	assert.False(t, st.Models["llama-3"].Priced)
	assert.Equal(t, []string{"llama-3"}, st.UnpricedModels)
}

func TestStatsGroupsAreBounded(t *testing.T) {
	h := newHarness(t)
	for i := range maxGroups + 50 {
		_, inv := h.Invoke(t.Context(), "agent-"+time.Duration(i).String(), nil)
		require.NoError(t, inv.Complete(nil))
	}
	st := h.Stats()
	assert.Len(t, st.Agents, maxGroups+1)
	assert.Equal(t, int64(50), st.Agents[OverflowGroup].Invocations)
	assert.Equal(t, int64(maxGroups+50), h.CacheStatistics().Misses, "the totals count the pooled agents too")
}

// TestStripesShareNoCacheLine checks the padding of a statistics stripe: stripes are updated
// from different cores, and two on one cache line would make them wait on each other.
func TestStripesShareNoCacheLine(t *testing.T) {
	assert.Zero(t, unsafe.Sizeof(stripe{})%128, "a stripe spans whole pairs of cache lines")
	assert.Equal(t, stripeCount&(stripeCount-1), 0, "a power of two")
	assert.GreaterOrEqual(t, stripeCount, min(runtime.GOMAXPROCS(0), 32))
}

// TestTracerConcurrentSafe hammers one Tracer from many goroutines; the statistics and the
// metric sums must come out exact.
func TestTracerConcurrentSafe(t *testing.T) {
	const goroutines, perG = 32, 2000
	h := newHarness(t, WithPricing(testPricing), WithEventLog(64))
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			agent := []string{"planner", "coder", "critic", "writer"}[g%4]
			for i := range perG {
				ctx, inv := h.Invoke(t.Context(), agent, nil)
				switch i % 4 {
				case 0: // a response-cache hit
					assert.NoError(t, inv.Complete(nil, WithCacheHit(true), WithUsage(TokenUsage{PromptTokens: 30, CompletionTokens: 10, Model: "gpt-4o"})))
				case 1: // a chat inside the invocation
					_, chat := h.StartChat(ctx, "gpt-4o")
					assert.NoError(t, chat.Complete(nil, WithUsage(TokenUsage{PromptTokens: 20, CompletionTokens: 5, CacheReadTokens: 10, Model: "gpt-4o"})))
					assert.NoError(t, inv.Complete(nil))
				case 2: // own usage, with a double Complete racing nothing
					assert.NoError(t, inv.Complete(nil, WithUsage(TokenUsage{PromptTokens: 8, CompletionTokens: 2, Model: "claude-sonnet"})))
					assert.ErrorIs(t, inv.Complete(nil), ErrAlreadyCompleted)
				default: // an error
					assert.NoError(t, inv.Complete(nil, WithError(errors.New("x")), WithUsage(TokenUsage{PromptTokens: 1, Model: "gpt-4o"})))
				}
				_ = h.CacheStatistics() // readers run alongside writers
			}
		})
	}
	wg.Wait()

	n := int64(goroutines * perG / 4) // invocations of each kind
	cs := h.CacheStatistics()
	assert.Equal(t, n, cs.Hits)
	assert.Equal(t, 3*n, cs.Misses)
	assert.Equal(t, 40*n, cs.TokensSaved)
	assert.Equal(t, (25+10+1)*n, cs.TokensSpent)
	assert.Equal(t, 10*n, cs.CacheReadTokens)
	gpt, claude := testPricing["gpt-4o"], testPricing["claude-sonnet"]
	wantCost := float64(n) * (gpt.cost(counts{prompt: 20, completion: 5, cacheRead: 10}) +
		claude.cost(counts{prompt: 8, completion: 2}) + gpt.cost(counts{prompt: 1}))
	assert.InEpsilon(t, wantCost, cs.CostSpent, 1e-9)

	st := h.Stats()
	var invocations, errs, inFlight int64
	for _, g := range st.Agents {
		invocations += g.Invocations
		errs += g.Errors
		inFlight += g.InFlight
	}
	assert.Equal(t, 4*n, invocations)
	assert.Equal(t, n, errs)
	assert.Zero(t, inFlight)
	assert.Equal(t, 3*n, st.Models["gpt-4o"].Invocations, "gpt-4o: the hits, the chats and the errors")

	m := h.metrics(t)
	assert.Equal(t, 29*n, sumInt(t, m[semconv.TokensName], semconv.TokenKind(semconv.TokenKindInput)))
	assert.Equal(t, 7*n, sumInt(t, m[semconv.TokensName], semconv.TokenKind(semconv.TokenKindOutput)))
	assert.Equal(t, 40*n, sumInt(t, m[semconv.CacheTokensSavedName]))
	assert.Equal(t, 4*n, sumInt(t, m[semconv.InvocationsName], semconv.GenAIOperationName(semconv.OperationInvokeAgent)))
	assert.Equal(t, n, sumInt(t, m[semconv.InvocationsName], semconv.GenAIOperationName(semconv.OperationChat)))
	assert.Zero(t, sumInt(t, m[semconv.InvocationsActiveName]))
	assert.InEpsilon(t, wantCost, sumFloat(t, m[semconv.CostName]), 1e-9)
	assert.Len(t, h.Events(), 64)
}
