package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agenttrace/otelagent/internal/tracefile"
	"github.com/agenttrace/otelagent/semconv"
)

// hostileNames are agent names that would rewrite a terminal, forge table lines or run as
// spreadsheet formulas if written raw.
var hostileNames = []string{
	"clear\x1b[2J\x1b[H",
	"title\x1b]0;pwned\x07",
	"two\nlines",
	"tab\tbed",
	"bidi\u202eevil",
	"c1\u009bcontrol",
	"=HYPERLINK(\"http://x\",\"y\")",
	"+1+1",
	"-2+3",
	"@SUM(A1)",
	"\tlead",
	"\rlead",
}

func hostileReport(t *testing.T) *Report {
	t.Helper()
	var specs []spec
	for i, name := range hostileNames {
		specs = append(specs, spec{trace: 1, id: uint64(i + 1), op: semconv.OperationInvokeAgent, agent: name,
			in: 10, out: 5, hit: ptr(false), hasCost: true, cost: 0.1})
	}
	rep, err := Build([]string{tracefile.Stdin}, bytes.NewReader(jsonLines(t, tracesOf(specs...))), Options{})
	require.NoError(t, err)
	require.Len(t, rep.Rows, len(hostileNames))
	return rep
}

func TestTableEscapesControlCharacters(t *testing.T) {
	rep := hostileReport(t)
	for _, format := range []string{FormatTable, FormatMarkdown} {
		t.Run(format, func(t *testing.T) {
			var out bytes.Buffer
			require.NoError(t, Render(&out, rep, format))
			s := out.String()
			for _, c := range []string{"\x1b", "\x07", "\r", "\u202e", "\u009b"} {
				assert.NotContains(t, s, c)
			}
			assert.Contains(t, s, `clear\x1b[2J\x1b[H`)
			assert.Contains(t, s, `two\nlines`)
			lines := strings.Count(s, "\n")
			if format == FormatTable {
				// header, blank line, column names, one line per row, total
				assert.Equal(t, 2+1+len(hostileNames)+1, lines, "no name adds a line:\n%s", s)
				assert.NotContains(t, s, "\t")
			}
		})
	}
}

func TestCSVNeutralisesFormulas(t *testing.T) {
	rep := hostileReport(t)
	var out bytes.Buffer
	require.NoError(t, Render(&out, rep, FormatCSV))
	records, err := csv.NewReader(&out).ReadAll()
	require.NoError(t, err)
	require.Len(t, records, 1+len(hostileNames)+1)
	for _, rec := range records[1:] {
		for i, cell := range rec {
			if cell == "" {
				continue
			}
			assert.NotContains(t, "=+-@\t\r", cell[:1], "column %s: %q", records[0][i], cell)
		}
	}
	byName := make(map[string][]string)
	for _, rec := range records[1:] {
		byName[rec[1]] = rec
	}
	// Control characters are escaped first, so a leading tab or carriage return is gone.
	for _, want := range []string{`'=HYPERLINK("http://x","y")`, "'+1+1", "'-2+3", "'@SUM(A1)", `\tlead`, `\rlead`, `clear\x1b[2J\x1b[H`} {
		rec, ok := byName[want]
		require.True(t, ok, "row %q in %v", want, records)
		assert.Equal(t, []string{"10", "5", "0.1"}, []string{rec[4], rec[5], rec[15]}, "numbers stay numbers")
	}
}

func TestCSVRoundsFloats(t *testing.T) {
	// 0.1 + 0.2 + 0.0307 is 0.33070000000000005 in float64.
	rep, err := Build([]string{tracefile.Stdin}, bytes.NewReader(jsonLines(t, tracesOf(
		spec{trace: 1, id: 1, op: semconv.OperationInvokeAgent, agent: "a", in: 1, out: 1, hit: ptr(false), hasCost: true, cost: 0.1},
		spec{trace: 1, id: 2, op: semconv.OperationInvokeAgent, agent: "a", in: 1, out: 1, hit: ptr(true), hasCost: true, cost: 0.2},
		spec{trace: 1, id: 3, op: semconv.OperationInvokeAgent, agent: "a", in: 1, out: 1, hit: ptr(false), hasCost: true, cost: 0.0307},
	))), Options{})
	require.NoError(t, err)
	require.InDelta(t, 0.3307, rep.Total.CostUSD, 1e-12)
	var out bytes.Buffer
	require.NoError(t, Render(&out, rep, FormatCSV))
	records, err := csv.NewReader(&out).ReadAll()
	require.NoError(t, err)
	total := records[len(records)-1]
	assert.Equal(t, "0.3307", total[15], "cost_usd")
	assert.Equal(t, "0.3333333333", total[12], "hit_rate")

	tests := []struct {
		in   float64
		want string
	}{
		{0.030725000000000002, "0.030725"},
		{0, "0"},
		{1234567.891, "1234567.891"},
		{1e-9, "0.000000001"},
		{2.0 / 3, "0.6666666667"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, csvFloat(tt.in), "%v", tt.in)
	}
}

