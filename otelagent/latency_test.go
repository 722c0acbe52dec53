package otelagent

import (
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestLatencySummary(t *testing.T) {
	var h latencyHistogram
	r := rand.New(rand.NewPCG(1, 2))
	values := make([]time.Duration, 20000)
	for i := range values {
		values[i] = time.Duration(r.ExpFloat64() * float64(200*time.Millisecond))
		h.record(values[i])
	}
	sort.Slice(values, func(a, b int) bool { return values[a] < values[b] })
	s := h.summary()
	for _, c := range []struct {
		q   float64
		got time.Duration
	}{{0.5, s.P50}, {0.95, s.P95}, {0.99, s.P99}} {
		exact := values[int(c.q*float64(len(values)))-1]
		assert.InEpsilon(t, float64(exact), float64(c.got), 1.0/32+0.001, "q=%v", c.q)
	}
	assert.Equal(t, int64(len(values)), s.Count)
	assert.Equal(t, values[len(values)-1], s.Max)
}

func TestLatencyEmpty(t *testing.T) {
	var h latencyHistogram
	assert.Equal(t, Latency{}, h.summary())
}
