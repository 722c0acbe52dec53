package exporters

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/resource"
	"go.opentelemetry.io/otel/trace"
)

// collectMetrics records every instrument kind on a real MeterProvider and collects them:
// counters, an up-down counter, a gauge, an explicit-bucket histogram and an exponential
// histogram, with exemplars from a sampled span.
func collectMetrics(t *testing.T, temporality sdkmetric.TemporalitySelector) metricdata.ResourceMetrics {
	t.Helper()
	reader := sdkmetric.NewManualReader(sdkmetric.WithTemporalitySelector(temporality))
	res := resource.NewWithAttributes("https://opentelemetry.io/schemas/1.26.0", attribute.String("service.name", "metrics"))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader), sdkmetric.WithResource(res),
		sdkmetric.WithView(sdkmetric.NewView(sdkmetric.Instrument{Name: "latency.exp"},
			sdkmetric.Stream{Aggregation: sdkmetric.AggregationBase2ExponentialHistogram{MaxSize: 160, MaxScale: 20}})))
	t.Cleanup(func() { assert.NoError(t, mp.Shutdown(context.Background())) })

	meter := mp.Meter("otelagent/test", metric.WithInstrumentationVersion("1.2.3"),
		metric.WithSchemaURL("https://opentelemetry.io/schemas/1.41.0"))
	sampled := trace.ContextWithSpanContext(t.Context(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
		SpanID:  trace.SpanID{1, 2, 3, 4, 5, 6, 7, 8}, TraceFlags: trace.FlagsSampled,
	}))
	gpt := metric.WithAttributes(attribute.String("model", "gpt-4o"))
	claude := metric.WithAttributes(attribute.String("model", "claude"), attribute.Bool("cached", true))

	tokens, err := meter.Int64Counter("tokens", metric.WithUnit("{token}"), metric.WithDescription("tokens used"))
	require.NoError(t, err)
	tokens.Add(sampled, 120, gpt)
	tokens.Add(t.Context(), 9007199254740993, claude) // beyond float64 precision
	cost, err := meter.Float64Counter("cost", metric.WithUnit("USD"))
	require.NoError(t, err)
	cost.Add(sampled, 0.0125, gpt)
	active, err := meter.Int64UpDownCounter("active")
	require.NoError(t, err)
	active.Add(t.Context(), 3)
	active.Add(t.Context(), -5)
	gauge, err := meter.Float64Gauge("temperature")
	require.NoError(t, err)
	gauge.Record(t.Context(), -1.5)
	hist, err := meter.Int64Histogram("token.usage", metric.WithExplicitBucketBoundaries(1, 10, 100, 1000))
	require.NoError(t, err)
	for _, v := range []int64{0, 5, 50, 500, 5000, 7} {
		hist.Record(sampled, v, gpt)
	}
	exp, err := meter.Float64Histogram("latency.exp", metric.WithUnit("s"))
	require.NoError(t, err)
	for _, v := range []float64{0.5, 1, 2, 4, 0, -3} {
		exp.Record(t.Context(), v)
	}

	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(t.Context(), &rm))
	require.Len(t, rm.ScopeMetrics, 1)
	require.Len(t, rm.ScopeMetrics[0].Metrics, 6)
	return rm
}

// readMetricLines reads every line of path with the Collector's own OTLP/JSON decoder.
func readMetricLines(t *testing.T, path string) []pmetric.Metrics {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var out []pmetric.Metrics
	for i, line := range bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var u pmetric.JSONUnmarshaler
		md, err := u.UnmarshalMetrics(line)
		require.NoError(t, err, "%s:%d", path, i+1)
		out = append(out, md)
	}
	return out
}

func metricsByName(md pmetric.Metrics) map[string]pmetric.Metric {
	out := make(map[string]pmetric.Metric)
	for i := 0; i < md.ResourceMetrics().Len(); i++ {
		sms := md.ResourceMetrics().At(i).ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			ms := sms.At(j).Metrics()
			for k := 0; k < ms.Len(); k++ {
				out[ms.At(k).Name()] = ms.At(k)
			}
		}
	}
	return out
}

