package report

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHistogramBuckets(t *testing.T) {
	for _, ns := range []uint64{0, 1, 7, 8, 9, 15, 16, 1000, 999_999, 1 << 40, 1<<63 - 1} {
		i := bucketOf(ns)
		require.Less(t, i, histBuckets)
		assert.LessOrEqual(t, ns, bucketUpper(i), "ns %d in bucket %d", ns, i)
		if i > 0 {
			assert.Greater(t, ns, bucketUpper(i-1), "ns %d above bucket %d", ns, i-1)
		}
	}
}

func TestHistogramQuantileError(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var h Histogram
	durs := make([]time.Duration, 10000)
	for i := range durs {
		durs[i] = time.Duration(rng.ExpFloat64() * float64(200*time.Millisecond))
		h.Record(durs[i])
	}
	slices.Sort(durs)
	for _, q := range []float64{0.5, 0.95, 0.99, 1} {
		exact := durs[int(q*float64(len(durs)))-1]
		got := h.Quantile(q)
		assert.GreaterOrEqual(t, got, exact, "q=%v", q)
		assert.LessOrEqual(t, float64(got), float64(exact)*1.125+1, "q=%v within 12.5%%", q)
	}
	assert.EqualValues(t, len(durs), h.Count())
	var n int64
	for _, b := range h.Distribution() {
		n += b.Count
	}
	assert.EqualValues(t, len(durs), n, "the distribution holds every observation")
}

func TestHistogramEmptyAndMerge(t *testing.T) {
	var a, b Histogram
	assert.Zero(t, a.Quantile(0.5))
	assert.Nil(t, a.Distribution())
	a.Record(-time.Second) // counts as 0
	b.Record(time.Second)
	a.Merge(&b)
	assert.EqualValues(t, 2, a.Count())
	assert.Equal(t, time.Second, a.Quantile(1))
	assert.Zero(t, a.Quantile(0.5))
}
