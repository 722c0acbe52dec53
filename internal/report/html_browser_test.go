package report

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agenttrace/otelagent/internal/tracefile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agenttrace/otelagent/semconv"
)

// chromiumPath finds Debian's chromium; with CI=true a missing browser fails the test.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed (apt-get install -y chromium); CI needs it to test the HTML report")
	}
	t.Skip("chromium is not installed (apt-get install -y chromium): HTML report not tested in a browser")
	return ""
}

// consoleLine matches a console message Chromium logs to stderr with --enable-logging.
var consoleLine = regexp.MustCompile(`(?m)^.*:CONSOLE[:(]\d+\)?\] .*$|^.*Uncaught .*$`)

// loadInChromium opens page in headless Chromium and returns the DOM after load and the
// console messages it logged.
func loadInChromium(t *testing.T, page []byte, args ...string) (dom string, console []string) {
	t.Helper()
	bin := chromiumPath(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "report.html")
	require.NoError(t, os.WriteFile(path, page, 0o600))
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--enable-logging=stderr", "--v=0")
	cmd.Args = append(append(cmd.Args, args...), "--dump-dom", "file://"+path)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "chromium: %s", stderr.String())
	return stdout.String(), consoleLine.FindAllString(stderr.String(), -1)
}

// svgElements counts the elements of class in the svg with id.
func svgElements(t *testing.T, dom, id, class string) int {
	t.Helper()
	start := strings.Index(dom, `<svg id="`+id+`"`)
	if start < 0 {
		return -1
	}
	end := strings.Index(dom[start:], "</svg>")
	require.Positive(t, end, "svg %s is not closed", id)
	return strings.Count(dom[start:start+end], `class="`+class+`"`)
}

func TestHTMLReportInChromium(t *testing.T) {
	rep, err := Build([]string{tracefile.Stdin}, bytes.NewReader(jsonLines(t, scenario()...)), Options{Interval: time.Hour})
	require.NoError(t, err)
	var page bytes.Buffer
	require.NoError(t, Render(&page, rep, FormatHTML))
	assert.NotContains(t, page.String(), "http://", "the page loads nothing")
	assert.NotContains(t, page.String(), "https://")
	assert.NotContains(t, page.String(), "<script")

	dom, console := loadInChromium(t, page.Bytes())
	assert.Empty(t, console, "console messages")
	require.Contains(t, dom, "<h1>otelagent report</h1>")

	var stacked int
	for _, iv := range rep.Intervals {
		for _, k := range tokenKinds {
			if k.value(iv.Usage) > 0 {
				stacked++
			}
		}
	}
	require.Len(t, rep.Intervals, 6)
	assert.Equal(t, stacked, svgElements(t, dom, "chart-tokens", "bar"), "a bar per interval and non-zero token kind")
	assert.Equal(t, 2*len(rep.Intervals), svgElements(t, dom, "chart-cache", "point"), "hit rate and savings per interval")
	assert.Equal(t, len(rep.Latency), svgElements(t, dom, "chart-latency", "bar"))
	assert.Equal(t, 1, svgElements(t, dom, "chart-agents", "bar"), "only planner has a cost")
	assert.Equal(t, len(rep.Rows)+2, strings.Count(dom, "<tr"), "header, groups and total")
}

// TestChromiumProbeSeesConsoleErrors keeps the console check honest: a page that throws is
// caught.
func TestChromiumProbeSeesConsoleErrors(t *testing.T) {
	_, console := loadInChromium(t, []byte(`<!DOCTYPE html><html><body><script>console.error("probe"); undefinedFunction();</script></body></html>`))
	joined := strings.Join(console, "\n")
	assert.Contains(t, joined, "probe")
	assert.Contains(t, joined, "undefinedFunction")
}

// TestHTMLSummaryFitsInChromium measures the page of TestHTMLSummaryFitsTheScreen in a
// 1280 px window: nothing may scroll sideways.
func TestHTMLSummaryFitsInChromium(t *testing.T) {
	var specs []spec
	for i, name := range []string{"customer-support-triage-agent-v2", "research-and-summarise-long-documents", "w"} {
		specs = append(specs, spec{trace: 1, id: uint64(i + 1), op: semconv.OperationInvokeAgent, agent: name,
			dur: 12345 * time.Millisecond, in: 98_765_432, out: 12_345_678, cacheRead: 45_678_901, reasoning: 3_456_789,
			hit: ptr(false), saved: 23_456_789, hasCost: true, cost: 12345.678901, costSaved: 2345.678901})
	}
	rep, err := Build([]string{tracefile.Stdin}, bytes.NewReader(jsonLines(t, tracesOf(specs...))), Options{})
	require.NoError(t, err)
	var page bytes.Buffer
	require.NoError(t, Render(&page, rep, FormatHTML))
	probe := `<script>document.body.setAttribute("data-widths",
  document.querySelector("table").getBoundingClientRect().width + " " + document.documentElement.scrollWidth)</script></body>`
	measured := strings.Replace(page.String(), "</body>", probe, 1)
	dom, console := loadInChromium(t, []byte(measured), "--window-size=1280,900")
	assert.Empty(t, console)
	m := regexp.MustCompile(`data-widths="([0-9.]+) ([0-9]+)"`).FindStringSubmatch(dom)
	require.NotNil(t, m, "the probe ran")
	table, err := strconv.ParseFloat(m[1], 64)
	require.NoError(t, err)
	scroll, err := strconv.Atoi(m[2])
	require.NoError(t, err)
	t.Logf("summary table %.0f px, page %d px wide", table, scroll)
	assert.LessOrEqual(t, table, 1280.0-2*16)
	assert.LessOrEqual(t, scroll, 1280)
}