func wantTemporality(t metricdata.Temporality) pmetric.AggregationTemporality {
	if t == metricdata.DeltaTemporality {
		return pmetric.AggregationTemporalityDelta
	}
	return pmetric.AggregationTemporalityCumulative
}

func assertTimes(t *testing.T, start, end time.Time, gotStart, gotEnd pcommon.Timestamp) {
	t.Helper()
	assert.Equal(t, start.UnixNano(), gotStart.AsTime().UnixNano(), "start time")
	assert.Equal(t, end.UnixNano(), gotEnd.AsTime().UnixNano(), "time")
}

func assertNumberPoints[N int64 | float64](t *testing.T, want []metricdata.DataPoint[N], got pmetric.NumberDataPointSlice) {
	t.Helper()
	require.Equal(t, len(want), got.Len(), "data points")
	for i, w := range want {
		g := got.At(i)
		assert.Equal(t, rawAttributes(t, w.Attributes.ToSlice()), g.Attributes().AsRaw())
		assertTimes(t, w.StartTime, w.Time, g.StartTimestamp(), g.Timestamp())
		switch v := any(w.Value).(type) {
		case int64:
			assert.Equal(t, pmetric.NumberDataPointValueTypeInt, g.ValueType())
			assert.Equal(t, v, g.IntValue())
		case float64:
			assert.Equal(t, pmetric.NumberDataPointValueTypeDouble, g.ValueType())
			assert.Equal(t, v, g.DoubleValue())
		}
		assertExemplars(t, w.Exemplars, g.Exemplars())
	}
}

func assertExemplars[N int64 | float64](t *testing.T, want []metricdata.Exemplar[N], got pmetric.ExemplarSlice) {
	t.Helper()
	require.Equal(t, len(want), got.Len(), "exemplars")
	for i, w := range want {
		g := got.At(i)
		traceID, spanID := g.TraceID(), g.SpanID()
		assert.Equal(t, w.TraceID, traceID[:], "exemplar trace id")
		assert.Equal(t, w.SpanID, spanID[:], "exemplar span id")
		assert.Equal(t, w.Time.UnixNano(), g.Timestamp().AsTime().UnixNano())
		assert.Equal(t, rawAttributes(t, w.FilteredAttributes), g.FilteredAttributes().AsRaw())
		switch v := any(w.Value).(type) {
		case int64:
			assert.Equal(t, v, g.IntValue())
		case float64:
			assert.Equal(t, v, g.DoubleValue())
		}
	}
}

func assertHistogramPoints[N int64 | float64](t *testing.T, want []metricdata.HistogramDataPoint[N], got pmetric.HistogramDataPointSlice) {
	t.Helper()
	require.Equal(t, len(want), got.Len(), "data points")
	for i, w := range want {
		g := got.At(i)
		assert.Equal(t, rawAttributes(t, w.Attributes.ToSlice()), g.Attributes().AsRaw())
		assertTimes(t, w.StartTime, w.Time, g.StartTimestamp(), g.Timestamp())
		assert.Equal(t, w.Count, g.Count())
		assert.Equal(t, float64(w.Sum), g.Sum())
		assert.Equal(t, w.Bounds, g.ExplicitBounds().AsRaw())
		assert.Equal(t, w.BucketCounts, g.BucketCounts().AsRaw())
		minV, ok := w.Min.Value()
		require.True(t, ok)
		require.True(t, g.HasMin())
		assert.Equal(t, float64(minV), g.Min())
		maxV, ok := w.Max.Value()
		require.True(t, ok)
		require.True(t, g.HasMax())
		assert.Equal(t, float64(maxV), g.Max())
		assertExemplars(t, w.Exemplars, g.Exemplars())
	}
}

