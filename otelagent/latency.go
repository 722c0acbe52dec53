package otelagent

import (
	"math/bits"
	"sync/atomic"
	"time"
)

// The latency histogram is log-linear: each power of two of nanoseconds is split into
// latencySub equal buckets, so a quantile is off by at most 1/latencySub (3.1%) of its value.
// Its size is fixed whatever the number of observations.
const (
	latencySubBits = 5
	latencySub     = 1 << latencySubBits
	latencyBuckets = (64 - latencySubBits + 1) * latencySub
)

// latencyHistogram records durations with atomics; safe for concurrent use.
type latencyHistogram struct {
	count  atomic.Int64
	max    atomic.Int64
	counts [latencyBuckets]atomic.Int64
}

func latencyIndex(ns uint64) int {
	if ns < latencySub {
		return int(ns)
	}
	exp := bits.Len64(ns) - latencySubBits // >= 1
	return exp*latencySub + int(ns>>(exp-1)) - latencySub
}

// latencyUpper returns the largest value that falls in bucket i.
func latencyUpper(i int) uint64 {
	if i < latencySub {
		return uint64(i)
	}
	exp := i / latencySub
	mant := uint64(i%latencySub + latencySub)
	return (mant+1)<<(exp-1) - 1
}

func (h *latencyHistogram) record(d time.Duration) {
	ns := max(int64(d), 0)
	h.counts[latencyIndex(uint64(ns))].Add(1)
	h.count.Add(1)
	for {
		m := h.max.Load()
		if ns <= m || h.max.CompareAndSwap(m, ns) {
			return
		}
	}
}

// quantile returns the q-quantile (0 < q <= 1): the upper edge of the bucket holding it,
// clamped to the largest duration seen.
func (h *latencyHistogram) quantile(q float64) time.Duration {
	n := h.count.Load()
	if n == 0 {
		return 0
	}
	rank := int64(q*float64(n) + 0.5)
	rank = min(max(rank, 1), n)
	var seen int64
	mx := h.max.Load()
	for i := range h.counts {
		seen += h.counts[i].Load()
		if seen >= rank {
			return time.Duration(min(int64(latencyUpper(i)), mx))
		}
	}
	return time.Duration(mx)
}

// Latency summarises durations of completed operations.
type Latency struct {
	Count int64         `json:"count"`
	P50   time.Duration `json:"p50_ns"`
	P95   time.Duration `json:"p95_ns"`
	P99   time.Duration `json:"p99_ns"`
	Max   time.Duration `json:"max_ns"`
}

func (h *latencyHistogram) summary() Latency {
	return Latency{
		Count: h.count.Load(),
		P50:   h.quantile(0.50),
		P95:   h.quantile(0.95),
		P99:   h.quantile(0.99),
		Max:   time.Duration(h.max.Load()),
	}
}
