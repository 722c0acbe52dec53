package report

import (
	"math"
	"time"

	"github.com/agenttrace/otelagent/internal/loghist"
)

// Usage is the token usage of one operation, or a sum of them.
type Usage struct {
	Prompt        int64 `json:"prompt_tokens"`
	Completion    int64 `json:"completion_tokens"`
	Total         int64 `json:"total_tokens"`
	CacheRead     int64 `json:"cache_read_tokens"`
	CacheCreation int64 `json:"cache_creation_tokens"`
	Reasoning     int64 `json:"reasoning_tokens"`
}

// add sums o into u, saturating at math.MaxInt64 rather than wrapping.
func (u *Usage) add(o Usage) {
	u.Prompt = addSat(u.Prompt, o.Prompt)
	u.Completion = addSat(u.Completion, o.Completion)
	u.Total = addSat(u.Total, o.Total)
	u.CacheRead = addSat(u.CacheRead, o.CacheRead)
	u.CacheCreation = addSat(u.CacheCreation, o.CacheCreation)
	u.Reasoning = addSat(u.Reasoning, o.Reasoning)
}

// addSat returns a+b, or the int64 bound it would pass: a sum that wrapped would turn a huge
// count negative.
func addSat(a, b int64) int64 {
	s := a + b
	switch {
	case a > 0 && b > 0 && s < 0:
		return math.MaxInt64
	case a < 0 && b < 0 && s >= 0:
		return math.MinInt64
	}
	return s
}

// addSatFloat returns a+b for finite a and b, or ±math.MaxFloat64 where the sum would be
// infinite: the report never holds a number JSON cannot carry.
func addSatFloat(a, b float64) float64 {
	s := a + b
	switch {
	case math.IsInf(s, 1):
		return math.MaxFloat64
	case math.IsInf(s, -1):
		return -math.MaxFloat64
	}
	return s
}

// tally is what one span contributes to its groups' token and cost sums.
type tally struct {
	usage     Usage
	saved     int64
	cost      float64
	costSaved float64
}

// neg returns -t, to take a tally out of a group.
func (t tally) neg() tally {
	u := t.usage
	return tally{usage: Usage{Prompt: -u.Prompt, Completion: -u.Completion, Total: -u.Total, CacheRead: -u.CacheRead,
		CacheCreation: -u.CacheCreation, Reasoning: -u.Reasoning}, saved: -t.saved, cost: -t.cost, costSaved: -t.costSaved}
}

func (t *tally) add(o tally) {
	t.usage.add(o.usage)
	t.saved = addSat(t.saved, o.saved)
	t.cost = addSatFloat(t.cost, o.cost)
	t.costSaved = addSatFloat(t.costSaved, o.costSaved)
}

// group is the running state of one row: fixed size.
type group struct {
	invocations, errors int64
	hits, misses        int64
	tally               tally
	latency             loghist.Histogram
}

func (g *group) merge(o *group) {
	g.invocations = addSat(g.invocations, o.invocations)
	g.errors = addSat(g.errors, o.errors)
	g.hits = addSat(g.hits, o.hits)
	g.misses = addSat(g.misses, o.misses)
	g.tally.add(o.tally)
	g.latency.Merge(&o.latency)
}

// Row is one line of a report: one group, one interval, or the totals.
type Row struct {
	Name        string `json:"name"`
	Invocations int64  `json:"invocations"`
	Errors      int64  `json:"errors"`
	Usage
	CacheHits         int64         `json:"cache_hits"`
	CacheMisses       int64         `json:"cache_misses"`
	HitRate           float64       `json:"hit_rate"` // 0..1
	TokensSaved       int64         `json:"tokens_saved"`
	SavingsPercentage float64       `json:"savings_percentage"` // 100*saved/(saved+spent)
	CostUSD           float64       `json:"cost_usd"`
	CostSavedUSD      float64       `json:"cost_saved_usd"`
	LatencyP50        time.Duration `json:"latency_p50_ns"`
	LatencyP95        time.Duration `json:"latency_p95_ns"`
	LatencyP99        time.Duration `json:"latency_p99_ns"`
}

// finish fills the ratios from the counts.
func (r *Row) finish() {
	r.HitRate, r.SavingsPercentage = 0, 0
	if n := r.CacheHits + r.CacheMisses; n > 0 {
		r.HitRate = float64(r.CacheHits) / float64(n)
	}
	if n := float64(r.TokensSaved) + float64(r.Total); n > 0 {
		r.SavingsPercentage = 100 * float64(r.TokensSaved) / n
	}
}

func (g *group) row(name string) Row {
	r := Row{
		Name:         name,
		Invocations:  g.invocations,
		Errors:       g.errors,
		Usage:        g.tally.usage,
		CacheHits:    g.hits,
		CacheMisses:  g.misses,
		TokensSaved:  g.tally.saved,
		CostUSD:      g.tally.cost,
		CostSavedUSD: g.tally.costSaved,
		LatencyP50:   g.latency.Quantile(0.50),
		LatencyP95:   g.latency.Quantile(0.95),
		LatencyP99:   g.latency.Quantile(0.99),
	}
	r.finish()
	return r
}

// saturated reports whether a sum of r reached the bound addSat or addSatFloat stops at.
func (r *Row) saturated() bool {
	for _, v := range []int64{r.Prompt, r.Completion, r.Total, r.CacheRead, r.CacheCreation, r.Reasoning, r.TokensSaved} {
		if v == math.MaxInt64 {
			return true
		}
	}
	return math.Abs(r.CostUSD) == math.MaxFloat64 || math.Abs(r.CostSavedUSD) == math.MaxFloat64
}

// nonFinite reports the name of a field of r that holds NaN or an infinity, or "".
func (r *Row) nonFinite() string {
	for _, f := range []struct {
		name string
		v    float64
	}{{"hit_rate", r.HitRate}, {"savings_percentage", r.SavingsPercentage}, {"cost_usd", r.CostUSD}, {"cost_saved_usd", r.CostSavedUSD}} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return f.name
		}
	}
	return ""
}
