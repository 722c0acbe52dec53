package loghist

import (
	"iter"
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

// The buckets are log-linear: each power of two of nanoseconds is split into sub equal
// buckets, so a bucket's upper edge is within 1/sub (3.1%) of any value in it. Values below
// sub nanoseconds have a bucket each.
const (
	subBits = 5
	sub     = 1 << subBits
	rows    = 64 - subBits + 1 // one row of sub buckets per power of two, the first linear
	buckets = rows * sub
)

// MaxRelativeError bounds how far a Quantile lies above the observation it stands for,
// relative to that observation.
const MaxRelativeError = 1.0 / sub

// row holds the buckets of one power of two.
type row [sub]atomic.Int64

// Histogram counts durations in fixed log-linear buckets. Its memory is bounded whatever the
// number of observations: a row of 32 counters (256 bytes) is allocated the first time a
// duration of its power of two is recorded, at most 60 rows (15 KiB) in all. The zero value
// is empty and ready. All methods are safe for concurrent use; a Quantile taken while
// durations are recorded reflects some of them.
type Histogram struct {
	max  atomic.Int64
	rows [rows]atomic.Pointer[row]
}

// index returns the bucket of ns.
func index(ns uint64) int {
	if ns < sub {
		return int(ns)
	}
	exp := bits.Len64(ns) - subBits // >= 1
	return exp*sub + int(ns>>(exp-1)) - sub
}

// upper returns the largest value of bucket i.
func upper(i int) uint64 {
	if i < sub {
		return uint64(i)
	}
	exp := i / sub
	mant := uint64(i%sub + sub)
	return (mant+1)<<(exp-1) - 1
}

// bucket returns the counter of bucket i, allocating its row on first use.
func (h *Histogram) bucket(i int) *atomic.Int64 {
	p := &h.rows[i/sub]
	r := p.Load()
	if r == nil {
		r = new(row)
		if !p.CompareAndSwap(nil, r) {
			r = p.Load()
		}
	}
	return &r[i%sub]
}

// Record adds one duration; a negative duration counts as zero.
func (h *Histogram) Record(d time.Duration) {
	ns := max(int64(d), 0)
	h.bucket(index(uint64(ns))).Add(1) // the count is the buckets' sum: one atomic add, not two
	h.raiseMax(ns)
}

func (h *Histogram) raiseMax(ns int64) {
	for {
		m := h.max.Load()
		if ns <= m || h.max.CompareAndSwap(m, ns) {
			return
		}
	}
}

// Merge adds the observations of o to h. o is read bucket by bucket: durations recorded into
// o meanwhile may or may not be merged. A nil o adds nothing.
func (h *Histogram) Merge(o *Histogram) {
	if o == nil {
		return
	}
	for r := range o.rows {
		or := o.rows[r].Load()
		if or == nil {
			continue
		}
		for j := range or {
			if c := or[j].Load(); c != 0 {
				h.bucket(r*sub + j).Add(c)
			}
		}
	}
	h.raiseMax(o.max.Load())
}

// Count returns the number of observations.
func (h *Histogram) Count() int64 {
	var n int64
	for _, c := range h.Buckets() {
		n += c
	}
	return n
}

// Max returns the largest observation; 0 when empty.
func (h *Histogram) Max() time.Duration { return time.Duration(h.max.Load()) }

// Quantile returns the q-quantile (0 < q <= 1) by the nearest-rank rule: the observation of
// rank ceil(q*Count), given as the upper edge of its bucket (so at most MaxRelativeError above
// it) and capped at Max. It returns 0 when the histogram is empty.
func (h *Histogram) Quantile(q float64) time.Duration {
	n := h.Count()
	if n == 0 {
		return 0
	}
	rank := int64(math.Ceil(q * float64(n)))
	rank = min(max(rank, 1), n)
	mx := h.max.Load()
	var seen int64
	for up, c := range h.Buckets() {
		if seen += c; seen >= rank {
			return time.Duration(min(int64(up), mx))
		}
	}
	return time.Duration(mx)
}

// Buckets yields the non-empty buckets in increasing order: the largest duration, in
// nanoseconds, that falls in each, and how many observations it holds.
func (h *Histogram) Buckets() iter.Seq2[uint64, int64] {
	return func(yield func(uint64, int64) bool) {
		for r := range h.rows {
			rw := h.rows[r].Load()
			if rw == nil {
				continue
			}
			for j := range rw {
				if c := rw[j].Load(); c != 0 && !yield(upper(r*sub+j), c) {
					return
				}
			}
		}
	}
}
