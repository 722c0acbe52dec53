package e2e

import (
	"context"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// TestStackStoresOTLPJSON checks the backends on their own, before any
// otelagent code is involved: one OTLP/JSON span and one counter posted to
// Jaeger's OTLP/HTTP receiver come back from Jaeger's query API and from
// Prometheus, which scrapes Jaeger's prometheus exporter.
func TestStackStoresOTLPJSON(t *testing.T) {
	s := requireStack(t)
	ctx := t.Context()
	service := serviceName("e2e-stack-smoke")
	now := time.Now()

	traces := ptrace.NewTraces()
	rs := traces.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", service)
	span := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	var traceID pcommon.TraceID
	var spanID pcommon.SpanID
	_, _ = rand.Read(traceID[:]) // never fails
	_, _ = rand.Read(spanID[:])
	span.SetTraceID(traceID)
	span.SetSpanID(spanID)
	span.SetName("smoke")
	span.SetStartTimestamp(pcommon.NewTimestampFromTime(now.Add(-time.Millisecond)))
	span.SetEndTimestamp(pcommon.NewTimestampFromTime(now))
	span.Attributes().PutInt("smoke.count", 7)
	span.Status().SetCode(ptrace.StatusCodeError)
	body, err := (&ptrace.JSONMarshaler{}).MarshalTraces(traces)
	require.NoError(t, err)
	require.NoError(t, s.jaeger.postOTLPJSON(ctx, "traces", body))

	metrics := pmetric.NewMetrics()
	rm := metrics.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", service)
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("e2e.smoke.requests")
	m.SetUnit("{request}")
	sum := m.SetEmptySum()
	sum.SetIsMonotonic(true)
	sum.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	dp := sum.DataPoints().AppendEmpty()
	dp.SetIntValue(42)
	dp.SetStartTimestamp(pcommon.NewTimestampFromTime(now.Add(-time.Second)))
	dp.SetTimestamp(pcommon.NewTimestampFromTime(now))
	body, err = (&pmetric.JSONMarshaler{}).MarshalMetrics(metrics)
	require.NoError(t, err)
	require.NoError(t, s.jaeger.postOTLPJSON(ctx, "metrics", body))

	var got []jaegerTrace
	require.NoError(t, eventually(ctx, func(ctx context.Context) error {
		got, err = s.jaeger.traces(ctx, service)
		if err == nil && len(got) == 0 {
			err = fmt.Errorf("no traces of %s yet", service)
		}
		return err
	}))
	require.Len(t, got, 1)
	require.Len(t, got[0].Spans, 1)
	gotSpan := got[0].Spans[0]
	assert.Equal(t, traceID.String(), gotSpan.TraceID)
	assert.Equal(t, spanID.String(), gotSpan.SpanID)
	assert.Equal(t, "smoke", gotSpan.OperationName)
	count, ok := gotSpan.tag("smoke.count")
	if assert.True(t, ok, "smoke.count tag") {
		assert.Equal(t, "int64", count.Type)
		assert.Equal(t, "7", fmt.Sprint(count.Value))
	}
	errTag, ok := gotSpan.tag("error")
	if assert.True(t, ok, "error tag") {
		assert.Equal(t, true, errTag.Value)
	}

	var samples []promSample
	query := fmt.Sprintf(`e2e_smoke_requests_total{job=%q}`, service)
	require.NoError(t, eventually(ctx, func(ctx context.Context) error {
		samples, err = s.promQuery(ctx, query)
		if err == nil && len(samples) == 0 {
			err = fmt.Errorf("%s: no samples yet", query)
		}
		return err
	}))
	require.Len(t, samples, 1)
	assert.Equal(t, 42.0, samples[0].Value)
}
