package otelagent

import (
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"

	"github.com/agenttrace/otelagent/semconv"
)

// instruments are the Tracer's metric instruments.
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
	return instruments{
		tokenUsage: orNoop[metric.Int64Histogram](noop.Int64Histogram{})(m.Int64Histogram(semconv.GenAIClientTokenUsageName,
			metric.WithDescription("Number of input and output tokens used."),
			metric.WithUnit(semconv.GenAIClientTokenUsageUnit),
			metric.WithExplicitBucketBoundaries(semconv.TokenUsageBuckets()...))),
		duration: orNoop[metric.Float64Histogram](noop.Float64Histogram{})(m.Float64Histogram(semconv.GenAIClientOperationDurationName,
			metric.WithDescription("GenAI operation duration."),
			metric.WithUnit(semconv.GenAIClientOperationDurationUnit),
			metric.WithExplicitBucketBoundaries(semconv.DurationBuckets()...))),
		invocations: orNoop[metric.Int64Counter](noop.Int64Counter{})(m.Int64Counter(semconv.InvocationsName,
			metric.WithDescription("Completed agent operations."),
			metric.WithUnit(semconv.InvocationsUnit))),
		tokens: orNoop[metric.Int64Counter](noop.Int64Counter{})(m.Int64Counter(semconv.TokensName,
			metric.WithDescription("Tokens spent, each counted once, by kind. Kinds overlap: cache_read and cache_creation are parts of input, reasoning is part of output."),
			metric.WithUnit(semconv.TokensUnit))),
		tokensSaved: orNoop[metric.Int64Counter](noop.Int64Counter{})(m.Int64Counter(semconv.CacheTokensSavedName,
			metric.WithDescription("Tokens of model calls avoided by response-cache hits."),
			metric.WithUnit(semconv.CacheTokensSavedUnit))),
		cost: orNoop[metric.Float64Counter](noop.Float64Counter{})(m.Float64Counter(semconv.CostName,
			metric.WithDescription("Cost of the tokens spent."),
			metric.WithUnit(semconv.CostUnit))),
		costSaved: orNoop[metric.Float64Counter](noop.Float64Counter{})(m.Float64Counter(semconv.CostSavedName,
			metric.WithDescription("Cost saved by response-cache hits and provider prompt-cache reads."),
			metric.WithUnit(semconv.CostUnit))),
		active: orNoop[metric.Int64UpDownCounter](noop.Int64UpDownCounter{})(m.Int64UpDownCounter(semconv.InvocationsActiveName,
			metric.WithDescription("Operations started and not yet completed."),
			metric.WithUnit(semconv.InvocationsActiveUnit))),
	}
}

// orNoop returns a function that passes an instrument through, reporting a creation error to
// otel.Handle and replacing a nil instrument by fallback, so recording never needs a check.
func orNoop[T comparable](fallback T) func(T, error) T {
	return func(v T, err error) T {
		if err != nil {
			otel.Handle(err)
		}
		var zero T
		if v == zero {
			return fallback
		}
		return v
	}
}
