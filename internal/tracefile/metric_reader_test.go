package tracefile

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/agenttrace/otelagent/exporters"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/resource"
)

func TestMetricReader(t *testing.T) {
	rm := fixedMetrics()
	dir := t.TempDir()
	path := filepath.Join(dir, "metrics.jsonl")
	exp, err := exporters.NewMetricFileExporter(path)
	require.NoError(t, err)
	require.NoError(t, exp.Export(t.Context(), &rm))
	require.NoError(t, exp.Export(t.Context(), &rm))
	require.NoError(t, exp.Shutdown(t.Context()))
	written, err := os.ReadFile(path)
	require.NoError(t, err)
	want := readMetricLines(t, path)
	require.Len(t, want, 2)

	traces, err := os.ReadFile(goldenTraces)
	require.NoError(t, err)
	compressed := filepath.Join(dir, "metrics-old.jsonl.gz")
	require.NoError(t, os.WriteFile(compressed, gzipped(t, written), 0o600))
	mixed := filepath.Join(dir, "mixed.jsonl")
	require.NoError(t, os.WriteFile(mixed, append(append(append([]byte{}, written...), traces...), `{"resourceMetrics":[{"sco`...), 0o600))

	tests := []struct {
		name     string
		path     string
		records  int
		errLines []int
		warnings int
	}{
		{name: "written by the exporter", path: path, records: 2},
		{name: "gzip", path: compressed, records: 2},
		{name: "trace lines and a cut-short end", path: mixed, records: 2, errLines: []int{3, 4}, warnings: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := OpenMetricFile(tt.path)
			require.NoError(t, err)
			defer func() { assert.NoError(t, r.Close()) }()
			records := 0
			var errLines []int
			for {
				md, err := r.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				var lineErr *LineError
				if errors.As(err, &lineErr) {
					assert.Contains(t, err.Error(), tt.path)
					assert.Contains(t, err.Error(), `not OTLP/JSON metrics: the line holds traces ("resourceSpans")`)
					errLines = append(errLines, lineErr.Line)
					continue
				}
				require.NoError(t, err)
				require.Less(t, records, len(want))
				assert.Equal(t, want[records], md)
				records++
			}
			assert.Equal(t, tt.records, records)
			assert.Equal(t, tt.errLines, errLines)
			assert.Len(t, r.Warnings(), tt.warnings)
		})
	}

	_, err = OpenMetricFile(filepath.Join(dir, "missing.jsonl"))
	assert.ErrorContains(t, err, filepath.Join(dir, "missing.jsonl"))
	_, err = NewMetricReader(nil, "none").Next()
	assert.ErrorContains(t, err, "none: nil reader")
	r := NewMetricReader(bytes.NewReader(written), "in.jsonl")
	_, err = r.Next()
	require.NoError(t, err)
	assert.Equal(t, 1, r.Line())
	assert.NoError(t, r.Close())
}

// FuzzMetricReader feeds arbitrary bytes to the metric reader: it must never panic or loop,
// and every record it returns must survive an encode/decode round trip unchanged.
func FuzzMetricReader(f *testing.F) {
	rm := fixedMetrics()
	path := filepath.Join(f.TempDir(), "metrics.jsonl")
	exp, err := exporters.NewMetricFileExporter(path)
	require.NoError(f, err)
	require.NoError(f, exp.Export(context.Background(), &rm))
	require.NoError(f, exp.Shutdown(context.Background()))
	written, err := os.ReadFile(path)
	require.NoError(f, err)
	f.Add(written)
	f.Add(gzipped(f, written))
	f.Add(written[:len(written)/2])
	f.Add([]byte(`{"resourceSpans":[]}` + "\n"))
	f.Add([]byte{})

	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewMetricReader(bytes.NewReader(data), "fuzz")
		defer r.Close()
		for range len(data) + 2 {
			md, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			var lineErr *LineError
			if errors.As(err, &lineErr) {
				if lineErr.Line < 1 {
					t.Fatalf("line error without a line: %v", err)
				}
				continue
			}
			if err != nil {
				return
			}
			var m pmetric.JSONMarshaler
			first, err := m.MarshalMetrics(md)
			if err != nil {
				t.Fatalf("re-encoding a record read: %v", err)
			}
			var u pmetric.JSONUnmarshaler
			again, err := u.UnmarshalMetrics(first)
			if err != nil {
				t.Fatalf("decoding a re-encoded record: %v\n%s", err, first)
			}
			second, err := m.MarshalMetrics(again)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(first, second) {
				t.Fatalf("round trip changed the record:\n%s\n%s", first, second)
			}
		}
		t.Fatal("reader did not stop")
	})
}

// fixedMetrics returns a sum and a histogram, as a meter provider would collect them.
func fixedMetrics() metricdata.ResourceMetrics {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	rm := metricdata.ResourceMetrics{Resource: resource.NewSchemaless(attribute.String("service.name", "fuzz")),
		ScopeMetrics: []metricdata.ScopeMetrics{{Scope: instrumentation.Scope{Name: "s", Version: "1"}, Metrics: []metricdata.Metrics{
			{Name: "tokens", Unit: "{token}", Data: metricdata.Sum[int64]{Temporality: metricdata.CumulativeTemporality, IsMonotonic: true,
				DataPoints: []metricdata.DataPoint[int64]{{StartTime: now, Time: now.Add(time.Second), Value: 42}}}},
			{Name: "duration", Unit: "s", Data: metricdata.Histogram[float64]{Temporality: metricdata.DeltaTemporality,
				DataPoints: []metricdata.HistogramDataPoint[float64]{{Time: now, Count: 3, Sum: 1.5, Bounds: []float64{0.1, 1},
					BucketCounts: []uint64{1, 1, 1}, Min: metricdata.NewExtrema(0.05), Max: metricdata.NewExtrema(2.0)}}}},
		}}},
	}
	return rm
}

// readMetricLines decodes every line of an OTLP/JSON metrics file, independently of the reader.
func readMetricLines(t *testing.T, path string) []pmetric.Metrics {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var out []pmetric.Metrics
	for i, line := range bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n")) {
		var u pmetric.JSONUnmarshaler
		md, err := u.UnmarshalMetrics(line)
		require.NoError(t, err, "%s:%d", path, i+1)
		out = append(out, md)
	}
	return out
}
