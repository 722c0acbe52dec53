package e2e

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/agenttrace/otelagent/semconv"
	"go.opentelemetry.io/otel/attribute"
)

// Prometheus names of the OTLP metrics, as the Collector's prometheus exporter
// (inside Jaeger) derives them: dots become underscores, the unit is appended
// ("s" as "seconds", annotations in braces dropped), counters end in _total,
// and histograms become _bucket, _sum and _count series.

func promLabel(k attribute.Key) string { return strings.ReplaceAll(string(k), ".", "_") }

func promBase(name, unit string) string {
	base := strings.ReplaceAll(name, ".", "_")
	switch {
	case unit == "" || strings.HasPrefix(unit, "{"):
		return base
	case unit == "s":
		return base + "_seconds"
	default:
		return base + "_" + unit
	}
}

func promCounter(name, unit string) string { return promBase(name, unit) + "_total" }

var (
	promTokens        = promCounter(semconv.TokensName, semconv.TokensUnit)
	promTokensSaved   = promCounter(semconv.CacheTokensSavedName, semconv.CacheTokensSavedUnit)
	promCost          = promCounter(semconv.CostName, semconv.CostUnit)
	promCostSaved     = promCounter(semconv.CostSavedName, semconv.CostUnit)
	promInvocations   = promCounter(semconv.InvocationsName, semconv.InvocationsUnit)
	promActive        = promBase(semconv.InvocationsActiveName, semconv.InvocationsActiveUnit)
	promDuration      = promBase(semconv.GenAIClientOperationDurationName, semconv.GenAIClientOperationDurationUnit)
	promTokenUsage    = promBase(semconv.GenAIClientTokenUsageName, semconv.GenAIClientTokenUsageUnit)
	labelAgent        = promLabel(semconv.GenAIAgentNameKey)
	labelModel        = promLabel(semconv.GenAIResponseModelKey)
	labelOperation    = promLabel(semconv.GenAIOperationNameKey)
	labelTokenKind    = promLabel(semconv.TokenKindKey)
	labelGenAITokType = promLabel(semconv.GenAITokenTypeKey)
	labelCacheHit     = promLabel(semconv.CacheHitKey)
	labelErrorType    = promLabel(semconv.ErrorTypeKey)
)

// metricSource is where checkMetrics reads the metrics: Prometheus, or the
// exposition of a Jaeger's prometheus exporter.
type metricSource interface {
	// sumBy returns the series of metric whose job is service, summed by labels.
	sumBy(ctx context.Context, metric, service string, labels []string) ([]promSample, error)
}

// promSource reads through Prometheus's query API.
type promSource struct{ s *stack }

func (p promSource) sumBy(ctx context.Context, metric, service string, labels []string) ([]promSample, error) {
	return p.s.promQuery(ctx, fmt.Sprintf("sum by (%s) (%s{job=%q})", strings.Join(labels, ", "), metric, service))
}

// checkMetrics compares what src holds for service with want times rounds
// (the scenario ran that many times). It returns the differences of the first
// metric that differs.
func checkMetrics(ctx context.Context, src metricSource, service string, want wantMetrics, rounds int) error {
	r := float64(rounds)
	scale := func(m map[string]float64) map[string]float64 {
		for k, v := range m {
			m[k] = v * r
		}
		return m
	}
	tokens := map[string]float64{}
	for k, v := range want.tokens {
		tokens[seriesKey(k.agent, k.model, k.kind)] = float64(v)
	}
	saved, cost, costSaved := map[string]float64{}, map[string]float64{}, map[string]float64{}
	for k, v := range want.tokensSaved {
		saved[seriesKey(k.agent, k.model)] = float64(v)
	}
	for k, v := range want.cost {
		cost[seriesKey(k.agent, k.model)] = v
	}
	for k, v := range want.costSaved {
		costSaved[seriesKey(k.agent, k.model)] = v
	}
	invocations := map[string]float64{}
	for k, v := range want.invocations {
		invocations[seriesKey(k.agent, k.operation, k.cacheHit, k.errType)] = float64(v)
	}
	durations := map[string]float64{}
	for op, v := range want.durationCount {
		durations[seriesKey(op)] = float64(v)
	}
	usageSum, usageCount := map[string]float64{}, map[string]float64{}
	for k, v := range want.tokenUsageSum {
		usageSum[seriesKey(k.operation, k.tokenType)] = float64(v)
		usageCount[seriesKey(k.operation, k.tokenType)] = float64(want.tokenUsageN[k])
	}

	checks := []struct {
		metric string
		by     []string
		want   map[string]float64
	}{
		{promTokens, []string{labelAgent, labelModel, labelTokenKind}, scale(tokens)},
		{promTokensSaved, []string{labelAgent, labelModel}, scale(saved)},
		{promCost, []string{labelAgent, labelModel}, scale(cost)},
		{promCostSaved, []string{labelAgent, labelModel}, scale(costSaved)},
		{promInvocations, []string{labelAgent, labelOperation, labelCacheHit, labelErrorType}, scale(invocations)},
		{promDuration + "_count", []string{labelOperation}, scale(durations)},
		{promTokenUsage + "_sum", []string{labelOperation, labelGenAITokType}, scale(usageSum)},
		{promTokenUsage + "_count", []string{labelOperation, labelGenAITokType}, scale(usageCount)},
	}
	for _, c := range checks {
		samples, err := src.sumBy(ctx, c.metric, service, c.by)
		if err != nil {
			return err
		}
		if err := compareSeries(samples, c.by, c.want); err != nil {
			return fmt.Errorf("%s of %s by %s: %w", c.metric, service, strings.Join(c.by, ", "), err)
		}
	}

	// Every operation that started has completed: in-flight gauges read 0.
	samples, err := src.sumBy(ctx, promActive, service, []string{labelAgent, labelOperation})
	if err != nil {
		return err
	}
	if len(samples) == 0 {
		return fmt.Errorf("%s of %s: no series", promActive, service)
	}
	for _, smp := range samples {
		if smp.Value != 0 {
			return fmt.Errorf("%s of %s: %s, want 0", promActive, service, smp)
		}
	}
	return nil
}

func seriesKey(values ...string) string { return strings.Join(values, "|") }

// compareSeries requires exactly the series of want (keyed by the values of
// labels, "" for an absent label) with their values, floats to a relative 1e-9.
func compareSeries(got []promSample, labels []string, want map[string]float64) error {
	seen := map[string]float64{}
	for _, smp := range got {
		vals := make([]string, len(labels))
		for i, l := range labels {
			vals[i] = smp.Metric[l]
		}
		seen[seriesKey(vals...)] = smp.Value
	}
	var errs []error
	for _, k := range slices.Sorted(maps.Keys(want)) {
		w := want[k]
		g, ok := seen[k]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("missing series {%s}, want %g", k, w))
		case math.Abs(g-w) > 1e-9*math.Max(1, math.Abs(w)):
			errs = append(errs, fmt.Errorf("series {%s} = %g, want %g", k, g, w))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(seen)) {
		if _, ok := want[k]; !ok {
			errs = append(errs, fmt.Errorf("unexpected series {%s} = %g", k, seen[k]))
		}
	}
	return errors.Join(errs...)
}
