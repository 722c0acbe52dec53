package otelagent

import (
	"math"
	"sort"
	"sync/atomic"
)

// CacheStatistics answers "how much did caching save us?". Hits and Misses count completed
// agent invocations; tokens and costs follow the package's counting rules (see the package
// documentation).
type CacheStatistics struct {
	Hits                int64   `json:"hits"`
	Misses              int64   `json:"misses"`
	HitRate             float64 `json:"hit_rate"` // Hits/(Hits+Misses), 0..1
	TokensSaved         int64   `json:"tokens_saved"`
	TokensSpent         int64   `json:"tokens_spent"`
	CacheReadTokens     int64   `json:"cache_read_tokens"`
	CacheCreationTokens int64   `json:"cache_creation_tokens"`
	SavingsPercentage   float64 `json:"savings_percentage"` // 100*TokensSaved/(TokensSaved+TokensSpent)
	CostSpent           float64 `json:"cost_spent_usd"`
	CostSaved           float64 `json:"cost_saved_usd"`
}

// Stats are the Tracer's running statistics per agent and per model.
type Stats struct {
	// Agents is keyed by agent name ("" for operations outside any agent).
	Agents map[string]GroupStats `json:"agents"`
	// Models is keyed by the model of an operation (see the package documentation; "" for
	// operations without one).
	Models map[string]GroupStats `json:"models"`
	// UnpricedModels lists models that counted tokens while the Tracer had pricing that does
	// not know them; their cost is zero. Sorted.
	UnpricedModels []string `json:"unpriced_models,omitempty"`
	// PricingAsOf is the date of the default price table (DefaultPricing) when it is on.
	PricingAsOf string `json:"pricing_as_of,omitempty"`
}

// GroupStats are the statistics of one agent or one model.
//
// Invocations, Errors, CacheHits, CacheMisses and Latency describe invoke_agent operations and
// chat calls outside any agent: of the agent ("" outside any), or of the model of the
// operation. Tokens and costs are those spent by the agent's operations, including the chat
// calls made inside it, or by operations of the model. Agent and model groups each add up to
// the totals. InFlight counts the agent's invoke_agent operations in progress, or every
// operation in progress that requested the model.
type GroupStats struct {
	Invocations         int64   `json:"invocations"`
	InFlight            int64   `json:"in_flight"`
	Errors              int64   `json:"errors"`
	PromptTokens        int64   `json:"prompt_tokens"`
	CompletionTokens    int64   `json:"completion_tokens"`
	TotalTokens         int64   `json:"total_tokens"`
	CacheReadTokens     int64   `json:"cache_read_tokens"`
	CacheCreationTokens int64   `json:"cache_creation_tokens"`
	ReasoningTokens     int64   `json:"reasoning_tokens"`
	TokensSaved         int64   `json:"tokens_saved"`
	CacheHits           int64   `json:"cache_hits"`
	CacheMisses         int64   `json:"cache_misses"`
	CostSpent           float64 `json:"cost_spent_usd"`
	CostSaved           float64 `json:"cost_saved_usd"`
	Priced              bool    `json:"priced"` // a model group whose price is known
	Latency             Latency `json:"latency"`
}

// atomicFloat is a float64 updated by compare-and-swap. It stays finite: a NaN or infinite
// value is never added, and a sum that would overflow saturates at ±math.MaxFloat64, so one
// bad figure cannot spoil the total or the JSON it is written to.
type atomicFloat struct{ bits atomic.Uint64 }

func (f *atomicFloat) add(v float64) {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return
	}
	for {
		old := f.bits.Load()
		sum := math.Float64frombits(old) + v
		if math.IsInf(sum, 0) {
			sum = math.Copysign(math.MaxFloat64, sum)
		}
		if f.bits.CompareAndSwap(old, math.Float64bits(sum)) {
			return
		}
	}
}

func (f *atomicFloat) load() float64 { return math.Float64frombits(f.bits.Load()) }

// tokenTally accumulates token counts with atomics, saturating at math.MaxInt64.
type tokenTally struct {
	prompt, completion, total, cacheRead, cacheCreation, reasoning atomic.Int64
}

func (t *tokenTally) add(c counts) {
	if c.isZero() {
		return
	}
	satAddAtomic(&t.prompt, c.prompt)
	satAddAtomic(&t.completion, c.completion)
	satAddAtomic(&t.total, c.total)
	satAddAtomic(&t.cacheRead, c.cacheRead)
	satAddAtomic(&t.cacheCreation, c.cacheCreation)
	satAddAtomic(&t.reasoning, c.reasoning)
}

