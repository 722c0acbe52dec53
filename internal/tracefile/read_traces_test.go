package tracefile

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

func TestReadTraces(t *testing.T) {
	golden := mustRead(t, goldenTraces)
	first, second, ok := strings.Cut(strings.TrimSuffix(golden, "\n"), "\n")
	require.True(t, ok, "the golden file has two lines")
	metrics := `{"resourceMetrics":[{"resource":{},"scopeMetrics":[]}]}`
	torn := first[:200]
	manyBad := first + "\n" + strings.Repeat("garbage\n", maxLineWarnings+5)

	tests := []struct {
		name     string
		input    string
		lines    []int // of the records passed to fn
		skipped  int
		metrics  bool
		warnings []string // each contained in the warning of the same index
		wantErr  string
	}{
		{name: "golden", input: golden, lines: []int{1, 2}},
		{name: "torn line in the middle", input: first + "\n" + torn + "\n" + second + "\n", lines: []int{1, 3}, skipped: 1,
			warnings: []string{"in.jsonl:2: invalid OTLP/JSON trace record"}},
		{name: "torn first line", input: torn + "\n" + second + "\n", lines: []int{2}, skipped: 1,
			warnings: []string{"in.jsonl:1: invalid OTLP/JSON trace record"}},
		{name: "cut-short last line", input: golden + torn, lines: []int{1, 2}, skipped: 1,
			warnings: []string{"in.jsonl:3: last line is cut short"}},
		{name: "metrics file", input: metrics + "\n" + metrics + "\n", metrics: true,
			warnings: []string{"in.jsonl holds OTLP/JSON metrics, not traces; skipped"}},
		{name: "metrics line after traces", input: first + "\n" + metrics + "\n", lines: []int{1}, skipped: 1,
			warnings: []string{`in.jsonl:2: not OTLP/JSON traces: the line holds metrics ("resourceMetrics"); line skipped`}},
		{name: "many bad lines", input: manyBad, lines: []int{1}, skipped: maxLineWarnings + 5,
			warnings: append(make([]string, maxLineWarnings), "in.jsonl: 5 more lines skipped")},
		{name: "no trace record", input: "hello\nworld\n", skipped: 2,
			wantErr: `in.jsonl:1: not OTLP/JSON: a line must hold one JSON object, found "hello" (no line is an OTLP/JSON trace record)`},
		{name: "read error", input: "\x1f\x8b\x08\x00", wantErr: "in.jsonl: unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var lines []int
			res, err := ReadTraces(strings.NewReader(tt.input), "in.jsonl", func(_ ptrace.Traces, line int) error {
				lines = append(lines, line)
				return nil
			})
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Equal(t, tt.wantErr, err.Error())
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.lines, lines)
			assert.Equal(t, len(tt.lines), res.Records)
			assert.Equal(t, tt.skipped, res.Skipped)
			assert.Equal(t, tt.metrics, res.Metrics)
			require.Len(t, res.Warnings, len(tt.warnings), "%q", res.Warnings)
			for i, w := range tt.warnings {
				assert.Contains(t, res.Warnings[i], w)
			}
		})
	}
}

func TestReadTracesCallbackError(t *testing.T) {
	stop := errors.New("stop")
	calls := 0
	res, err := ReadTraces(strings.NewReader(mustRead(t, goldenTraces)), "in.jsonl", func(ptrace.Traces, int) error {
		calls++
		return stop
	})
	assert.Equal(t, stop, err, "returned as is")
	assert.Equal(t, 1, calls)
	assert.Equal(t, 1, res.Records)
}

