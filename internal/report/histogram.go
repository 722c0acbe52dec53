package report

import (
	"math"
	"math/bits"
	"time"
)

// histSub is the number of linear sub-buckets per power of two: relative error under 1/histSub.
const (
	histSubBits = 3
	histSub     = 1 << histSubBits
	// histBuckets covers durations up to 2^63 ns.
	histBuckets = 64 * histSub
)

// Histogram records durations in fixed log-linear buckets: every power of two of nanoseconds
// is split into 8 equal parts, so a quantile is off by at most 12.5%. Its size is fixed
// (4 KiB) whatever the number of observations. The zero value is empty and ready; a Histogram
// is not safe for concurrent use.
type Histogram struct {
	counts [histBuckets]int64
	n      int64
	max    time.Duration
}

// bucketOf returns the bucket index of ns.
func bucketOf(ns uint64) int {
	if ns < histSub {
		return int(ns)
	}
	exp := bits.Len64(ns) - 1 // ns in [2^exp, 2^(exp+1))
	sub := (ns >> (exp - histSubBits)) & (histSub - 1)
	return (exp-histSubBits+1)*histSub + int(sub)
}

// bucketUpper returns the largest duration of bucket i.
func bucketUpper(i int) uint64 {
	if i < histSub {
		return uint64(i)
	}
	exp := i/histSub + histSubBits - 1
	sub := uint64(i % histSub)
	lo := uint64(1)<<exp + sub<<(exp-histSubBits)
	return lo + uint64(1)<<(exp-histSubBits) - 1
}

// Record adds one duration; negative durations count as zero.
func (h *Histogram) Record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.counts[bucketOf(uint64(d))]++
	h.n++
	h.max = max(h.max, d)
}

// Merge adds the observations of o to h.
func (h *Histogram) Merge(o *Histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.max = max(h.max, o.max)
}

// Count returns the number of observations.
func (h *Histogram) Count() int64 { return h.n }

// Quantile returns the q-quantile (0 < q <= 1) as the upper bound of its bucket, capped at the
// largest observation; 0 when empty.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := int64(math.Ceil(q * float64(h.n)))
	rank = min(max(rank, 1), h.n)
	var seen int64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return min(time.Duration(bucketUpper(i)), h.max)
		}
	}
	return h.max
}

// DistributionBin is one bar of a latency distribution.
type DistributionBin struct {
	UpTo  time.Duration `json:"up_to_ns"`
	Count int64         `json:"count"`
}

// Distribution returns the observations in bins of whole powers of two of nanoseconds, from
// the smallest non-empty one to the largest.
func (h *Histogram) Distribution() []DistributionBin {
	var bins [64]int64
	for i, c := range h.counts {
		if c == 0 {
			continue
		}
		bins[bits.Len64(bucketUpper(i))] += c
	}
	first, last := -1, -1
	for i, c := range bins {
		if c > 0 {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return nil
	}
	out := make([]DistributionBin, 0, last-first+1)
	for i := first; i <= last; i++ {
		upTo := time.Duration(math.MaxInt64)
		if i < 63 {
			upTo = time.Duration(uint64(1)<<i - 1)
		}
		out = append(out, DistributionBin{UpTo: upTo, Count: bins[i]})
	}
	return out
}
