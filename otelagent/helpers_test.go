package otelagent

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// harness is a Tracer recording into an in-memory SDK pipeline.
type harness struct {
	*Tracer
	spans  *tracetest.SpanRecorder
	reader *sdkmetric.ManualReader
}

func newHarness(t *testing.T, opts ...Option) *harness {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() {
		_ = tp.Shutdown(t.Context())
		_ = mp.Shutdown(t.Context())
	})
	all := append([]Option{WithTracerProvider(tp), WithMeterProvider(mp)}, opts...)
	return &harness{Tracer: New(all...), spans: rec, reader: reader}
}

// span returns the one ended span named name.
func (h *harness) span(t *testing.T, name string) sdktrace.ReadOnlySpan {
	t.Helper()
	var found []sdktrace.ReadOnlySpan
	for _, s := range h.spans.Ended() {
		if s.Name() == name {
			found = append(found, s)
		}
	}
	require.Len(t, found, 1, "spans named %q", name)
	return found[0]
}

// attrs returns a span's attributes as a map.
func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := make(map[attribute.Key]attribute.Value)
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

// metrics collects the current metrics, keyed by instrument name.
func (h *harness) metrics(t *testing.T) map[string]metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, h.reader.Collect(t.Context(), &rm))
	out := make(map[string]metricdata.Metrics)
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			out[m.Name] = m
		}
	}
	return out
}

// sumInt adds the points of an int64 sum whose attributes include every kv of filter.
func sumInt(t *testing.T, m metricdata.Metrics, filter ...attribute.KeyValue) int64 {
	t.Helper()
	data, ok := m.Data.(metricdata.Sum[int64])
	require.True(t, ok, "%s is not an int64 sum", m.Name)
	var total int64
	for _, dp := range data.DataPoints {
		if matches(dp.Attributes, filter) {
			total += dp.Value
		}
	}
	return total
}

// sumFloat adds the points of a float64 sum whose attributes include every kv of filter.
func sumFloat(t *testing.T, m metricdata.Metrics, filter ...attribute.KeyValue) float64 {
	t.Helper()
	data, ok := m.Data.(metricdata.Sum[float64])
	require.True(t, ok, "%s is not a float64 sum", m.Name)
	var total float64
	for _, dp := range data.DataPoints {
		if matches(dp.Attributes, filter) {
			total += dp.Value
		}
	}
	return total
}

func matches(set attribute.Set, filter []attribute.KeyValue) bool {
	for _, kv := range filter {
		v, ok := set.Value(kv.Key)
		if !ok || v != kv.Value {
			return false
		}
	}
	return true
}