func assertExponentialPoints[N int64 | float64](t *testing.T, want []metricdata.ExponentialHistogramDataPoint[N], got pmetric.ExponentialHistogramDataPointSlice) {
	t.Helper()
	require.Equal(t, len(want), got.Len(), "data points")
	for i, w := range want {
		g := got.At(i)
		assertTimes(t, w.StartTime, w.Time, g.StartTimestamp(), g.Timestamp())
		assert.Equal(t, w.Count, g.Count())
		assert.Equal(t, float64(w.Sum), g.Sum())
		assert.Equal(t, w.Scale, g.Scale())
		assert.Equal(t, w.ZeroCount, g.ZeroCount())
		assert.Equal(t, w.ZeroThreshold, g.ZeroThreshold())
		assert.Equal(t, w.PositiveBucket.Offset, g.Positive().Offset())
		assert.Equal(t, w.PositiveBucket.Counts, g.Positive().BucketCounts().AsRaw())
		assert.Equal(t, w.NegativeBucket.Offset, g.Negative().Offset())
		assert.Equal(t, w.NegativeBucket.Counts, g.Negative().BucketCounts().AsRaw())
		minV, _ := w.Min.Value()
		assert.Equal(t, float64(minV), g.Min())
		maxV, _ := w.Max.Value()
		assert.Equal(t, float64(maxV), g.Max())
	}
}

// assertMetric checks got against the metric the SDK collected.
func assertMetric(t *testing.T, want metricdata.Metrics, got pmetric.Metric) {
	t.Helper()
	assert.Equal(t, want.Description, got.Description())
	assert.Equal(t, want.Unit, got.Unit())
	switch data := want.Data.(type) {
	case metricdata.Sum[int64]:
		require.Equal(t, pmetric.MetricTypeSum, got.Type())
		assert.Equal(t, data.IsMonotonic, got.Sum().IsMonotonic())
		assert.Equal(t, wantTemporality(data.Temporality), got.Sum().AggregationTemporality())
		assertNumberPoints(t, data.DataPoints, got.Sum().DataPoints())
	case metricdata.Sum[float64]:
		require.Equal(t, pmetric.MetricTypeSum, got.Type())
		assert.Equal(t, data.IsMonotonic, got.Sum().IsMonotonic())
		assert.Equal(t, wantTemporality(data.Temporality), got.Sum().AggregationTemporality())
		assertNumberPoints(t, data.DataPoints, got.Sum().DataPoints())
	case metricdata.Gauge[float64]:
		require.Equal(t, pmetric.MetricTypeGauge, got.Type())
		assertNumberPoints(t, data.DataPoints, got.Gauge().DataPoints())
	case metricdata.Gauge[int64]:
		require.Equal(t, pmetric.MetricTypeGauge, got.Type())
		assertNumberPoints(t, data.DataPoints, got.Gauge().DataPoints())
	case metricdata.Histogram[int64]:
		require.Equal(t, pmetric.MetricTypeHistogram, got.Type())
		assert.Equal(t, wantTemporality(data.Temporality), got.Histogram().AggregationTemporality())
		assertHistogramPoints(t, data.DataPoints, got.Histogram().DataPoints())
	case metricdata.Histogram[float64]:
		require.Equal(t, pmetric.MetricTypeHistogram, got.Type())
		assert.Equal(t, wantTemporality(data.Temporality), got.Histogram().AggregationTemporality())
		assertHistogramPoints(t, data.DataPoints, got.Histogram().DataPoints())
	case metricdata.ExponentialHistogram[float64]:
		require.Equal(t, pmetric.MetricTypeExponentialHistogram, got.Type())
		assert.Equal(t, wantTemporality(data.Temporality), got.ExponentialHistogram().AggregationTemporality())
		assertExponentialPoints(t, data.DataPoints, got.ExponentialHistogram().DataPoints())
	default:
		t.Fatalf("metric %s: aggregation %T not covered by the test", want.Name, want.Data)
	}
}

