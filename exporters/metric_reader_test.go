package exporters

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
)

func TestMetricReader(t *testing.T) {
	rm := collectMetrics(t, sdkmetric.DefaultTemporalitySelector)
	dir := t.TempDir()
	path := filepath.Join(dir, "metrics.jsonl")
	exp, err := NewMetricFileExporter(path)
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
					assert.Contains(t, err.Error(), `no "resourceMetrics" field (fields: resourceSpans)`)
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
