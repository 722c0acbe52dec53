package report

import (
	"math"
	"math/bits"
	"time"

	"github.com/agenttrace/otelagent/internal/loghist"
)

// DistributionBin is one bar of a latency distribution.
type DistributionBin struct {
	UpTo  time.Duration `json:"up_to_ns"`
	Count int64         `json:"count"`
}

// distribution returns the observations of h in bins of whole powers of two of nanoseconds,
// from the smallest non-empty one to the largest; nil when h is empty.
func distribution(h *loghist.Histogram) []DistributionBin {
	var bins [65]int64
	for upper, c := range h.Buckets() {
		bins[bits.Len64(upper)] += c
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