func TestIntervalLabelsAreDistinct(t *testing.T) {
	tests := []struct {
		name     string
		interval time.Duration
		step     time.Duration
		want     []string
	}{
		{name: "100ms", interval: 100 * time.Millisecond, step: 100 * time.Millisecond,
			want: []string{"2026-03-01T09:00:00.000Z", "2026-03-01T09:00:00.100Z", "2026-03-01T09:00:00.200Z"}},
		{name: "250us", interval: 250 * time.Microsecond, step: 250 * time.Microsecond,
			want: []string{"2026-03-01T09:00:00.000000Z", "2026-03-01T09:00:00.000250Z", "2026-03-01T09:00:00.000500Z"}},
		{name: "1s", interval: time.Second, step: time.Second,
			want: []string{"2026-03-01T09:00:00Z", "2026-03-01T09:00:01Z", "2026-03-01T09:00:02Z"}},
		{name: "1500ms", interval: 1500 * time.Millisecond, step: 1500 * time.Millisecond,
			want: []string{"2026-03-01T09:00:00.000Z", "2026-03-01T09:00:01.500Z", "2026-03-01T09:00:03.000Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var specs []spec
			for i := range 3 {
				specs = append(specs, spec{trace: 1, id: uint64(i + 1), op: semconv.OperationInvokeAgent, agent: "a",
					start: time.Duration(i) * tt.step, dur: time.Microsecond, in: 1, out: 1, hit: ptr(false)})
			}
			rep, err := Build([]string{tracefile.Stdin}, bytes.NewReader(jsonLines(t, tracesOf(specs...))), Options{Interval: tt.interval})
			require.NoError(t, err)
			var got []string
			for _, iv := range rep.Intervals {
				got = append(got, iv.Name)
			}
			assert.Equal(t, tt.want, got)
		})
	}
	assert.Equal(t, "09:00:00.100", intervalLabel(base.Add(100*time.Millisecond), 100*time.Millisecond))
	assert.Equal(t, "09:00:05", intervalLabel(base.Add(5*time.Second), 5*time.Second))
	assert.Equal(t, "03-01 09:05", intervalLabel(base.Add(5*time.Minute), 5*time.Minute))
}

func TestSumsSaturate(t *testing.T) {
	const big = math.MaxInt64 - 1
	rep, err := Build([]string{tracefile.Stdin}, bytes.NewReader(jsonLines(t, tracesOf(
		spec{trace: 1, id: 1, op: semconv.OperationInvokeAgent, agent: "a", in: big, out: 0, hit: ptr(false), saved: big},
		spec{trace: 1, id: 2, op: semconv.OperationInvokeAgent, agent: "a", in: 5, out: 3, hit: ptr(true), saved: 7},
		spec{trace: 1, id: 3, op: semconv.OperationInvokeAgent, agent: "b", in: 1, out: 1, hit: ptr(false),
			extra: map[string]any{string(semconv.UsageTotalTokensKey): nil}},
		spec{trace: 1, id: 4, op: semconv.OperationInvokeAgent, agent: "c", in: 1, out: 1, hit: ptr(false),
			extra: map[string]any{string(semconv.GenAIUsageInputTokensKey): int64(math.MaxInt64), string(semconv.GenAIUsageOutputTokensKey): int64(math.MaxInt64), string(semconv.UsageTotalTokensKey): int64(0)}},
	))), Options{})
	require.NoError(t, err)
	assert.Equal(t, int64(math.MaxInt64), rep.Total.Prompt)
	assert.Equal(t, int64(math.MaxInt64), rep.Total.Total)
	assert.Equal(t, int64(math.MaxInt64), rep.Total.TokensSaved)
	assert.Equal(t, int64(math.MaxInt64), rep.Rows[0].Prompt, "row a")
	assert.Equal(t, int64(math.MaxInt64), rep.Rows[2].Total, "row c: prompt+completion saturates")
	assert.Equal(t, int64(math.MaxInt64), rep.Total.Completion)
	assert.Equal(t, int64(4), rep.Rows[0].Completion+rep.Rows[1].Completion)
	for _, row := range append(rep.Rows, rep.Total) {
		for _, v := range []int64{row.Prompt, row.Completion, row.Total, row.TokensSaved, row.CacheRead} {
			assert.GreaterOrEqual(t, v, int64(0), "row %s", row.Name)
		}
	}

	tests := []struct{ a, b, want int64 }{
		{math.MaxInt64, 1, math.MaxInt64},
		{math.MaxInt64, math.MaxInt64, math.MaxInt64},
		{math.MaxInt64 - 1, 1, math.MaxInt64},
		{1, 2, 3},
		{math.MinInt64, -1, math.MinInt64},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, addSat(tt.a, tt.b), "%d+%d", tt.a, tt.b)
	}
}

