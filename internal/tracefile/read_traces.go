package tracefile

import (
	"errors"
	"fmt"
	"io"
	"os"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// maxLineWarnings is the number of skipped lines of one input warned about one by one; the
// rest are counted in one more warning.
const maxLineWarnings = 10

// Result is what ReadTraces met in one input.
type Result struct {
	Records int   // trace records passed to the callback
	Spans   int64 // spans in those records
	// Skipped counts the lines that were not read: not OTLP/JSON trace records (a line torn by
	// a crash, another signal, text), past a record limit, or a cut-short last line.
	Skipped int
	// Metrics reports that the input is an OTLP/JSON metrics file, skipped whole.
	Metrics  bool
	Warnings []string // for the skipped lines and a skipped metrics file, naming file and line
}

// ReadTraces reads the OTLP/JSON trace input r, named name in messages, and calls fn with
// every record and the number of its line, in order. It is the one policy of the command line
// for damaged input:
//
//   - a line that is not an OTLP/JSON trace record (one torn by a crash, which the file
//     exporter's recovery leaves in the middle of a file; too long; past a record limit such
//     as MaxRecordSpans) is skipped, counted in Skipped and warned about with its file and line;
//   - an input whose first record is OTLP/JSON metrics is a metrics file: it is skipped whole,
//     with a note, and fn is not called;
//   - an input with bad lines and no trace record at all is no trace file: the error names its
//     first bad line, and there are no warnings;
//   - an error reading the input (a broken gzip stream, a disk error) ends it with that error.
//
// An error from fn stops reading and is returned as is.
func ReadTraces(r io.Reader, name string, fn func(td ptrace.Traces, line int) error) (Result, error) {
	var res Result
	tr := NewTraceReader(r, name)
	defer tr.Close()
	var firstBad error
	for {
		td, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var lineErr *LineError
		if errors.As(err, &lineErr) {
			if res.Records == 0 && isMetrics(lineErr) {
				res.Metrics = true
				res.Warnings = append(res.Warnings, fmt.Sprintf("%s holds OTLP/JSON metrics, not traces; skipped", name))
				return res, nil
			}
			if firstBad == nil {
				firstBad = err
			}
			res.skip(err.Error() + "; line skipped")
			continue
		}
		if err != nil {
			res.finish(name)
			return res, err
		}
		res.Records++
		res.Spans += int64(td.SpanCount())
		if err := fn(td, tr.Line()); err != nil {
			res.finish(name)
			return res, err
		}
	}
	for _, w := range tr.Warnings() {
		res.skip(w)
	}
	res.finish(name)
	if res.Records == 0 && firstBad != nil {
		res.Warnings = nil // the error says it
		return res, fmt.Errorf("%w (no line is an OTLP/JSON trace record)", firstBad)
	}
	return res, nil
}

// skip counts a skipped line and keeps its warning while there are few.
func (res *Result) skip(warning string) {
	res.Skipped++
	if res.Skipped <= maxLineWarnings {
		res.Warnings = append(res.Warnings, warning)
	}
}

// finish adds the count of the skipped lines not warned about one by one.
func (res *Result) finish(name string) {
	if more := res.Skipped - maxLineWarnings; more > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%s: %d more lines skipped", name, more))
	}
}

// isMetrics reports whether the line of err holds an OTLP/JSON metrics request.
func isMetrics(err *LineError) bool {
	var se *signalError
	return errors.As(err, &se) && se.found == "metrics"
}

// Open opens the input name for ReadTraces: the file, or stdin for Stdin (an error if stdin is
// nil). Closing the result does not close stdin.
func Open(name string, stdin io.Reader) (io.ReadCloser, error) {
	if name == Stdin {
		if stdin == nil {
			return nil, errors.New("no standard input")
		}
		return io.NopCloser(stdin), nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	return f, nil
}
