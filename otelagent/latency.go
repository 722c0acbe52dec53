package otelagent

import (
	"time"

	"github.com/agenttrace/otelagent/internal/loghist"
)

// latencyHistogram records durations of completed operations in the module's shared
// histogram (within 3.1% of each value, bounded memory), so Stats and the report give the same
// percentiles for the same run. Safe for concurrent use.
type latencyHistogram struct{ h loghist.Histogram }

func (l *latencyHistogram) record(d time.Duration) { l.h.Record(d) }

// Latency summarises durations of completed operations. Percentiles follow the nearest-rank
// rule and lie at most 3.1% above the duration they stand for.
type Latency struct {
	Count int64         `json:"count"`
	P50   time.Duration `json:"p50_ns"`
	P95   time.Duration `json:"p95_ns"`
	P99   time.Duration `json:"p99_ns"`
	Max   time.Duration `json:"max_ns"`
}

func (l *latencyHistogram) summary() Latency {
	return Latency{
		Count: l.h.Count(),
		P50:   l.h.Quantile(0.50),
		P95:   l.h.Quantile(0.95),
		P99:   l.h.Quantile(0.99),
		Max:   l.h.Max(),
	}
}
