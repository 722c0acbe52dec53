package tracefile

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// goldenTraces is the file exporter's golden output.
const goldenTraces = "../../exporters/testdata/traces.golden.jsonl"

// readResult is what a reader returned for one call of Next.
type readResult struct {
	spans   int // records: span count
	errLine int // *LineError: its line
	errText string
}

// drainTraces calls Next until io.EOF or an error that is not a *LineError.
func drainTraces(t *testing.T, r *TraceReader) (results []readResult, final error) {
	t.Helper()
	for range 1000 {
		td, err := r.Next()
		var lineErr *LineError
		switch {
		case err == nil:
			results = append(results, readResult{spans: td.SpanCount()})
		case errors.As(err, &lineErr):
			assert.Equal(t, lineErr.Line, r.Line(), "Line() is the line of the error")
			results = append(results, readResult{errLine: lineErr.Line, errText: err.Error()})
		default:
			return results, err
		}
	}
	t.Fatal("reader did not stop")
	return nil, nil
}

func mustRead(t testing.TB, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(data)
}

func gzipped(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write(data)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func TestTraceReader(t *testing.T) {
	golden := mustRead(t, goldenTraces)
	first, second, ok := strings.Cut(strings.TrimSuffix(golden, "\n"), "\n")
	require.True(t, ok, "the golden file has two lines")
	metrics := `{"resourceMetrics":[{"resource":{},"scopeMetrics":[]}]}`

	tests := []struct {
		name     string
		input    string
		want     []readResult
		warnings []string
	}{
		{name: "empty input"},
		{name: "golden file", input: golden, want: []readResult{{spans: 4}, {spans: 2}}},
		{name: "last line without newline", input: first + "\n" + second, want: []readResult{{spans: 4}, {spans: 2}}},
		{name: "cut-short last line", input: golden + `{"resourceSpans":[{"reso`, want: []readResult{{spans: 4}, {spans: 2}},
			warnings: []string{"in.jsonl:3: last line is cut short"}},
		{name: "UTF-8 byte order mark", input: "\ufeff" + golden, want: []readResult{{spans: 4}, {spans: 2}}},
		{name: "blank lines and CRLF", input: "\n" + first + "\r\n  \n" + second + "\r\n\n", want: []readResult{{spans: 4}, {spans: 2}}},
		{name: "bad line in the middle", input: first + "\nnot json\n" + second + "\n",
			want: []readResult{{spans: 4}, {errLine: 2, errText: "in.jsonl:2: not OTLP/JSON"}, {spans: 2}}},
		{name: "cut-short line in the middle", input: first + "\n" + `{"resourceSpans":[{"reso` + "\n" + second + "\n",
			want: []readResult{{spans: 4}, {errLine: 2, errText: "in.jsonl:2: invalid OTLP/JSON trace record"}, {spans: 2}}},
		{name: "plain text file", input: "2026-01-01 INFO started\nmore text\n",
			want: []readResult{{errLine: 1, errText: `in.jsonl:1: not OTLP/JSON: a line must hold one JSON object, found "2026-01-01 INFO started"`},
				{errLine: 2, errText: "in.jsonl:2: not OTLP/JSON"}}},
		{name: "JSON log file", input: `{"level":"info","msg":"started"}` + "\n",
			want: []readResult{{errLine: 1, errText: `in.jsonl:1: not OTLP/JSON traces: no "resourceSpans" field (fields: level, msg)`}}},
		{name: "metrics file", input: metrics + "\n",
			want: []readResult{{errLine: 1, errText: `in.jsonl:1: not OTLP/JSON traces: the line holds metrics ("resourceMetrics")`}}},
		{name: "trailing data", input: `{"resourceSpans":[]} {"resourceSpans":[]}` + "\n",
			want: []readResult{{errLine: 1, errText: "not one valid JSON object"}}},
		{name: "JSON array", input: "[1,2]\n", want: []readResult{{errLine: 1, errText: "not OTLP/JSON"}}},
		{name: "wrong type inside", input: `{"resourceSpans":"x"}` + "\n", want: []readResult{{errLine: 1, errText: "invalid OTLP/JSON trace record"}}},
		{name: "empty request", input: `{"resourceSpans":[]}` + "\n" + `{"resource_spans":[]}`, want: []readResult{{spans: 0}, {spans: 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, compress := range []bool{false, true} {
				input := []byte(tt.input)
				if compress {
					input = gzipped(t, input)
				}
				r := NewTraceReader(bytes.NewReader(input), "in.jsonl")
				results, final := drainTraces(t, r)
				require.ErrorIs(t, final, io.EOF)
				require.Len(t, results, len(tt.want), "gzip=%v: %+v", compress, results)
				for i, want := range tt.want {
					assert.Equal(t, want.spans, results[i].spans, "record %d", i)
					assert.Equal(t, want.errLine, results[i].errLine, "record %d", i)
					assert.Contains(t, results[i].errText, want.errText, "record %d", i)
				}
				require.Len(t, r.Warnings(), len(tt.warnings))
				for i, w := range tt.warnings {
					assert.Contains(t, r.Warnings()[i], w)
				}
				_, err := r.Next()
				assert.ErrorIs(t, err, io.EOF, "io.EOF stays")
				assert.NoError(t, r.Close())
			}
		})
	}
}

func TestOpenTraceFile(t *testing.T) {
	dir := t.TempDir()
	golden := []byte(mustRead(t, goldenTraces))
	plain := filepath.Join(dir, "traces.jsonl")
	require.NoError(t, os.WriteFile(plain, golden, 0o600))
	compressed := filepath.Join(dir, "traces-2026-01-01T00-00-00.000.jsonl.gz")
	require.NoError(t, os.WriteFile(compressed, gzipped(t, golden), 0o600))

	for _, path := range []string{plain, compressed} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			r, err := OpenTraceFile(path)
			require.NoError(t, err)
			var records []ptrace.Traces
			for {
				td, err := r.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				require.NoError(t, err)
				records = append(records, td)
			}
			require.NoError(t, r.Close())
			require.NoError(t, r.Close(), "closing twice")

			// Records read earlier stay intact after later lines reuse the line buffer.
			want := readTraceLines(t, plain)
			require.Len(t, records, len(want))
			for i := range want {
				assert.Equal(t, want[i], records[i])
			}
		})
	}

	_, err := OpenTraceFile(filepath.Join(dir, "missing.jsonl"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), filepath.Join(dir, "missing.jsonl"))

	notGzip := filepath.Join(dir, "bad.gz")
	require.NoError(t, os.WriteFile(notGzip, []byte{0x1f, 0x8b, 0, 0}, 0o600))
	_, err = OpenTraceFile(notGzip)
	require.Error(t, err)
	assert.Contains(t, err.Error(), notGzip)
}

