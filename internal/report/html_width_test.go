package report

import (
	"bytes"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agenttrace/otelagent/internal/tracefile"
	"github.com/agenttrace/otelagent/semconv"
)

// Geometry the width estimate assumes: a generous 8 px per character of 13 px text (wider
// than system-ui's digits), the cell padding and the first column's cap, from the page's CSS.
const (
	estCharPx    = 8.0
	estPaddingPx = 2*5 + 1
	estNameCapPx = 12 * 13
	screenPx     = 1280 - 2*16 - 15 // a 1280 px window less the body margins and a scroll bar
)

var (
	cellRE = regexp.MustCompile(`<t[hd][^>]*>([^<]*)</t[hd]>`)
	rowRE  = regexp.MustCompile(`(?s)<tr[^>]*>(.*?)</tr>`)
)

// estimateTableWidth estimates the width in pixels of the first table of page: per column,
// the longest unbreakable piece of its cells (headers wrap at spaces, numbers never do).
func estimateTableWidth(t *testing.T, page string) float64 {
	t.Helper()
	start := strings.Index(page, "<table")
	end := strings.Index(page, "</table>")
	require.True(t, start >= 0 && end > start, "no table in the page")
	var widths []float64
	for _, row := range rowRE.FindAllStringSubmatch(page[start:end], -1) {
		for i, cell := range cellRE.FindAllStringSubmatch(row[1], -1) {
			longest := 0
			for _, word := range strings.Fields(html.UnescapeString(cell[1])) {
				longest = max(longest, len([]rune(word)))
			}
			w := float64(longest) * estCharPx
			if i == 0 {
				w = min(w, estNameCapPx)
			}
			for len(widths) <= i {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], w)
		}
	}
	var sum float64
	t.Logf("column widths: %v", widths)
	for _, w := range widths {
		sum += w + estPaddingPx
	}
	return sum
}

// TestHTMLSummaryFitsTheScreen checks the summary table of a busy month (millions of tokens,
// thousands of dollars, long agent names, latencies in seconds) against a 1280 px window.
func TestHTMLSummaryFitsTheScreen(t *testing.T) {
	var specs []spec
	for i, name := range []string{"customer-support-triage-agent-v2", "research-and-summarise-long-documents", "w"} {
		specs = append(specs, spec{trace: 1, id: uint64(i + 1), op: semconv.OperationInvokeAgent, agent: name, model: "claude-sonnet-4-20250514",
			dur: 12345 * time.Millisecond, in: 98_765_432, out: 12_345_678, cacheRead: 45_678_901, reasoning: 3_456_789,
			hit: ptr(false), saved: 23_456_789, hasCost: true, cost: 12345.678901, costSaved: 2345.678901})
	}
	rep, err := Build([]string{tracefile.Stdin}, bytes.NewReader(jsonLines(t, tracesOf(specs...))), Options{})
	require.NoError(t, err)
	var page bytes.Buffer
	require.NoError(t, Render(&page, rep, FormatHTML))
	width := estimateTableWidth(t, page.String())
	t.Logf("estimated summary width: %.0f px (screen %d px)", width, screenPx)
	assert.LessOrEqual(t, width, float64(screenPx))
	assert.True(t, strings.Contains(page.String(), `<td title="98765432">98.8M</td>`), "a shortened count keeps its exact value")
	assert.True(t, strings.Contains(page.String(), `<th title="cache_creation">cache creation</th>`), "headers wrap at spaces")
	assert.True(t, strings.Contains(page.String(), `<td title="$12345.678901">$12345.68</td><td title="$2345.678901">$2345.68</td><td>12.3s</td>`),
		"costs shortened in their own columns, latencies untouched")
	assert.True(t, strings.Contains(page.String(), `<td title="23456789">23.5M</td><td>17.4%</td>`), "tokens saved, then savings")
}
