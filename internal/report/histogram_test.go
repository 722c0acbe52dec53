package report

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/agenttrace/otelagent/internal/loghist"
)

func TestDistribution(t *testing.T) {
	tests := []struct {
		name string
		durs []time.Duration
		want []DistributionBin
	}{
		{name: "empty", want: nil},
		{name: "zero", durs: []time.Duration{0}, want: []DistributionBin{{UpTo: 0, Count: 1}}},
		{
			name: "powers of two, empty bins between kept",
			durs: []time.Duration{3, 2, 9},
			want: []DistributionBin{{UpTo: 3, Count: 2}, {UpTo: 7, Count: 0}, {UpTo: 15, Count: 1}},
		},
		{
			name: "the largest duration",
			durs: []time.Duration{math.MaxInt64},
			want: []DistributionBin{{UpTo: math.MaxInt64, Count: 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h loghist.Histogram
			for _, d := range tt.durs {
				h.Record(d)
			}
			assert.Equal(t, tt.want, distribution(&h))
		})
	}
}
