package tracefile

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// TraceReader streams the records of an OTLP/JSON trace file, as FileExporter and the
// OpenTelemetry Collector's file exporter write it: one ExportTraceServiceRequest per line.
// It reads one line at a time, so memory stays bounded by the longest line (at most
// exporters.MaxLineBytes); gzip input is decompressed transparently. Blank lines are skipped. A
// TraceReader is not safe for concurrent use.
type TraceReader struct {
	r *lineReader[ptrace.Traces]
}

// OpenTraceFile opens the trace file at path for reading; gzip files (rotated backups written
// with WithCompress) are recognised by their content and decompressed. The caller must Close
// the reader.
func OpenTraceFile(path string) (*TraceReader, error) {
	r, err := openLineReader(path, decodeTraces)
	if err != nil {
		return nil, err
	}
	return &TraceReader{r: r}, nil
}

// NewTraceReader returns a reader of the OTLP/JSON trace lines in r, gunzipping r if it is
// gzip. name (usually the file name) prefixes errors and warnings. Close does not close r; a
// nil r gives a reader whose Next returns an error.
func NewTraceReader(r io.Reader, name string) *TraceReader {
	return &TraceReader{r: newLineReader(r, name, decodeTraces)}
}

// Next returns the next record. At the end of the input it returns io.EOF. A line that is not
// an OTLP/JSON trace record returns a *LineError naming the file and line; reading may go on
// with the next call. A last line without a newline that does not parse (a write cut short)
// is not an error: it is reported by Warnings and Next returns io.EOF. Errors reading the
// input are returned by this call and every later one.
func (r *TraceReader) Next() (ptrace.Traces, error) {
	return r.r.next()
}

// Line returns the number of the line of the last record or error returned by Next.
func (r *TraceReader) Line() int { return r.r.line }

// Warnings returns a copy of the problems met so far that were not errors, such as a cut-short
// last line.
func (r *TraceReader) Warnings() []string {
	return append([]string(nil), r.r.warnings...)
}

// Close closes the file opened by OpenTraceFile, if any. It does
// not close the reader given to NewTraceReader. Calling it again does nothing.
func (r *TraceReader) Close() error {
	return r.r.close()
}

// decodeTraces decodes one line, rejecting what is not an OTLP/JSON trace record.
func decodeTraces(line []byte) (ptrace.Traces, error) {
	if err := checkObject(line); err != nil {
		return ptrace.Traces{}, err
	}
	if err := checkRecordSize(line); err != nil {
		return ptrace.Traces{}, err
	}
	var u ptrace.JSONUnmarshaler
	td, err := u.UnmarshalTraces(line)
	if err != nil {
		return ptrace.Traces{}, fmt.Errorf("invalid OTLP/JSON trace record: %w", err)
	}
	if !json.Valid(line) {
		return ptrace.Traces{}, errors.New("invalid OTLP/JSON trace record: not one valid JSON object")
	}
	if td.ResourceSpans().Len() == 0 {
		if err := checkRecord(line, "resourceSpans", "resource_spans"); err != nil {
			return ptrace.Traces{}, err
		}
	}
	return td, nil
}

// ForEachSpan reads the trace file at path (gzip or not) and calls fn with every span, in file
// order, with the resource and scope it came under. It stops at the first error, from the file
// or from fn, and returns it with the reader's warnings (such as a cut-short last line).
func ForEachSpan(path string, fn func(rs ptrace.ResourceSpans, ss ptrace.ScopeSpans, s ptrace.Span) error) ([]string, error) {
	r, err := OpenTraceFile(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	for {
		td, err := r.Next()
		if errors.Is(err, io.EOF) {
			return r.Warnings(), nil
		}
		if err != nil {
			return r.Warnings(), err
		}
		for _, rs := range td.ResourceSpans().All() {
			for _, ss := range rs.ScopeSpans().All() {
				for _, s := range ss.Spans().All() {
					if err := fn(rs, ss, s); err != nil {
						return r.Warnings(), err
					}
				}
			}
		}
	}
}