// spansLine returns one trace record of n empty spans: about 3 bytes each.
func spansLine(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"resourceSpans":[{"scopeSpans":[{"spans":[{}`)
	for range n - 1 {
		b.WriteString(`,{}`)
	}
	b.WriteString("]}]}]}\n")
	return b.Bytes()
}

func TestCheckRecordSize(t *testing.T) {
	nested := func(depth int) []byte {
		return []byte(`{"resourceSpans":` + strings.Repeat("[", depth-1) + strings.Repeat("]", depth-1) + "}")
	}
	objects := func(n int) []byte {
		return []byte(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{}` + strings.Repeat(`,{}`, n-5) + `]}]}]}]}`)
	}
	tests := []struct {
		name    string
		line    []byte
		wantErr string
	}{
		{name: "at the span limit", line: spansLine(MaxRecordSpans)},
		{name: "past the span limit", line: spansLine(MaxRecordSpans + 1), wantErr: fmt.Sprintf("record holds more than %d spans", MaxRecordSpans)},
		{name: "spans key inside a string", line: []byte(`{"a":"\"spans\":[{},{}]","spans":{}}`)},
		{name: "snake case", line: []byte(`{"resource_spans":[{"scope_spans":[{"spans":[{},{}]}]}]}`)},
		{name: "at the object limit", line: objects(MaxRecordObjects)},
		{name: "past the object limit", line: objects(MaxRecordObjects + 1), wantErr: fmt.Sprintf("record holds more than %d JSON objects", MaxRecordObjects)},
		{name: "at the depth limit", line: nested(MaxRecordDepth)},
		{name: "past the depth limit", line: nested(MaxRecordDepth + 1), wantErr: fmt.Sprintf("record nested deeper than %d levels", MaxRecordDepth)},
		{name: "unterminated string", line: []byte(`{"spans":[{},"abc`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkRecordSize(tt.line)
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			assert.EqualError(t, err, tt.wantErr)
		})
	}
}

// TestReadTracesHostileGzip reads a small gzip whose first line decompresses to millions of
// empty spans: decoding it would take about 220 bytes per span. The line is refused before
// decoding, with its file, line and the limit, and the next line is read; what was allocated
// stays near the size of the line, not of its decoded spans.
func TestReadTracesHostileGzip(t *testing.T) {
	const spans = 8 * MaxRecordSpans // 2M spans: 6 MB of JSON, about 460 MB decoded
	golden := mustRead(t, goldenTraces)
	first, _, _ := strings.Cut(golden, "\n")
	input := gzipped(t, append(spansLine(spans), first+"\n"...))
	require.Less(t, len(input), 64<<10, "small on disk")

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var lines []int
	res, err := ReadTraces(bytes.NewReader(input), "hostile.jsonl.gz", func(_ ptrace.Traces, line int) error {
		lines = append(lines, line)
		return nil
	})
	runtime.ReadMemStats(&after)
	allocated := after.TotalAlloc - before.TotalAlloc
	assert.Less(t, allocated, uint64(64<<20), "allocated %d MB", allocated>>20)
	require.NoError(t, err)
	assert.Equal(t, []int{2}, lines)
	assert.Equal(t, 1, res.Skipped)
	require.Len(t, res.Warnings, 1)
	assert.Equal(t, fmt.Sprintf("hostile.jsonl.gz:1: record holds more than %d spans; line skipped", MaxRecordSpans), res.Warnings[0])
}

// FuzzReadTraces feeds arbitrary bytes to the damaged-input policy: it never panics, the
// lines it passes on increase, and its warnings stay few whatever the number of bad lines.
func FuzzReadTraces(f *testing.F) {
	golden := []byte(mustRead(f, goldenTraces))
	f.Add(golden)
	f.Add(gzipped(f, golden))
	f.Add(append(append([]byte{}, golden[:300]...), '\n'))
	f.Add([]byte(`{"resourceMetrics":[]}` + "\n"))
	f.Add([]byte("a\nb\nc\n"))
	f.Add(spansLine(3))
	f.Fuzz(func(t *testing.T, data []byte) {
		last := 0
		res, _ := ReadTraces(bytes.NewReader(data), "fuzz", func(td ptrace.Traces, line int) error {
			if line <= last {
				t.Fatalf("line %d after line %d", line, last)
			}
			last = line
			return nil
		})
		if len(res.Warnings) > maxLineWarnings+1 {
			t.Fatalf("%d warnings", len(res.Warnings))
		}
		if res.Metrics && res.Records > 0 {
			t.Fatal("a metrics file with trace records")
		}
	})
}