func TestMetricFileExporterRoundTrip(t *testing.T) {
	tests := []struct {
		name        string
		temporality sdkmetric.TemporalitySelector
	}{
		{name: "cumulative", temporality: sdkmetric.DefaultTemporalitySelector},
		{name: "delta", temporality: deltaSelector},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rm := collectMetrics(t, tt.temporality)
			path := filepath.Join(t.TempDir(), "metrics.jsonl")
			exp, err := NewMetricFileExporter(path, WithTemporality(tt.temporality))
			require.NoError(t, err)
			require.NoError(t, exp.Export(t.Context(), &rm))
			require.NoError(t, exp.Shutdown(t.Context()))

			lines := readMetricLines(t, path)
			require.Len(t, lines, 1)
			md := lines[0]
			require.Equal(t, 1, md.ResourceMetrics().Len())
			rmGot := md.ResourceMetrics().At(0)
			assert.Equal(t, rawAttributes(t, rm.Resource.Attributes()), rmGot.Resource().Attributes().AsRaw())
			assert.Equal(t, rm.Resource.SchemaURL(), rmGot.SchemaUrl())
			require.Equal(t, 1, rmGot.ScopeMetrics().Len())
			scope := rmGot.ScopeMetrics().At(0)
			assert.Equal(t, "otelagent/test", scope.Scope().Name())
			assert.Equal(t, "1.2.3", scope.Scope().Version())
			assert.Equal(t, "https://opentelemetry.io/schemas/1.41.0", scope.SchemaUrl())

			got := metricsByName(md)
			for _, want := range rm.ScopeMetrics[0].Metrics {
				m, ok := got[want.Name]
				require.True(t, ok, "metric %q missing", want.Name)
				t.Run(want.Name, func(t *testing.T) { assertMetric(t, want, m) })
			}
			// The checks above must have seen exemplars: the sampled recordings carry them.
			assert.Positive(t, got["tokens"].Sum().DataPoints().At(0).Exemplars().Len()+
				got["tokens"].Sum().DataPoints().At(1).Exemplars().Len(), "exemplars written")
		})
	}
}

func deltaSelector(sdkmetric.InstrumentKind) metricdata.Temporality {
	return metricdata.DeltaTemporality
}

func TestMetricFileExporterSummaryAndUnknown(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rm := metricdata.ResourceMetrics{
		Resource: resource.Empty(),
		ScopeMetrics: []metricdata.ScopeMetrics{{
			Scope: instrumentation.Scope{Name: "s"},
			Metrics: []metricdata.Metrics{
				{Name: "summary", Data: metricdata.Summary{DataPoints: []metricdata.SummaryDataPoint{{
					StartTime: now, Time: now.Add(time.Second), Count: 3, Sum: 7.5,
					QuantileValues: []metricdata.QuantileValue{{Quantile: 0.5, Value: 2}, {Quantile: 0.99, Value: 4}},
				}}}},
				{Name: "gauge.int", Data: metricdata.Gauge[int64]{DataPoints: []metricdata.DataPoint[int64]{{Time: now, Value: -7}}}},
				{Name: "unknown", Data: nil},
			},
		}},
	}
	path := filepath.Join(t.TempDir(), "metrics.jsonl")
	exp, err := NewMetricFileExporter(path)
	require.NoError(t, err)
	require.NoError(t, exp.Export(t.Context(), &rm))
	require.NoError(t, exp.Shutdown(t.Context()))

	lines := readMetricLines(t, path)
	require.Len(t, lines, 1)
	got := metricsByName(lines[0])
	assert.NotContains(t, got, "unknown", "an aggregation without data is left out")
	require.Contains(t, got, "summary")
	dp := got["summary"].Summary().DataPoints().At(0)
	assert.Equal(t, uint64(3), dp.Count())
	assert.Equal(t, 7.5, dp.Sum())
	require.Equal(t, 2, dp.QuantileValues().Len())
	assert.Equal(t, 0.99, dp.QuantileValues().At(1).Quantile())
	assert.Equal(t, 4.0, dp.QuantileValues().At(1).Value())
	assert.Equal(t, int64(-7), got["gauge.int"].Gauge().DataPoints().At(0).IntValue())
	assert.Equal(t, pcommon.Timestamp(0), got["gauge.int"].Gauge().DataPoints().At(0).StartTimestamp(), "unset start time")
}

