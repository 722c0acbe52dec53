package tracefile

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"go.opentelemetry.io/collector/pdata/pmetric"
)

// MetricReader streams the records of an OTLP/JSON metrics file, as MetricFileExporter and the
// OpenTelemetry Collector's file exporter write it: one ExportMetricsServiceRequest per line.
// It behaves as TraceReader does. A MetricReader is not safe for concurrent use.
type MetricReader struct {
	r *lineReader[pmetric.Metrics]
}

// OpenMetricFile opens the metrics file at path for reading, gzip included. The caller must
// Close the reader.
func OpenMetricFile(path string) (*MetricReader, error) {
	r, err := openLineReader(path, decodeMetrics)
	if err != nil {
		return nil, err
	}
	return &MetricReader{r: r}, nil
}

// NewMetricReader returns a reader of the OTLP/JSON metric lines in r, gunzipping r if it is
// gzip. name prefixes errors and warnings. Close does not close r; a nil r gives a reader
// whose Next returns an error.
func NewMetricReader(r io.Reader, name string) *MetricReader {
	return &MetricReader{r: newLineReader(r, name, decodeMetrics)}
}

// Next returns the next record, io.EOF at the end, or an error, as TraceReader.Next does.
func (r *MetricReader) Next() (pmetric.Metrics, error) {
	return r.r.next()
}

// Line returns the number of the line of the last record or error returned by Next.
func (r *MetricReader) Line() int { return r.r.line }

// Warnings returns a copy of the problems met so far that were not errors.
func (r *MetricReader) Warnings() []string {
	return append([]string(nil), r.r.warnings...)
}

// Close closes the file opened by OpenMetricFile, if any. It does
// not close the reader given to NewMetricReader. Calling it again does nothing.
func (r *MetricReader) Close() error {
	return r.r.close()
}

// decodeMetrics decodes one line, rejecting what is not an OTLP/JSON metrics record.
func decodeMetrics(line []byte) (pmetric.Metrics, error) {
	if err := checkObject(line); err != nil {
		return pmetric.Metrics{}, err
	}
	if err := checkRecordSize(line); err != nil {
		return pmetric.Metrics{}, err
	}
	var u pmetric.JSONUnmarshaler
	md, err := u.UnmarshalMetrics(line)
	if err != nil {
		return pmetric.Metrics{}, fmt.Errorf("invalid OTLP/JSON metrics record: %w", err)
	}
	if !json.Valid(line) {
		return pmetric.Metrics{}, errors.New("invalid OTLP/JSON metrics record: not one valid JSON object")
	}
	if md.ResourceMetrics().Len() == 0 {
		if err := checkRecord(line, "resourceMetrics", "resource_metrics"); err != nil {
			return pmetric.Metrics{}, err
		}
	}
	return md, nil
}
