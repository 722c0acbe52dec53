package tracefile

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/agenttrace/otelagent/exporters"
)

var (
	// gzipMagic starts every gzip stream; no JSON text starts with it.
	gzipMagic = []byte{0x1f, 0x8b}
	utf8BOM   = []byte{0xef, 0xbb, 0xbf}
)

// LineError is the error of the readers for one line that is not an OTLP/JSON record (or is
// too long). The reader stays usable: the next call to Next continues with the next line.
type LineError struct {
	File string // the name given to the reader
	Line int    // 1-based
	Err  error
}

// Error returns "FILE:LINE: ERR".
func (e *LineError) Error() string {
	return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
}

// Unwrap returns e.Err.
func (e *LineError) Unwrap() error { return e.Err }

// lineReader streams the lines of an OTLP/JSON file and decodes each with decode. Memory is
// bounded by the longest line read. It is not safe for concurrent use.
type lineReader[T any] struct {
	name     string
	maxLine  int
	br       *bufio.Reader
	closers  []io.Closer
	decode   func([]byte) (T, error)
	line     int
	buf      []byte
	warnings []string
	err      error // sticky: io.EOF or a read error
}

// newLineReader returns a reader of r, which it gunzips if r starts with the gzip magic bytes.
func newLineReader[T any](r io.Reader, name string, decode func([]byte) (T, error)) *lineReader[T] {
	lr := &lineReader[T]{name: name, maxLine: exporters.MaxLineBytes, decode: decode}
	if r == nil {
		lr.err = fmt.Errorf("%s: nil reader", name)
		return lr
	}
	br := bufio.NewReaderSize(r, 64<<10)
	if magic, err := br.Peek(len(gzipMagic)); err == nil && bytes.Equal(magic, gzipMagic) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			lr.err = fmt.Errorf("%s: %w", name, err)
			return lr
		}
		// zr holds no resource; its Close would only repeat a decompression error that Next
		// has already returned.
		br = bufio.NewReaderSize(zr, 64<<10)
	}
	lr.br = br
	return lr
}

// openLineReader opens the file at path; the returned reader's close closes it.
func openLineReader[T any](path string, decode func([]byte) (T, error)) (*lineReader[T], error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("tracefile: %w", err)
	}
	lr := newLineReader(f, path, decode)
	lr.closers = append(lr.closers, f)
	if lr.err != nil {
		err := lr.err
		_ = lr.close()
		return nil, err
	}
	return lr, nil
}

// next returns the next record, io.EOF after the last, a *LineError for a bad line, or a
// read error.
func (r *lineReader[T]) next() (T, error) {
	var zero T
	for r.err == nil {
		line, complete, tooLong, err := r.readLine()
		if err != nil {
			if errors.Is(err, io.EOF) {
				r.err = io.EOF
			} else {
				r.err = fmt.Errorf("%s:%d: read: %w", r.name, r.line+1, err)
				return zero, r.err
			}
		}
		if !complete && !tooLong && len(line) == 0 {
			break // end of input right after a newline
		}
		r.line++
		if tooLong {
			return zero, &LineError{File: r.name, Line: r.line, Err: fmt.Errorf("line longer than %d bytes", r.maxLine)}
		}
		if r.line == 1 {
			line = bytes.TrimPrefix(line, utf8BOM) // some editors save one
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		rec, err := r.decode(line)
		if err != nil {
			if !complete {
				r.warnings = append(r.warnings, fmt.Sprintf(
					"%s:%d: last line is cut short (%d bytes without a newline, %v); ignored", r.name, r.line, len(line), err))
				return zero, io.EOF
			}
			return zero, &LineError{File: r.name, Line: r.line, Err: err}
		}
		return rec, nil
	}
	return zero, r.err
}

// readLine returns the next line without its newline, and whether a newline ended it; the
// slice is valid until the next call. A line over r.maxLine bytes is consumed, not returned,
// and reported by tooLong. err is io.EOF at the end of the input, possibly with a last
// unterminated line.
func (r *lineReader[T]) readLine() (line []byte, complete, tooLong bool, err error) {
	r.buf = r.buf[:0]
	for {
		chunk, err := r.br.ReadSlice('\n')
		if !tooLong {
			n := len(r.buf) + len(chunk)
			if err == nil {
				n-- // the newline
			}
			if n > r.maxLine {
				tooLong, r.buf = true, r.buf[:0]
			} else {
				r.buf = append(r.buf, chunk...)
			}
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err != nil:
			if tooLong {
				return nil, false, true, err
			}
			return r.buf, false, false, err
		case tooLong:
			return nil, true, true, nil
		default:
			return r.buf[:len(r.buf)-1], true, false, nil
		}
	}
}

// close closes what the reader opened.
func (r *lineReader[T]) close() error {
	var errs []error
	for _, c := range r.closers {
		errs = append(errs, c.Close())
	}
	r.closers = nil
	return errors.Join(errs...)
}

// checkRecord rejects what pdata's lenient decoder accepts but is no OTLP/JSON record of the
// expected kind: text that is not one JSON object, or an object without the expected top-level
// field (another signal, a log line). Only called for records without resources, so its cost
// does not matter.
func checkRecord(line []byte, fields ...string) error {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(line, &top); err != nil {
		return fmt.Errorf("not an OTLP/JSON object: %w", err)
	}
	for _, f := range fields {
		if _, ok := top[f]; ok {
			return nil
		}
	}
	want := signalOf(fields[0])
	for key := range top {
		if other := signalOf(key); other != "" {
			return &signalError{want: want, found: other, field: key}
		}
	}
	keys := make([]string, 0, len(top))
	for k := range top {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if len(keys) > 5 {
		keys = append(keys[:5], "...")
	}
	return fmt.Errorf("not OTLP/JSON %s: no %q field (fields: %s)", want, fields[0], strings.Join(keys, ", "))
}

// signalError is the error for a record of another signal than the reader's.
type signalError struct {
	want, found string // "traces", "metrics", ...
	field       string // the top-level field naming the signal found
}

func (e *signalError) Error() string {
	return fmt.Sprintf("not OTLP/JSON %s: the line holds %s (%q)", e.want, e.found, e.field)
}

// signalOf names the signal whose requests have the top-level field, or returns "".
func signalOf(field string) string {
	switch field {
	case "resourceSpans", "resource_spans":
		return "traces"
	case "resourceMetrics", "resource_metrics":
		return "metrics"
	case "resourceLogs", "resource_logs":
		return "logs"
	case "resourceProfiles", "resource_profiles":
		return "profiles"
	default:
		return ""
	}
}

// checkObject rejects a line that cannot be a JSON object, with a short quote of its start.
func checkObject(line []byte) error {
	if len(line) > 0 && line[0] == '{' {
		return nil
	}
	const quote = 24
	start := line
	if len(start) > quote {
		start = start[:quote]
	}
	return fmt.Errorf("not OTLP/JSON: a line must hold one JSON object, found %q", start)
}