// TestMetricFileExporterEncoding checks the OTLP/JSON encoding rules on the raw text.
func TestMetricFileExporterEncoding(t *testing.T) {
	rm := collectMetrics(t, sdkmetric.DefaultTemporalitySelector)
	path := filepath.Join(t.TempDir(), "metrics.jsonl")
	exp, err := NewMetricFileExporter(path)
	require.NoError(t, err)
	require.NoError(t, exp.Export(t.Context(), &rm))
	require.NoError(t, exp.Shutdown(t.Context()))
	data, err := os.ReadFile(path)
	require.NoError(t, err)

	var doc struct {
		ResourceMetrics []struct {
			ScopeMetrics []struct {
				Metrics []struct {
					Name string `json:"name"`
					Sum  *struct {
						AggregationTemporality any              `json:"aggregationTemporality"`
						DataPoints             []map[string]any `json:"dataPoints"`
					} `json:"sum"`
					Histogram *struct {
						DataPoints []map[string]any `json:"dataPoints"`
					} `json:"histogram"`
				} `json:"metrics"`
			} `json:"scopeMetrics"`
		} `json:"resourceMetrics"`
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	require.NotEmpty(t, doc.ResourceMetrics)
	require.NotEmpty(t, doc.ResourceMetrics[0].ScopeMetrics)
	seen := 0
	for _, m := range doc.ResourceMetrics[0].ScopeMetrics[0].Metrics {
		switch m.Name {
		case "tokens":
			require.NotNil(t, m.Sum)
			assert.Equal(t, float64(2), m.Sum.AggregationTemporality, "cumulative as a number")
			values := []any{m.Sum.DataPoints[0]["asInt"], m.Sum.DataPoints[1]["asInt"]}
			assert.ElementsMatch(t, []any{"120", "9007199254740993"}, values, "int64 as a string")
			seen++
		case "token.usage":
			require.NotNil(t, m.Histogram)
			dp := m.Histogram.DataPoints[0]
			assert.Equal(t, "6", dp["count"], "uint64 as a string")
			assert.Equal(t, []any{"1", "2", "1", "1", "1"}, dp["bucketCounts"], "0 | 5 7 | 50 | 500 | 5000")
			assert.Equal(t, []any{1.0, 10.0, 100.0, 1000.0}, dp["explicitBounds"])
			exemplars, ok := dp["exemplars"].([]any)
			require.True(t, ok)
			require.NotEmpty(t, exemplars)
			assert.Equal(t, "0102030405060708090a0b0c0d0e0f10", exemplars[0].(map[string]any)["traceId"], "hex trace id")
			seen++
		}
	}
	assert.Equal(t, 2, seen)
}

func TestMetricFileExporterSkipsEmpty(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.jsonl")
	exp, err := NewMetricFileExporter(path)
	require.NoError(t, err)
	require.NoError(t, exp.Export(t.Context(), nil))
	require.NoError(t, exp.Export(t.Context(), &metricdata.ResourceMetrics{Resource: resource.Default()}))
	require.NoError(t, exp.Export(t.Context(), &metricdata.ResourceMetrics{ScopeMetrics: []metricdata.ScopeMetrics{
		{Metrics: []metricdata.Metrics{{Name: "empty", Data: metricdata.Sum[int64]{}}}},
	}}))
	require.NoError(t, exp.Shutdown(t.Context()))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Empty(t, data)
}

func TestMetricFileExporterShutdown(t *testing.T) {
	rm := collectMetrics(t, sdkmetric.DefaultTemporalitySelector)
	path := filepath.Join(t.TempDir(), "metrics.jsonl")
	exp, err := NewMetricFileExporter(path)
	require.NoError(t, err)

	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	assert.ErrorIs(t, exp.Export(cancelled, &rm), context.Canceled, "ctx checked first")
	assert.ErrorIs(t, exp.ForceFlush(cancelled), context.Canceled)
	assert.ErrorIs(t, exp.Shutdown(cancelled), context.Canceled)
	require.NoError(t, exp.Export(t.Context(), &rm))

	require.NoError(t, exp.Shutdown(t.Context()))
	require.NoError(t, exp.Shutdown(t.Context()), "idempotent")
	assert.ErrorIs(t, exp.Export(t.Context(), &rm), ErrExporterShutdown)
	assert.Len(t, readMetricLines(t, path), 1)
}

func TestMetricFileExporterSelectors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.jsonl")
	cumulative, err := NewMetricFileExporter(path)
	require.NoError(t, err)
	delta, err := NewMetricFileExporter(path, WithTemporality(deltaSelector))
	require.NoError(t, err)
	for _, kind := range []sdkmetric.InstrumentKind{sdkmetric.InstrumentKindCounter, sdkmetric.InstrumentKindHistogram, sdkmetric.InstrumentKindUpDownCounter} {
		assert.Equal(t, metricdata.CumulativeTemporality, cumulative.Temporality(kind), kind.String())
		assert.Equal(t, metricdata.DeltaTemporality, delta.Temporality(kind), kind.String())
		assert.Equal(t, sdkmetric.DefaultAggregationSelector(kind), cumulative.Aggregation(kind), kind.String())
	}
	require.NoError(t, cumulative.Shutdown(t.Context()))
	require.NoError(t, delta.Shutdown(t.Context()))
}