func TestTraceReaderInputErrors(t *testing.T) {
	golden := []byte(mustRead(t, goldenTraces))
	readErr := errors.New("disk on fire")
	tests := []struct {
		name    string
		input   io.Reader
		records int
		wantErr string
	}{
		{name: "nil reader", input: nil, wantErr: "in.jsonl: nil reader"},
		{name: "read error", input: io.MultiReader(bytes.NewReader(golden), iotest.ErrReader(readErr)), records: 2, wantErr: "in.jsonl:3: read: disk on fire"},
		{name: "truncated gzip", input: bytes.NewReader(gzipped(t, golden)[:200]), wantErr: "in.jsonl:1: read: unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewTraceReader(tt.input, "in.jsonl")
			results, err := drainTraces(t, r)
			assert.Len(t, results, tt.records)
			require.Error(t, err)
			assert.NotErrorIs(t, err, io.EOF)
			assert.Contains(t, err.Error(), tt.wantErr)
			_, again := r.Next()
			assert.Equal(t, err, again, "the error stays")
			assert.NoError(t, r.Close())
		})
	}
}

func TestTraceReaderLongLines(t *testing.T) {
	golden := mustRead(t, goldenTraces)
	first, _, _ := strings.Cut(golden, "\n")
	long := `{"resourceSpans":[], "pad":"` + strings.Repeat("x", len(first)) + `"}`
	tests := []struct {
		name  string
		input string
		want  []readResult
	}{
		{name: "long line in the middle", input: first + "\n" + long + "\n" + first + "\n",
			want: []readResult{{spans: 4}, {errLine: 2, errText: "in.jsonl:2: line longer than"}, {spans: 4}}},
		{name: "long last line", input: first + "\n" + long,
			want: []readResult{{spans: 4}, {errLine: 2, errText: "line longer than"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewTraceReader(oneByteAtATime(tt.input), "in.jsonl")
			r.r.maxLine = len(first) // the golden line fits exactly
			results, final := drainTraces(t, r)
			require.ErrorIs(t, final, io.EOF)
			require.Len(t, results, len(tt.want), "%+v", results)
			for i, want := range tt.want {
				assert.Equal(t, want.spans, results[i].spans)
				assert.Equal(t, want.errLine, results[i].errLine)
				assert.Contains(t, results[i].errText, want.errText)
			}
		})
	}
}

// oneByteAtATime feeds a reader in small pieces, so that lines span many buffer fills.
func oneByteAtATime(s string) io.Reader {
	return iotest.OneByteReader(strings.NewReader(s))
}

func TestLineError(t *testing.T) {
	inner := errors.New("bad")
	err := error(&LineError{File: "a.jsonl", Line: 7, Err: inner})
	assert.Equal(t, "a.jsonl:7: bad", err.Error())
	assert.ErrorIs(t, err, inner)
}

func TestTraceReaderWarningsAreCopies(t *testing.T) {
	r := NewTraceReader(strings.NewReader(`{"cut`), "in.jsonl")
	_, err := r.Next()
	require.ErrorIs(t, err, io.EOF)
	w := r.Warnings()
	require.Len(t, w, 1)
	w[0] = "changed"
	assert.NotEqual(t, "changed", r.Warnings()[0])
}

// FuzzTraceReader feeds arbitrary bytes to the reader: it must never panic or loop, every
// *LineError must name a line, and every record it returns must survive an encode/decode
// round trip unchanged.
func FuzzTraceReader(f *testing.F) {
	golden, err := os.ReadFile(goldenTraces)
	require.NoError(f, err)
	f.Add(golden)
	f.Add(gzipped(f, golden))
	f.Add(golden[:len(golden)/2])
	f.Add(gzipped(f, golden)[:100])
	f.Add(append(append([]byte{}, golden...), `{"resourceSpans":[{"reso`...))
	f.Add([]byte(`{"resourceMetrics":[]}` + "\n"))
	f.Add([]byte(`{"resourceSpans":[]} x` + "\n\n\r\n"))
	f.Add([]byte("hello\n"))
	f.Add([]byte{})

	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewTraceReader(bytes.NewReader(data), "fuzz")
		defer r.Close()
		for range len(data) + 2 { // at most one result per line, lines need bytes
			td, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			var lineErr *LineError
			if errors.As(err, &lineErr) {
				if lineErr.Line < 1 || lineErr.File != "fuzz" {
					t.Fatalf("line error without a line: %v", err)
				}
				continue
			}
			if err != nil {
				return // input errors (broken gzip) end the stream
			}
			if td.SpanCount() > MaxRecordSpans {
				t.Fatalf("a record of %d spans passed the limit", td.SpanCount())
			}
			var m ptrace.JSONMarshaler
			first, err := m.MarshalTraces(td)
			if err != nil {
				t.Fatalf("re-encoding a record read: %v", err)
			}
			var u ptrace.JSONUnmarshaler
			again, err := u.UnmarshalTraces(first)
			if err != nil {
				t.Fatalf("decoding a re-encoded record: %v\n%s", err, first)
			}
			second, err := m.MarshalTraces(again)
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

func TestForEachSpan(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "trace.jsonl")
	good := `{"resourceSpans":[{"resource":{},"scopeSpans":[{"scope":{"name":"s"},"spans":[` +
		`{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","name":"a"},` +
		`{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060709","name":"b"}]}]}]}`
	require.NoError(t, os.WriteFile(path, []byte(good+"\n"+good+"\n{\"resourceSp"), 0o600))

	var names []string
	warnings, err := ForEachSpan(path, func(_ ptrace.ResourceSpans, ss ptrace.ScopeSpans, s ptrace.Span) error {
		assert.Equal(t, "s", ss.Scope().Name())
		names = append(names, s.Name())
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b", "a", "b"}, names)
	require.Len(t, warnings, 1, "the torn last line is a warning")

	stop := errors.New("stop")
	calls := 0
	_, err = ForEachSpan(path, func(ptrace.ResourceSpans, ptrace.ScopeSpans, ptrace.Span) error { calls++; return stop })
	assert.ErrorIs(t, err, stop)
	assert.Equal(t, 1, calls)

	_, err = ForEachSpan(filepath.Join(dir, "missing.jsonl"), nil)
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// readTraceLines decodes every line of an OTLP/JSON trace file, independently of the reader.
func readTraceLines(t *testing.T, path string) []ptrace.Traces {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var out []ptrace.Traces
	for i, line := range bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n")) {
		var u ptrace.JSONUnmarshaler
		td, err := u.UnmarshalTraces(line)
		require.NoError(t, err, "%s:%d", path, i+1)
		out = append(out, td)
	}
	return out
}
