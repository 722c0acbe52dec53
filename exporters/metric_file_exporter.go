package exporters

import (
	"context"
	"errors"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// MetricFileExporter is an sdkmetric.Exporter that appends metrics to a file as OTLP/JSON: one
// ExportMetricsServiceRequest per line, in the encoding of the OpenTelemetry Collector's file
// exporter. Sums, gauges, histograms, exponential histograms and summaries are written with
// their exemplars. The Collector's otlpjsonfile receiver reads the file back.
//
// File handling (mode 0600, rotation, whole lines) is that of FileExporter. All methods are
// safe for concurrent use.
type MetricFileExporter struct {
	fileSink
	marshaler   pmetric.JSONMarshaler
	temporality sdkmetric.TemporalitySelector
}

var _ sdkmetric.Exporter = (*MetricFileExporter)(nil)

// NewMetricFileExporter returns a MetricFileExporter that appends to path; path and the
// options behave as for NewFileExporter, and WithTemporality chooses the temporality (default
// cumulative).
func NewMetricFileExporter(path string, opts ...FileOption) (*MetricFileExporter, error) {
	f, c, err := openFileSink(path, opts)
	if err != nil {
		return nil, err
	}
	return &MetricFileExporter{fileSink: fileSink{file: f}, temporality: c.temporality}, nil
}

// Temporality returns the temporality chosen by WithTemporality for kind. It is safe for
// concurrent use.
func (e *MetricFileExporter) Temporality(kind sdkmetric.InstrumentKind) metricdata.Temporality {
	return e.temporality(kind)
}

// Aggregation returns the SDK's default aggregation for kind. It is safe for concurrent use.
func (e *MetricFileExporter) Aggregation(kind sdkmetric.InstrumentKind) sdkmetric.Aggregation {
	return sdkmetric.DefaultAggregationSelector(kind)
}

// Export appends rm to the file as one line, or as several lines when one would exceed the
// size limit. A nil rm, or one without data points, writes nothing. It returns ctx.Err() if
// ctx is already done, and ErrExporterShutdown after Shutdown. rm is not retained.
func (e *MetricFileExporter) Export(ctx context.Context, rm *metricdata.ResourceMetrics) error {
	return e.export(ctx, func() error {
		if rm == nil {
			return nil
		}
		return e.writeMetrics(*rm)
	})
}

// writeMetrics encodes rm and writes it, halving its metrics while the line would not fit.
func (e *MetricFileExporter) writeMetrics(rm metricdata.ResourceMetrics) error {
	md := resourceMetricsToMetrics(rm)
	if md.DataPointCount() == 0 {
		return nil
	}
	line, err := e.marshaler.MarshalMetrics(md)
	if err != nil {
		return err
	}
	if !e.file.fits(len(line)) {
		if first, second, ok := splitResourceMetrics(rm); ok {
			return errors.Join(e.writeMetrics(first), e.writeMetrics(second))
		}
	}
	return e.file.writeLine(line)
}

// splitResourceMetrics divides the metrics of rm in two halves with the same resource and
// scopes. It reports false when rm holds fewer than two metrics.
func splitResourceMetrics(rm metricdata.ResourceMetrics) (first, second metricdata.ResourceMetrics, ok bool) {
	total := 0
	for _, sm := range rm.ScopeMetrics {
		total += len(sm.Metrics)
	}
	if total < 2 {
		return rm, metricdata.ResourceMetrics{}, false
	}
	first.Resource, second.Resource = rm.Resource, rm.Resource
	left := total / 2
	for _, sm := range rm.ScopeMetrics {
		switch {
		case left == 0:
			second.ScopeMetrics = append(second.ScopeMetrics, sm)
		case left >= len(sm.Metrics):
			first.ScopeMetrics = append(first.ScopeMetrics, sm)
			left -= len(sm.Metrics)
		default:
			first.ScopeMetrics = append(first.ScopeMetrics, metricdata.ScopeMetrics{Scope: sm.Scope, Metrics: sm.Metrics[:left]})
			second.ScopeMetrics = append(second.ScopeMetrics, metricdata.ScopeMetrics{Scope: sm.Scope, Metrics: sm.Metrics[left:]})
			left = 0
		}
	}
	return first, second, true
}

// resourceMetricsToMetrics converts rm to pdata, as the OTLP exporters of the Go SDK do.
// Metrics of an aggregation this package does not know are left out.
func resourceMetricsToMetrics(rm metricdata.ResourceMetrics) pmetric.Metrics {
	md := pmetric.NewMetrics()
	dst := md.ResourceMetrics().AppendEmpty()
	dst.SetSchemaUrl(rm.Resource.SchemaURL())
	setResource(dst.Resource(), rm.Resource)
	dst.ScopeMetrics().EnsureCapacity(len(rm.ScopeMetrics))
	for _, sm := range rm.ScopeMetrics {
		dsm := dst.ScopeMetrics().AppendEmpty()
		dsm.SetSchemaUrl(sm.Scope.SchemaURL)
		setScope(dsm.Scope(), sm.Scope)
		dsm.Metrics().EnsureCapacity(len(sm.Metrics))
		for _, m := range sm.Metrics {
			dm := pmetric.NewMetric()
			if !setMetricData(dm, m.Data) {
				continue
			}
			dm.SetName(m.Name)
			dm.SetDescription(m.Description)
			dm.SetUnit(m.Unit)
			dm.MoveTo(dsm.Metrics().AppendEmpty())
		}
	}
	return md
}

// setMetricData fills dst with data and reports whether data was of a known aggregation.
func setMetricData(dst pmetric.Metric, data metricdata.Aggregation) bool {
	switch a := data.(type) {
	case metricdata.Gauge[int64]:
		setNumberPoints(dst.SetEmptyGauge().DataPoints(), a.DataPoints)
	case metricdata.Gauge[float64]:
		setNumberPoints(dst.SetEmptyGauge().DataPoints(), a.DataPoints)
	case metricdata.Sum[int64]:
		setSum(dst.SetEmptySum(), a)
	case metricdata.Sum[float64]:
		setSum(dst.SetEmptySum(), a)
	case metricdata.Histogram[int64]:
		setHistogram(dst.SetEmptyHistogram(), a)
	case metricdata.Histogram[float64]:
		setHistogram(dst.SetEmptyHistogram(), a)
	case metricdata.ExponentialHistogram[int64]:
		setExponentialHistogram(dst.SetEmptyExponentialHistogram(), a)
	case metricdata.ExponentialHistogram[float64]:
		setExponentialHistogram(dst.SetEmptyExponentialHistogram(), a)
	case metricdata.Summary:
		setSummary(dst.SetEmptySummary(), a)
	default:
		return false
	}
	return true
}

func pdataTemporality(t metricdata.Temporality) pmetric.AggregationTemporality {
	switch t {
	case metricdata.CumulativeTemporality:
		return pmetric.AggregationTemporalityCumulative
	case metricdata.DeltaTemporality:
		return pmetric.AggregationTemporalityDelta
	default:
		return pmetric.AggregationTemporalityUnspecified
	}
}

func setSum[N int64 | float64](dst pmetric.Sum, s metricdata.Sum[N]) {
	dst.SetAggregationTemporality(pdataTemporality(s.Temporality))
	dst.SetIsMonotonic(s.IsMonotonic)
	setNumberPoints(dst.DataPoints(), s.DataPoints)
}

func setNumberPoints[N int64 | float64](dst pmetric.NumberDataPointSlice, points []metricdata.DataPoint[N]) {
	dst.EnsureCapacity(len(points))
	for _, p := range points {
		dp := dst.AppendEmpty()
		putAttributeSet(dp.Attributes(), &p.Attributes)
		dp.SetStartTimestamp(pdataTimestamp(p.StartTime))
		dp.SetTimestamp(pdataTimestamp(p.Time))
		switch v := any(p.Value).(type) {
		case int64:
			dp.SetIntValue(v)
		case float64:
			dp.SetDoubleValue(v)
		}
		setExemplars(dp.Exemplars(), p.Exemplars)
	}
}

func setHistogram[N int64 | float64](dst pmetric.Histogram, h metricdata.Histogram[N]) {
	dst.SetAggregationTemporality(pdataTemporality(h.Temporality))
	points := dst.DataPoints()
	points.EnsureCapacity(len(h.DataPoints))
	for _, p := range h.DataPoints {
		dp := points.AppendEmpty()
		putAttributeSet(dp.Attributes(), &p.Attributes)
		dp.SetStartTimestamp(pdataTimestamp(p.StartTime))
		dp.SetTimestamp(pdataTimestamp(p.Time))
		dp.SetCount(p.Count)
		dp.SetSum(float64(p.Sum))
		if v, ok := p.Min.Value(); ok {
			dp.SetMin(float64(v))
		}
		if v, ok := p.Max.Value(); ok {
			dp.SetMax(float64(v))
		}
		dp.ExplicitBounds().FromRaw(p.Bounds)
		dp.BucketCounts().FromRaw(p.BucketCounts)
		setExemplars(dp.Exemplars(), p.Exemplars)
	}
}

func setExponentialHistogram[N int64 | float64](dst pmetric.ExponentialHistogram, h metricdata.ExponentialHistogram[N]) {
	dst.SetAggregationTemporality(pdataTemporality(h.Temporality))
	points := dst.DataPoints()
	points.EnsureCapacity(len(h.DataPoints))
	for _, p := range h.DataPoints {
		dp := points.AppendEmpty()
		putAttributeSet(dp.Attributes(), &p.Attributes)
		dp.SetStartTimestamp(pdataTimestamp(p.StartTime))
		dp.SetTimestamp(pdataTimestamp(p.Time))
		dp.SetCount(p.Count)
		dp.SetSum(float64(p.Sum))
		if v, ok := p.Min.Value(); ok {
			dp.SetMin(float64(v))
		}
		if v, ok := p.Max.Value(); ok {
			dp.SetMax(float64(v))
		}
		dp.SetScale(p.Scale)
		dp.SetZeroCount(p.ZeroCount)
		dp.SetZeroThreshold(p.ZeroThreshold)
		dp.Positive().SetOffset(p.PositiveBucket.Offset)
		dp.Positive().BucketCounts().FromRaw(p.PositiveBucket.Counts)
		dp.Negative().SetOffset(p.NegativeBucket.Offset)
		dp.Negative().BucketCounts().FromRaw(p.NegativeBucket.Counts)
		setExemplars(dp.Exemplars(), p.Exemplars)
	}
}

func setSummary(dst pmetric.Summary, s metricdata.Summary) {
	points := dst.DataPoints()
	points.EnsureCapacity(len(s.DataPoints))
	for _, p := range s.DataPoints {
		dp := points.AppendEmpty()
		putAttributeSet(dp.Attributes(), &p.Attributes)
		dp.SetStartTimestamp(pdataTimestamp(p.StartTime))
		dp.SetTimestamp(pdataTimestamp(p.Time))
		dp.SetCount(p.Count)
		dp.SetSum(p.Sum)
		dp.QuantileValues().EnsureCapacity(len(p.QuantileValues))
		for _, q := range p.QuantileValues {
			dq := dp.QuantileValues().AppendEmpty()
			dq.SetQuantile(q.Quantile)
			dq.SetValue(q.Value)
		}
	}
}

func setExemplars[N int64 | float64](dst pmetric.ExemplarSlice, exemplars []metricdata.Exemplar[N]) {
	if len(exemplars) == 0 {
		return
	}
	dst.EnsureCapacity(len(exemplars))
	for _, ex := range exemplars {
		de := dst.AppendEmpty()
		putAttributes(de.FilteredAttributes(), ex.FilteredAttributes)
		de.SetTimestamp(pdataTimestamp(ex.Time))
		switch v := any(ex.Value).(type) {
		case int64:
			de.SetIntValue(v)
		case float64:
			de.SetDoubleValue(v)
		}
		if id, ok := traceIDOf(ex.TraceID); ok {
			de.SetTraceID(id)
		}
		if id, ok := spanIDOf(ex.SpanID); ok {
			de.SetSpanID(id)
		}
	}
}

func traceIDOf(b []byte) (pcommon.TraceID, bool) {
	var id pcommon.TraceID
	if len(b) != len(id) {
		return id, false
	}
	copy(id[:], b)
	return id, true
}

func spanIDOf(b []byte) (pcommon.SpanID, bool) {
	var id pcommon.SpanID
	if len(b) != len(id) {
		return id, false
	}
	copy(id[:], b)
	return id, true
}