// TestMetricFileExporterPeriodicReader runs the exporter under the SDK's periodic reader with
// delta temporality, as Setup does.
func TestMetricFileExporterPeriodicReader(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.jsonl")
	exp, err := NewMetricFileExporter(path, WithTemporality(deltaSelector))
	require.NoError(t, err)
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp, sdkmetric.WithInterval(time.Hour))))
	counter, err := mp.Meter("periodic").Int64Counter("calls")
	require.NoError(t, err)
	counter.Add(t.Context(), 4)
	require.NoError(t, mp.Shutdown(t.Context()), "collects, exports and shuts the exporter down")

	lines := readMetricLines(t, path)
	require.Len(t, lines, 1)
	calls := metricsByName(lines[0])["calls"]
	assert.Equal(t, pmetric.AggregationTemporalityDelta, calls.Sum().AggregationTemporality())
	assert.Equal(t, int64(4), calls.Sum().DataPoints().At(0).IntValue())
}

func TestMetricFileExporterSplitsLargeExports(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	payload := strings.Repeat("m", 100_000)
	var metrics []metricdata.Metrics
	for i := range 30 { // about 3 MB in one export
		metrics = append(metrics, metricdata.Metrics{Name: fmt.Sprintf("m%d", i), Data: metricdata.Gauge[int64]{
			DataPoints: []metricdata.DataPoint[int64]{{Time: now, Value: int64(i), Attributes: attribute.NewSet(attribute.String("p", payload))}},
		}})
	}
	rm := metricdata.ResourceMetrics{Resource: resource.Empty(), ScopeMetrics: []metricdata.ScopeMetrics{
		{Scope: instrumentation.Scope{Name: "a"}, Metrics: metrics[:7]},
		{Scope: instrumentation.Scope{Name: "b"}, Metrics: metrics[7:]},
	}}
	path := filepath.Join(t.TempDir(), "metrics.jsonl")
	exp, err := NewMetricFileExporter(path, WithMaxSizeMB(1))
	require.NoError(t, err)
	require.NoError(t, exp.Export(t.Context(), &rm))
	require.NoError(t, exp.Shutdown(t.Context()))

	names := map[string]bool{}
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(entries), 3, "rotated at 1 MB")
	for _, e := range entries {
		for _, md := range readMetricLines(t, filepath.Join(filepath.Dir(path), e.Name())) {
			for name, m := range metricsByName(md) {
				names[name] = true
				assert.Equal(t, payload, m.Gauge().DataPoints().At(0).Attributes().AsRaw()["p"])
			}
		}
	}
	assert.Len(t, names, len(metrics))
}