func TestNonFiniteNumbersNeverReachTheReport(t *testing.T) {
	path := filepath.Join(t.TempDir(), "costs.jsonl")
	require.NoError(t, os.WriteFile(path, jsonLines(t, tracesOf(
		spec{trace: 1, id: 0xa1, op: semconv.OperationInvokeAgent, agent: "plus", in: 1, out: 1, hit: ptr(false), hasCost: true, cost: math.Inf(1)},
		spec{trace: 1, id: 0xa2, op: semconv.OperationInvokeAgent, agent: "undefined", in: 1, out: 1, hit: ptr(false), hasCost: true, cost: math.NaN()},
		spec{trace: 1, id: 0xa3, op: semconv.OperationInvokeAgent, agent: "huge", in: 1, out: 1, hit: ptr(false), hasCost: true, cost: 1e308},
		spec{trace: 1, id: 0xa4, op: semconv.OperationInvokeAgent, agent: "huge", in: 1, out: 1, hit: ptr(false), hasCost: true, cost: 1e308, costSaved: math.Inf(-1)},
		spec{trace: 1, id: 0xa5, op: semconv.OperationInvokeAgent, agent: "ok", in: 1, out: 1, hit: ptr(false), hasCost: true, cost: 0.5},
	)), 0o600))
	rep, err := Build([]string{path}, nil, Options{})
	require.NoError(t, err)
	for _, format := range Formats {
		var out bytes.Buffer
		require.NoError(t, Render(&out, rep, format), format)
		text := strings.ReplaceAll(out.String(), "NaN or infinite", "")
		assert.NotContains(t, strings.ToLower(text), "inf", format)
		assert.NotContains(t, text, "NaN", format)
	}
	var out bytes.Buffer
	require.NoError(t, Render(&out, rep, FormatJSON))
	var decoded Report
	require.NoError(t, json.Unmarshal(out.Bytes(), &decoded))
	assert.Equal(t, math.MaxFloat64, decoded.Total.CostUSD, "the sum saturates")
	joined := strings.Join(rep.Warnings, "\n")
	assert.Contains(t, joined, path)
	assert.Contains(t, joined, "00000000000000a1", "names the first span")
	assert.Contains(t, joined, string(semconv.CostUSDKey))
	assert.Contains(t, joined, string(semconv.CostSavedUSDKey))
	assert.Contains(t, joined, "saturated")
	for _, row := range rep.Rows {
		if row.Name == "ok" {
			assert.InDelta(t, 0.5, row.CostUSD, 1e-12)
		}
	}
}

func TestRenderJSONNamesTheSourceOfANonFiniteNumber(t *testing.T) {
	rep := &Report{By: ByAgent, Sources: []string{"a.jsonl", "b.jsonl"}, Rows: []Row{{Name: "x", CostUSD: math.Inf(1)}}}
	var out bytes.Buffer
	err := Render(&out, rep, FormatJSON)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "a.jsonl")
	assert.Contains(t, err.Error(), `"x"`)
}
