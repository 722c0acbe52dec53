package otelagent

import (
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"

	"github.com/agenttrace/otelagent/semconv"
)

// instruments are the Tracer's metric instruments. One that cannot be created is reported to
// otel.Handle and replaced by a no-op, so recording never needs a nil check.
type instruments struct {
	tokenUsage  metric.Int64Histogram
	duration    metric.Float64Histogram
	invocations metric.Int64Counter
	tokens      metric.Int64Counter
	tokensSaved metric.Int64Counter
	cost        metric.Float64Counter
	costSaved   metric.Float64Counter
	active      metric.Int64UpDownCounter
}

func newInstruments(m metric.Meter) instruments {
	var (
		ins  instruments
		err  error
		fall = noop.Meter{}
	)
	report := func(e error) bool {
		if e != nil {
			otel.Handle(e)
			return true
		}
		return false
	}
	if ins.tokenUsage, err = m.Int64Histogram(semconv.GenAIClientTokenUsageName,
		metric.WithDescription("Number of input and output tokens used."),
		metric.WithUnit(semconv.GenAIClientTokenUsageUnit),
		metric.WithExplicitBucketBoundaries(semconv.TokenUsageBuckets()...)); report(err) {
		ins.tokenUsage, _ = fall.Int64Histogram("")
	}
	if ins.duration, err = m.Float64Histogram(semconv.GenAIClientOperationDurationName,
		metric.WithDescription("GenAI operation duration."),
		metric.WithUnit(semconv.GenAIClientOperationDurationUnit),
		metric.WithExplicitBucketBoundaries(semconv.DurationBuckets()...)); report(err) {
		ins.duration, _ = fall.Float64Histogram("")
	}
	if ins.invocations, err = m.Int64Counter(semconv.InvocationsName,
		metric.WithDescription("Completed agent operations."),
		metric.WithUnit(semconv.InvocationsUnit)); report(err) {
		ins.invocations, _ = fall.Int64Counter("")
	}
	if ins.tokens, err = m.Int64Counter(semconv.TokensName,
		metric.WithDescription("Tokens spent, each counted once, by kind. Kinds overlap: cache_read and cache_creation are parts of input, reasoning is part of output."),
		metric.WithUnit(semconv.TokensUnit)); report(err) {
		ins.tokens, _ = fall.Int64Counter("")
	}
	if ins.tokensSaved, err = m.Int64Counter(semconv.CacheTokensSavedName,
		metric.WithDescription("Tokens of model calls avoided by response-cache hits."),
		metric.WithUnit(semconv.CacheTokensSavedUnit)); report(err) {
		ins.tokensSaved, _ = fall.Int64Counter("")
	}
	if ins.cost, err = m.Float64Counter(semconv.CostName,
		metric.WithDescription("Cost of the tokens spent."),
		metric.WithUnit(semconv.CostUnit)); report(err) {
		ins.cost, _ = fall.Float64Counter("")
	}
	if ins.costSaved, err = m.Float64Counter(semconv.CostSavedName,
		metric.WithDescription("Cost saved by response-cache hits and provider prompt-cache reads."),
		metric.WithUnit(semconv.CostUnit)); report(err) {
		ins.costSaved, _ = fall.Float64Counter("")
	}
	if ins.active, err = m.Int64UpDownCounter(semconv.InvocationsActiveName,
		metric.WithDescription("Operations started and not yet completed."),
		metric.WithUnit(semconv.InvocationsActiveUnit)); report(err) {
		ins.active, _ = fall.Int64UpDownCounter("")
	}
	return ins
}
