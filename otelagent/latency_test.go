package otelagent

import (
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestLatencyIndexBounds(t *testing.T) {
	for _, ns := range []uint64{0, 1, 31, 32, 33, 63, 64, 1000, 1 << 40, 1<<63 - 1, 1<<64 - 1} {
		i := latencyIndex(ns)
		assert.GreaterOrEqual(t, i, 0, "ns=%d", ns)
		assert.Less(t, i, latencyBuckets, "ns=%d", ns)
		assert.LessOrEqual(t, ns, latencyUpper(i), "ns=%d upper of its bucket", ns)
		if i > 0 {
			assert.Greater(t, ns, latencyUpper(i-1), "ns=%d above the previous bucket", ns)
		}
	}
}

func TestLatencyQuantileRelativeError(t *testing.T) {
	var h latencyHistogram
	r := rand.New(rand.NewPCG(1, 2))
	values := make([]time.Duration, 20000)
	for i := range values {
		values[i] = time.Duration(r.ExpFloat64() * float64(200*time.Millisecond))
		h.record(values[i])
	}
	sort.Slice(values, func(a, b int) bool { return values[a] < values[b] })
	for _, q := range []float64{0.5, 0.95, 0.99} {
		exact := values[int(q*float64(len(values)))-1]
		got := h.quantile(q)
		assert.InEpsilon(t, float64(exact), float64(got), 1.0/latencySub+0.01, "q=%v", q)
	}
	s := h.summary()
	assert.Equal(t, int64(len(values)), s.Count)
	assert.Equal(t, values[len(values)-1], s.Max)
}

func TestLatencyEmpty(t *testing.T) {
	var h latencyHistogram
	assert.Equal(t, Latency{}, h.summary())
}