func TestSplitResourceMetrics(t *testing.T) {
	m := func(name string) metricdata.Metrics { return metricdata.Metrics{Name: name} }
	names := func(rm metricdata.ResourceMetrics) []string {
		var out []string
		for _, sm := range rm.ScopeMetrics {
			for _, x := range sm.Metrics {
				out = append(out, sm.Scope.Name+"/"+x.Name)
			}
		}
		return out
	}
	tests := []struct {
		name          string
		scopes        map[string][]metricdata.Metrics
		order         []string
		first, second []string
		ok            bool
	}{
		{name: "one metric", scopes: map[string][]metricdata.Metrics{"a": {m("1")}}, order: []string{"a"}, first: []string{"a/1"}},
		{name: "within a scope", scopes: map[string][]metricdata.Metrics{"a": {m("1"), m("2"), m("3")}}, order: []string{"a"},
			first: []string{"a/1"}, second: []string{"a/2", "a/3"}, ok: true},
		{name: "across scopes", scopes: map[string][]metricdata.Metrics{"a": {m("1")}, "b": {m("2"), m("3"), m("4")}}, order: []string{"a", "b"},
			first: []string{"a/1", "b/2"}, second: []string{"b/3", "b/4"}, ok: true},
		{name: "at a scope boundary", scopes: map[string][]metricdata.Metrics{"a": {m("1"), m("2")}, "b": {m("3"), m("4")}}, order: []string{"a", "b"},
			first: []string{"a/1", "a/2"}, second: []string{"b/3", "b/4"}, ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rm := metricdata.ResourceMetrics{Resource: resource.Empty()}
			for _, s := range tt.order {
				rm.ScopeMetrics = append(rm.ScopeMetrics, metricdata.ScopeMetrics{Scope: instrumentation.Scope{Name: s}, Metrics: tt.scopes[s]})
			}
			first, second, ok := splitResourceMetrics(rm)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.first, names(first))
			assert.Equal(t, tt.second, names(second))
			if ok {
				assert.Same(t, rm.Resource, second.Resource)
			}
		})
	}
}

func TestMetricFileExporterConcurrentSafe(t *testing.T) {
	rm := collectMetrics(t, sdkmetric.DefaultTemporalitySelector)
	path := filepath.Join(t.TempDir(), "metrics.jsonl")
	exp, err := NewMetricFileExporter(path)
	require.NoError(t, err)
	const goroutines, exports = 8, 25
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range exports {
				assert.NoError(t, exp.Export(t.Context(), &rm))
				assert.Equal(t, metricdata.CumulativeTemporality, exp.Temporality(sdkmetric.InstrumentKindCounter))
			}
		})
	}
	wg.Wait()
	require.NoError(t, exp.Shutdown(t.Context()))
	assert.Len(t, readMetricLines(t, path), goroutines*exports)
}

func BenchmarkMetricFileExporter(b *testing.B) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	meter := mp.Meter("bench")
	counter, err := meter.Int64Counter("tokens")
	require.NoError(b, err)
	hist, err := meter.Float64Histogram("duration")
	require.NoError(b, err)
	for i := range 20 {
		attrs := metric.WithAttributes(attribute.String("model", fmt.Sprintf("model-%d", i)))
		counter.Add(context.Background(), int64(i), attrs)
		hist.Record(context.Background(), float64(i)/10, attrs)
	}
	var rm metricdata.ResourceMetrics
	require.NoError(b, reader.Collect(context.Background(), &rm))
	require.NoError(b, mp.Shutdown(context.Background()))

	exp, err := NewMetricFileExporter(filepath.Join(b.TempDir(), "metrics.jsonl"))
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if err := exp.Export(context.Background(), &rm); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	require.NoError(b, exp.Shutdown(context.Background()))
}

func TestExemplarIDs(t *testing.T) {
	tests := []struct {
		name                string
		traceID, spanID     []byte
		wantTrace, wantSpan bool
	}{
		{name: "both", traceID: make([]byte, 16), spanID: make([]byte, 8), wantTrace: true, wantSpan: true},
		{name: "none"},
		{name: "wrong lengths", traceID: make([]byte, 8), spanID: make([]byte, 16)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ok := traceIDOf(tt.traceID)
			assert.Equal(t, tt.wantTrace, ok)
			_, ok = spanIDOf(tt.spanID)
			assert.Equal(t, tt.wantSpan, ok)
		})
	}
}
