package report

import (
	"bytes"
	"compress/gzip"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agenttrace/otelagent/internal/tracefile"
	"github.com/agenttrace/otelagent/otelagent"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// quickstartTrace is a trace file written by examples/quickstart through the file exporter.
const quickstartTrace = "testdata/quickstart.jsonl"

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create it")
	assert.Equal(t, string(want), string(got))
}

func TestRenderGolden(t *testing.T) {
	inputs := []struct {
		name  string
		files []string
		stdin []byte
		opts  Options
	}{
		{name: "quickstart", files: []string{quickstartTrace}},
		{name: "scenario_by_model_1h", files: []string{tracefile.Stdin}, stdin: jsonLines(t, scenario()...), opts: Options{By: ByModel, Interval: time.Hour}},
	}
	for _, in := range inputs {
		rep, err := Build(in.files, bytes.NewReader(in.stdin), in.opts)
		require.NoError(t, err)
		for _, format := range Formats {
			t.Run(in.name+"/"+format, func(t *testing.T) {
				var buf bytes.Buffer
				require.NoError(t, Render(&buf, rep, format))
				golden(t, in.name+"."+format, buf.Bytes())
			})
		}
	}
}

func TestRenderUnknownFormat(t *testing.T) {
	err := Render(&bytes.Buffer{}, &Report{}, "pdf")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `format "pdf"`)
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, data, 0o600))
}

func gzipped(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write(data)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func TestExpandInputsRotatedAndGlobs(t *testing.T) {
	dir := t.TempDir()
	recs := scenario()
	active := filepath.Join(dir, "agent_trace.jsonl")
	old := filepath.Join(dir, "agent_trace-2026-03-01T08-00-00.000.jsonl.gz")
	older := filepath.Join(dir, "agent_trace-2026-02-28T08-00-00.000.jsonl")
	writeFile(t, older, jsonLines(t, recs[0]))
	writeFile(t, old, gzipped(t, jsonLines(t, recs[1:3]...)))
	writeFile(t, active, jsonLines(t, recs[3:]...))

	files, err := tracefile.ExpandInputs([]string{active})
	require.NoError(t, err)
	assert.Equal(t, []string{older, old, active}, files, "backups oldest first, then the file")

	globbed, err := tracefile.ExpandInputs([]string{filepath.Join(dir, "*.jsonl*"), active, tracefile.Stdin})
	require.NoError(t, err)
	assert.Len(t, globbed, 4, "each file once, stdin kept")

	rep, err := Build(files, nil, Options{})
	require.NoError(t, err)
	whole := summarize(t, Options{}, scenario()...)
	assert.Equal(t, whole.Total, rep.Total, "rotated and gzipped parts add up to the whole")
}

func TestBuildErrors(t *testing.T) {
	dir := t.TempDir()
	notOTLP := filepath.Join(dir, "notes.txt")
	writeFile(t, notOTLP, []byte("hello world\n"))
	metrics := filepath.Join(dir, "metrics.jsonl")
	writeFile(t, metrics, []byte(`{"resourceMetrics":[]}`+"\n"))
	summary := filepath.Join(dir, "summary.json")
	writeFile(t, summary, []byte(`{"cache_statistics": {}, "stats": {}, "events": []}`))
	brokenSummary := filepath.Join(dir, "broken.json")
	writeFile(t, brokenSummary, []byte(`{"cache_statistics": {"hits": "many"}}`))

	tests := []struct {
		name   string
		args   []string
		opts   Options
		expand bool
		want   string
	}{
		{name: "missing file", args: []string{filepath.Join(dir, "nope.jsonl")}, expand: true, want: "nope.jsonl: no such file"},
		{name: "empty glob", args: []string{filepath.Join(dir, "*.gz")}, expand: true, want: "matches no file"},
		{name: "bad glob", args: []string{filepath.Join(dir, "[")}, expand: true, want: "syntax error in pattern"},
		{name: "no input", args: nil, expand: true, want: "no input"},
		{name: "not OTLP", args: []string{notOTLP}, want: notOTLP + ":1: not OTLP/JSON"},
		{name: "summary with others", args: []string{summary, quickstartTrace}, want: "a summary can only be reported alone"},
		{name: "summary by conversation", args: []string{summary}, opts: Options{By: ByConversation}, want: "has no conversations"},
		{name: "summary with interval", args: []string{summary}, opts: Options{Interval: time.Hour}, want: "no span times"},
		{name: "broken summary", args: []string{brokenSummary}, want: "not a SaveTrace summary"},
		{name: "stdin missing", args: []string{tracefile.Stdin}, want: "no standard input"},
		{name: "bad options", args: []string{quickstartTrace}, opts: Options{By: "x"}, want: `by "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.expand {
				_, err = tracefile.ExpandInputs(tt.args)
			} else {
				_, err = Build(tt.args, nil, tt.opts)
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestBuildSkipsDamage(t *testing.T) {
	lines := jsonLines(t, scenario()...)
	torn := append(bytes.Clone(lines), []byte(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"ab`)...)
	badMiddle := append(bytes.Clone(lines), []byte("not json\n")...)
	badMiddle = append(badMiddle, jsonLines(t, scenario()[0])...)
	unknownFields := bytes.ReplaceAll(lines, []byte(`"resourceSpans":[`), []byte(`"futureField":{"x":1},"resourceSpans":[`))

	whole := summarize(t, Options{}, scenario()...)
	tests := []struct {
		name        string
		data        []byte
		invocations int64
		warning     string
	}{
		{"torn last line", torn, whole.Total.Invocations, "last line is cut short"},
		{"bad line in the middle", badMiddle, whole.Total.Invocations + 3, "line skipped"},
		{"unknown fields", unknownFields, whole.Total.Invocations, "spans without"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Build([]string{tracefile.Stdin}, bytes.NewReader(tt.data), Options{})
			require.NoError(t, err)
			assert.Equal(t, tt.invocations, rep.Total.Invocations)
			assert.Contains(t, strings.Join(rep.Warnings, "\n"), tt.warning)
		})
	}
}

func TestBuildSaveTraceSummary(t *testing.T) {
	tracer := otelagent.New(otelagent.WithPricing(otelagent.Pricing{"gpt-4o": {Input: 2.5, Output: 10}}))
	for i, hit := range []bool{false, true, false} {
		_, inv := tracer.Invoke(t.Context(), "planner", nil)
		require.NoError(t, inv.Complete(nil, otelagent.WithCacheHit(hit),
			otelagent.WithUsage(otelagent.TokenUsage{PromptTokens: int64(100 * (i + 1)), CompletionTokens: 10, Model: "gpt-4o"})))
	}
	path := filepath.Join(t.TempDir(), "summary.json")
	require.NoError(t, tracer.SaveTrace(path))

	rep, err := Build([]string{path}, nil, Options{By: ByModel})
	require.NoError(t, err)
	cs := tracer.CacheStatistics()
	assert.Equal(t, cs.Hits, rep.Total.CacheHits)
	assert.Equal(t, cs.TokensSaved, rep.Total.TokensSaved)
	assert.Equal(t, cs.TokensSpent, rep.Total.Total)
	assert.InDelta(t, cs.SavingsPercentage, rep.Total.SavingsPercentage, 1e-9)
	assert.InDelta(t, cs.CostSpent, rep.Total.CostUSD, 1e-12)
	require.Len(t, rep.Rows, 1)
	assert.Equal(t, "gpt-4o", rep.Rows[0].Name)
	assert.EqualValues(t, 3, rep.Rows[0].Invocations)
	assert.Positive(t, rep.Rows[0].LatencyP99)
}