// spentTotals are the parts of a tokenTally that CacheStatistics reports.
type spentTotals struct{ total, cacheRead, cacheCreation atomic.Int64 }

func (t *spentTotals) add(c counts) {
	satAddAtomic(&t.total, c.total)
	satAddAtomic(&t.cacheRead, c.cacheRead)
	satAddAtomic(&t.cacheCreation, c.cacheCreation)
}

// group is the live state behind one GroupStats; safe for concurrent use.
type group struct {
	invocations, inFlight, errors atomic.Int64
	hits, misses                  atomic.Int64
	saved                         atomic.Int64
	spent                         tokenTally
	cost, costSaved               atomicFloat
	priced                        atomic.Bool
	latency                       latencyHistogram
}

func (g *group) snapshot() GroupStats {
	return GroupStats{
		Invocations:         g.invocations.Load(),
		InFlight:            g.inFlight.Load(),
		Errors:              g.errors.Load(),
		PromptTokens:        g.spent.prompt.Load(),
		CompletionTokens:    g.spent.completion.Load(),
		TotalTokens:         g.spent.total.Load(),
		CacheReadTokens:     g.spent.cacheRead.Load(),
		CacheCreationTokens: g.spent.cacheCreation.Load(),
		ReasoningTokens:     g.spent.reasoning.Load(),
		TokensSaved:         g.saved.Load(),
		CacheHits:           g.hits.Load(),
		CacheMisses:         g.misses.Load(),
		CostSpent:           g.cost.load(),
		CostSaved:           g.costSaved.load(),
		Priced:              g.priced.Load(),
		Latency:             g.latency.summary(),
	}
}

// maxGroups bounds the number of agent and of model groups; names beyond it are pooled under
// OverflowGroup so memory stays bounded whatever names callers use.
const maxGroups = 1000

// OverflowGroup is the Stats key that pools agents or models past the first 1000 names.
const OverflowGroup = "_OTHER"

// groups maps names to their live state.
type groups struct {
	m syncMap[string, *group]
	n atomic.Int64
}

func (gs *groups) get(name string) *group {
	if g, ok := gs.m.Load(name); ok {
		return g
	}
	if gs.n.Load() >= maxGroups {
		name = OverflowGroup
		if g, ok := gs.m.Load(name); ok {
			return g
		}
	}
	g, loaded := gs.m.LoadOrStore(name, new(group))
	if !loaded {
		gs.n.Add(1)
	}
	return g
}

func (gs *groups) snapshot() map[string]GroupStats {
	out := make(map[string]GroupStats)
	gs.m.Range(func(name string, g *group) bool {
		out[name] = g.snapshot()
		return true
	})
	return out
}

// statistics is the Tracer's aggregate state: O(1) in the number of invocations.
type statistics struct {
	hits, misses        atomic.Int64
	saved               atomic.Int64
	spent               spentTotals
	costSpent, costSave atomicFloat
	agents, models      groups
	unpriced            syncMap[string, struct{}]
	unpricedN           atomic.Int64
}

// noteUnpriced remembers a model pricing does not know, up to maxGroups names, and reports
// whether it is new.
func (s *statistics) noteUnpriced(model string) bool {
	if s.unpricedN.Load() >= maxGroups {
		return false
	}
	if _, loaded := s.unpriced.LoadOrStore(model, struct{}{}); !loaded {
		s.unpricedN.Add(1)
		return true
	}
	return false
}

func (s *statistics) cacheStatistics() CacheStatistics {
	cs := CacheStatistics{
		Hits:                s.hits.Load(),
		Misses:              s.misses.Load(),
		TokensSaved:         s.saved.Load(),
		TokensSpent:         s.spent.total.Load(),
		CacheReadTokens:     s.spent.cacheRead.Load(),
		CacheCreationTokens: s.spent.cacheCreation.Load(),
		CostSpent:           s.costSpent.load(),
		CostSaved:           s.costSave.load(),
	}
	if n := cs.Hits + cs.Misses; n > 0 {
		cs.HitRate = float64(cs.Hits) / float64(n)
	}
	if n := float64(cs.TokensSaved) + float64(cs.TokensSpent); n > 0 {
		cs.SavingsPercentage = 100 * float64(cs.TokensSaved) / n
	}
	return cs
}

func (s *statistics) stats() Stats {
	st := Stats{Agents: s.agents.snapshot(), Models: s.models.snapshot()}
	s.unpriced.Range(func(m string, _ struct{}) bool {
		st.UnpricedModels = append(st.UnpricedModels, m)
		return true
	})
	sort.Strings(st.UnpricedModels)
	return st
}
