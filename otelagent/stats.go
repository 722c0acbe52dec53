package otelagent

import (
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
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

// addFinite returns sum+v. It stays finite: a NaN or infinite v is never added, and a sum that
// would overflow saturates at ±math.MaxFloat64, so one bad figure cannot spoil the total or
// the JSON it is written to.
func addFinite(sum, v float64) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return sum
	}
	sum += v
	if math.IsInf(sum, 0) {
		sum = math.Copysign(math.MaxFloat64, sum)
	}
	return sum
}

// tally is what a group counted, or one stripe's share of it. Token counts saturate at
// math.MaxInt64 and costs stay finite.
type tally struct {
	invocations, errors, hits, misses int64
	saved                             int64
	spent                             counts
	cost, costSaved                   float64
	priced                            bool
}

// count adds what o counts. model marks a model group, which also learns whether the model is
// priced.
func (t *tally) count(o *outcome, model bool) {
	if o.counted {
		t.invocations++
		if o.errType != "" {
			t.errors++
		}
		if o.isAgent {
			if o.hit {
				t.hits++
			} else {
				t.misses++
			}
		}
	}
	if !o.spent.isZero() {
		t.spent = t.spent.add(o.spent)
	}
	t.saved = satAdd(t.saved, o.saved)
	t.cost = addFinite(t.cost, o.cost)
	t.costSaved = addFinite(t.costSaved, o.costSaved)
	if model && o.priced {
		t.priced = true
	}
}

// merge adds u to t, saturating like count.
func (t *tally) merge(u *tally) {
	t.invocations = satAdd(t.invocations, u.invocations)
	t.errors = satAdd(t.errors, u.errors)
	t.hits = satAdd(t.hits, u.hits)
	t.misses = satAdd(t.misses, u.misses)
	t.saved = satAdd(t.saved, u.saved)
	t.spent = t.spent.add(u.spent)
	t.cost = addFinite(t.cost, u.cost)
	t.costSaved = addFinite(t.costSaved, u.costSaved)
	t.priced = t.priced || u.priced
}

// A group's counts are striped. Each operation draws a stripe when it starts and updates only
// that one, under the stripe's own lock: one lock and unlock in place of an atomic
// instruction per figure, and concurrent operations rarely meet on a stripe. Readers add the
// stripes up.
type stripe struct {
	// Padding to a whole pair of cache lines, so that neighbouring stripes share none. It
	// comes first: a zero-size last field would be padded itself.
	_        [(128 - (unsafe.Sizeof(sync.Mutex{})+8+unsafe.Sizeof(tally{}))%128) % 128]byte
	mu       sync.Mutex
	inFlight atomic.Int64 // started minus completed through this stripe; may be negative
	t        tally
}

// stripeCount is the number of stripes of every group: a power of two, at least the number of
// CPUs Go may use, up to 32.
var stripeCount = func() int {
	n := 2
	for n < runtime.GOMAXPROCS(0) && n < 32 {
		n *= 2
	}
	return n
}()

// randomStripe draws the stripe of an operation.
func randomStripe() uint32 { return rand.Uint32() & uint32(stripeCount-1) }

// group is the live state behind one GroupStats; safe for concurrent use.
type group struct {
	name    string // the agent or model, or OverflowGroup
	stripes []stripe
	latency latencyHistogram
}

func newGroup(name string) *group {
	return &group{name: name, stripes: make([]stripe, stripeCount)}
}

// stripe returns stripe i of g (i from randomStripe).
func (g *group) stripe(i uint32) *stripe { return &g.stripes[i] }

// count records o, completed after latency, in stripe i of g (see tally.count).
func (g *group) count(i uint32, o *outcome, latency time.Duration, model bool) {
	st := &g.stripes[i]
	st.mu.Lock()
	st.t.count(o, model)
	st.mu.Unlock()
	if o.counted {
		g.latency.record(latency)
	}
}

// total returns the sum of g's stripes and the operations in flight.
func (g *group) total() (sum tally, inFlight int64) {
	for i := range g.stripes {
		st := &g.stripes[i]
		inFlight += st.inFlight.Load()
		st.mu.Lock()
		sum.merge(&st.t)
		st.mu.Unlock()
	}
	return sum, inFlight
}

func (g *group) snapshot() GroupStats {
	t, inFlight := g.total()
	return GroupStats{
		Invocations:         t.invocations,
		InFlight:            inFlight,
		Errors:              t.errors,
		PromptTokens:        t.spent.prompt,
		CompletionTokens:    t.spent.completion,
		TotalTokens:         t.spent.total,
		CacheReadTokens:     t.spent.cacheRead,
		CacheCreationTokens: t.spent.cacheCreation,
		ReasoningTokens:     t.spent.reasoning,
		TokensSaved:         t.saved,
		CacheHits:           t.hits,
		CacheMisses:         t.misses,
		CostSpent:           t.cost,
		CostSaved:           t.costSaved,
		Priced:              t.priced,
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
	g, loaded := gs.m.LoadOrStore(name, newGroup(name))
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

// statistics is the Tracer's aggregate state: O(1) in the number of invocations. The totals
// of CacheStatistics are the sums of the agent groups, which count every operation.
type statistics struct {
	agents, models groups
	unpriced       syncMap[string, struct{}]
	unpricedN      atomic.Int64
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
	var sum tally
	s.agents.m.Range(func(_ string, g *group) bool {
		t, _ := g.total()
		sum.merge(&t)
		return true
	})
	cs := CacheStatistics{
		Hits:                sum.hits,
		Misses:              sum.misses,
		TokensSaved:         sum.saved,
		TokensSpent:         sum.spent.total,
		CacheReadTokens:     sum.spent.cacheRead,
		CacheCreationTokens: sum.spent.cacheCreation,
		CostSpent:           sum.cost,
		CostSaved:           sum.costSaved,
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
