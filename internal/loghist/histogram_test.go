package loghist

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBucketBounds(t *testing.T) {
	for _, ns := range []uint64{0, 1, 31, 32, 33, 63, 64, 1000, 999_999, 1 << 40, 1<<63 - 1, 1<<64 - 1} {
		i := index(ns)
		require.GreaterOrEqual(t, i, 0, "ns=%d", ns)
		require.Less(t, i, buckets, "ns=%d", ns)
		assert.LessOrEqual(t, ns, upper(i), "ns=%d is at most the upper edge of its bucket", ns)
		if i > 0 {
			assert.Greater(t, ns, upper(i-1), "ns=%d is above the previous bucket", ns)
		}
	}
}

func TestQuantileRelativeError(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var h Histogram
	durs := make([]time.Duration, 20000)
	for i := range durs {
		durs[i] = time.Duration(rng.ExpFloat64() * float64(200*time.Millisecond))
		h.Record(durs[i])
	}
	slices.Sort(durs)
	for _, q := range []float64{0.5, 0.95, 0.99, 1} {
		exact := durs[int(q*float64(len(durs)))-1]
		got := h.Quantile(q)
		assert.GreaterOrEqual(t, got, exact, "q=%v", q)
		assert.LessOrEqual(t, float64(got), float64(exact)*(1+MaxRelativeError), "q=%v", q)
	}
	assert.EqualValues(t, len(durs), h.Count())
	assert.Equal(t, durs[len(durs)-1], h.Max())
	var n int64
	for _, c := range h.Buckets() {
		n += c
	}
	assert.EqualValues(t, len(durs), n, "the buckets hold every observation")
}

// Quantiles follow the nearest-rank rule, ceil(q*n), on values small enough to have a bucket
// each.
func TestQuantileNearestRank(t *testing.T) {
	tests := []struct {
		name string
		n    int
		q    float64
		want time.Duration
	}{
		{"p95 of 11 is the 11th", 11, 0.95, 11},
		{"p50 of 11 is the 6th", 11, 0.5, 6},
		{"p50 of 10 is the 5th", 10, 0.5, 5},
		{"p99 of 20 is the 20th", 20, 0.99, 20},
		{"p95 of 20 is the 19th", 20, 0.95, 19},
		{"a tiny q is the 1st", 20, 1e-9, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h Histogram
			for v := 1; v <= tt.n; v++ {
				h.Record(time.Duration(v))
			}
			assert.Equal(t, tt.want, h.Quantile(tt.q))
		})
	}
}

func TestEmptyAndMerge(t *testing.T) {
	var a, b Histogram
	assert.Zero(t, a.Quantile(0.5))
	assert.Zero(t, a.Max())
	for range a.Buckets() {
		assert.Fail(t, "an empty histogram has no buckets")
	}
	a.Record(-time.Second) // counts as 0
	b.Record(time.Second)
	a.Merge(&b)
	a.Merge(nil)
	assert.EqualValues(t, 2, a.Count())
	assert.Equal(t, time.Second, a.Quantile(1))
	assert.Equal(t, time.Second, a.Max())
	assert.Zero(t, a.Quantile(0.5))
	assert.EqualValues(t, 1, b.Count(), "the merged histogram is unchanged")
}

func TestMergeEqualsRecordingAll(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var a, b, all Histogram
	for i := range 5000 {
		d := time.Duration(rng.ExpFloat64() * float64(time.Second))
		all.Record(d)
		if i%3 == 0 {
			a.Record(d)
		} else {
			b.Record(d)
		}
	}
	a.Merge(&b)
	for _, q := range []float64{0.5, 0.95, 0.99} {
		assert.Equal(t, all.Quantile(q), a.Quantile(q), "q=%v", q)
	}
	assert.Equal(t, all.Max(), a.Max())
}

// Memory grows by rows only for the powers of two actually seen.
func TestRowsAllocatedOnDemand(t *testing.T) {
	var h Histogram
	h.Record(time.Millisecond)
	h.Record(time.Millisecond + time.Microsecond)
	allocated := 0
	for i := range h.rows {
		if h.rows[i].Load() != nil {
			allocated++
		}
	}
	assert.Equal(t, 1, allocated)
}

func TestHistogramConcurrentSafe(t *testing.T) {
	const goroutines, each = 8, 2000
	var h, other Histogram
	other.Record(time.Hour)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				h.Record(time.Duration(g*each+i) * time.Microsecond)
				if i%500 == 0 {
					_ = h.Quantile(0.95)
				}
			}
		})
	}
	wg.Go(func() { h.Merge(&other) })
	wg.Wait()
	assert.EqualValues(t, goroutines*each+1, h.Count())
	assert.Equal(t, time.Hour, h.Max())
	var n int64
	for _, c := range h.Buckets() {
		n += c
	}
	assert.EqualValues(t, goroutines*each+1, n)
}
