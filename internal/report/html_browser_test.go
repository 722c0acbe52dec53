package report

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/agenttrace/otelagent/internal/tracefile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
func loadInChromium(t *testing.T, page []byte) (dom string, console []string) {
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
		"--user-data-dir="+filepath.Join(dir, "profile"), "--enable-logging=stderr", "--v=0",
		"--dump-dom", "file://"+path)
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
