package report

import (
	"fmt"
	"html"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Chart geometry, in SVG user units.
const (
	chartW, chartH = 720.0, 240.0
	padL, padB     = 64.0, 28.0
	padT, padR     = 12.0, 12.0
	topAgents      = 10
)

// tokenKinds are the stacked series of the tokens chart, bottom first.
var tokenKinds = []struct {
	name, color string
	value       func(Usage) int64
}{
	{"input", "#4e79a7", func(u Usage) int64 { return max(u.Prompt-u.CacheRead-u.CacheCreation, 0) }},
	{"cache read", "#59a14f", func(u Usage) int64 { return u.CacheRead }},
	{"cache creation", "#edc948", func(u Usage) int64 { return u.CacheCreation }},
	{"output", "#f28e2b", func(u Usage) int64 { return max(u.Completion-u.Reasoning, 0) }},
	{"reasoning", "#b07aa1", func(u Usage) int64 { return u.Reasoning }},
}

// renderHTML writes one self-contained page: inline CSS and SVG, no script, nothing fetched.
func renderHTML(w io.Writer, r *Report) error {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>otelagent report</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:16px;color:#222;max-width:1200px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:13px}
th,td{padding:3px 5px;border-bottom:1px solid #ddd;text-align:right;white-space:nowrap}
th{white-space:normal;vertical-align:bottom}
th:first-child,td:first-child{text-align:left}
td:first-child{white-space:normal;overflow-wrap:anywhere;max-width:12em}
tr.total td{font-weight:bold;border-top:2px solid #888}
svg{background:#fafafa;border:1px solid #eee}
svg text{font:11px system-ui,sans-serif;fill:#444}
.legend span{display:inline-block;margin-right:14px}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
.empty{color:#888}
ul.warnings{color:#8a4b00}
</style></head><body>
`)
	fmt.Fprintf(&b, "<h1>otelagent report</h1>\n<p>%s</p>\n", html.EscapeString(r.header()))

	b.WriteString("<h2>Summary</h2>\n")
	htmlTable(&b, r.By, r.Rows, &r.Total)

	b.WriteString("<h2>Tokens over time</h2>\n")
	tokensChart(&b, r)
	b.WriteString("<h2>Cache hit rate and savings over time</h2>\n")
	cacheChart(&b, r)
	b.WriteString("<h2>Latency distribution</h2>\n")
	latencyChart(&b, r.Latency)
	b.WriteString("<h2>Top agents by cost</h2>\n")
	agentsChart(&b, r.Agents)

	if len(r.Warnings) > 0 {
		b.WriteString("<h2>Warnings</h2>\n<ul class=\"warnings\">\n")
		for _, warn := range r.Warnings {
			fmt.Fprintf(&b, "<li>%s</li>\n", html.EscapeString(warn))
		}
		b.WriteString("</ul>\n")
	}
	b.WriteString("</body></html>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func htmlTable(b *strings.Builder, first string, rows []Row, total *Row) {
	b.WriteString("<div class=\"scroll\"><table><thead><tr>")
	for i, c := range append([]string{first}, htmlColumns...) {
		title := first
		if i > 0 {
			title = columns[i-1]
		}
		fmt.Fprintf(b, `<th title="%s">%s</th>`, html.EscapeString(title), html.EscapeString(c))
	}
	b.WriteString("</tr></thead><tbody>\n")
	for _, row := range rows {
		htmlRow(b, "", row)
	}
	if total != nil {
		htmlRow(b, ` class="total"`, *total)
	}
	b.WriteString("</tbody></table></div>\n")
}

// htmlColumns label the summary's columns in words that wrap, so that the table fits a
// 1280-pixel screen; each header's title holds the name the other formats use.
var htmlColumns = []string{"invocations", "errors", "prompt", "completion", "cache read", "cache creation",
	"reasoning", "cache hits", "hit rate", "tokens saved", "savings", "cost USD", "cost saved USD", "p50", "p95", "p99"}

func htmlRow(b *strings.Builder, class string, row Row) {
	fmt.Fprintf(b, "<tr%s>", class)
	for _, c := range row.htmlCells() {
		if c.title != "" {
			fmt.Fprintf(b, `<td title="%s">%s</td>`, html.EscapeString(c.title), html.EscapeString(c.text))
		} else {
			fmt.Fprintf(b, "<td>%s</td>", html.EscapeString(c.text))
		}
	}
	b.WriteString("</tr>\n")
}

// htmlCell is a table cell with, when it is shortened, the exact value as its title.
type htmlCell struct{ text, title string }

// htmlCells formats a row for the HTML table: like cells, but token counts of a million and
// more and dollar amounts shortened so the table fits a screen; the exact value is the title.
func (r Row) htmlCells() []htmlCell {
	text := r.cells()
	out := make([]htmlCell, len(text))
	for i, t := range text {
		out[i] = htmlCell{text: t}
	}
	tokens := map[int]int64{3: r.Prompt, 4: r.Completion, 5: r.CacheRead, 6: r.CacheCreation, 7: r.Reasoning, 10: r.TokensSaved}
	for i, n := range tokens {
		if n >= 1_000_000 {
			out[i] = htmlCell{text: compact(float64(n)), title: itoa(n)}
		}
	}
	for i, v := range map[int]float64{12: r.CostUSD, 13: r.CostSavedUSD} {
		if short := shortUSD(v); short != out[i].text {
			out[i] = htmlCell{text: short, title: out[i].text}
		}
	}
	return out
}

// shortUSD formats a dollar amount with cents from $1 up, and with six decimals below, as
// the text table does.
func shortUSD(v float64) string {
	if math.Abs(v) >= 1 {
		return "$" + strconv.FormatFloat(v, 'f', 2, 64)
	}
	return usd(v)
}

// svgOpen starts a chart with its axes; id names it for tests and styles.
func svgOpen(b *strings.Builder, id, label string) {
	fmt.Fprintf(b, `<svg id="%s" role="img" aria-label="%s" width="%g" height="%g" viewBox="0 0 %g %g">`+"\n",
		id, html.EscapeString(label), chartW, chartH, chartW, chartH)
	fmt.Fprintf(b, `<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="#999"/>`+"\n", padL, padT, padL, chartH-padB)
	fmt.Fprintf(b, `<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="#999"/>`+"\n", padL, chartH-padB, chartW-padR, chartH-padB)
}

// yAxis labels the vertical axis from 0 to top at three ticks.
func yAxis(b *strings.Builder, top float64, format func(float64) string) {
	for i := 0; i <= 2; i++ {
		v := top * float64(i) / 2
		y := chartH - padB - (chartH-padB-padT)*float64(i)/2
		fmt.Fprintf(b, `<text x="%g" y="%.1f" text-anchor="end">%s</text>`+"\n", padL-6, y+4, html.EscapeString(format(v)))
	}
}

func empty(b *strings.Builder, what string) {
	fmt.Fprintf(b, "<p class=\"empty\">%s</p>\n", html.EscapeString(what))
}

func legend(b *strings.Builder, items [][2]string) {
	b.WriteString(`<div class="legend">`)
	for _, it := range items {
		fmt.Fprintf(b, `<span><i style="background:%s"></i>%s</span>`, it[1], html.EscapeString(it[0]))
	}
	b.WriteString("</div>\n")
}

// intervalLabel labels a chart's axis as precisely as the interval width needs.
func intervalLabel(t time.Time, d time.Duration) string {
	switch {
	case d >= 24*time.Hour:
		return t.Format("2006-01-02")
	case d >= time.Minute:
		return t.Format("01-02 15:04")
	case d >= time.Second:
		return t.Format("15:04:05")
	default:
		return t.Format("15:04:05.000")
	}
}

func tokensChart(b *strings.Builder, r *Report) {
	var top int64
	for _, iv := range r.Intervals {
		var sum int64
		for _, k := range tokenKinds {
			sum = addSat(sum, k.value(iv.Usage))
		}
		top = max(top, sum)
	}
	if top == 0 {
		empty(b, "No tokens were counted.")
		return
	}
	items := make([][2]string, len(tokenKinds))
	for i, k := range tokenKinds {
		items[i] = [2]string{k.name, k.color}
	}
	legend(b, items)
	svgOpen(b, "chart-tokens", "tokens per "+r.Interval.String()+" stacked by kind")
	yAxis(b, float64(top), func(v float64) string { return compact(v) })
	slot := (chartW - padL - padR) / float64(len(r.Intervals))
	scale := (chartH - padB - padT) / float64(top)
	for i, iv := range r.Intervals {
		x := padL + float64(i)*slot + slot*0.1
		y := chartH - padB
		for _, k := range tokenKinds {
			v := k.value(iv.Usage)
			if v == 0 {
				continue
			}
			h := float64(v) * scale
			y -= h
			fmt.Fprintf(b, `<rect class="bar" data-kind="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %d</title></rect>`+"\n",
				k.name, x, y, slot*0.8, h, k.color, html.EscapeString(iv.Name), k.name, v)
		}
	}
	xLabels(b, r.Intervals, r.Interval, slot)
	b.WriteString("</svg>\n")
}

// xLabels labels the first, middle and last interval.
func xLabels(b *strings.Builder, ivs []IntervalRow, d time.Duration, slot float64) {
	idx := []int{0, len(ivs) / 2, len(ivs) - 1}
	idx = slices.Compact(idx)
	for _, i := range idx {
		x := padL + (float64(i)+0.5)*slot
		fmt.Fprintf(b, `<text x="%.1f" y="%g" text-anchor="middle">%s</text>`+"\n", x, chartH-8, html.EscapeString(intervalLabel(ivs[i].Start, d)))
	}
}

func cacheChart(b *strings.Builder, r *Report) {
	if len(r.Intervals) == 0 {
		empty(b, "No operations were counted.")
		return
	}
	series := []struct {
		name, color string
		value       func(Row) float64
	}{
		{"hit rate", "#4e79a7", func(row Row) float64 { return 100 * row.HitRate }},
		{"savings", "#59a14f", func(row Row) float64 { return row.SavingsPercentage }},
	}
	legend(b, [][2]string{{"cache hit rate %", series[0].color}, {"tokens saved %", series[1].color}})
	svgOpen(b, "chart-cache", "cache hit rate and savings per "+r.Interval.String())
	yAxis(b, 100, func(v float64) string { return fmt.Sprintf("%.0f%%", v) })
	slot := (chartW - padL - padR) / float64(len(r.Intervals))
	for _, s := range series {
		pts := make([]string, len(r.Intervals))
		xy := make([][2]float64, len(r.Intervals))
		for i, iv := range r.Intervals {
			xy[i] = [2]float64{padL + (float64(i)+0.5)*slot, chartH - padB - (chartH-padB-padT)*s.value(iv.Row)/100}
			pts[i] = fmt.Sprintf("%.1f,%.1f", xy[i][0], xy[i][1])
		}
		fmt.Fprintf(b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`+"\n", s.color, strings.Join(pts, " "))
		for i, iv := range r.Intervals {
			x, y := xy[i][0], xy[i][1]
			fmt.Fprintf(b, `<circle class="point" data-series="%s" cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s %s: %.1f%%</title></circle>`+"\n",
				s.name, x, y, s.color, html.EscapeString(iv.Name), s.name, s.value(iv.Row))
		}
	}
	xLabels(b, r.Intervals, r.Interval, slot)
	b.WriteString("</svg>\n")
}

func latencyChart(b *strings.Builder, bins []DistributionBin) {
	if len(bins) == 0 {
		empty(b, "No latencies were recorded.")
		return
	}
	var top int64
	for _, bin := range bins {
		top = max(top, bin.Count)
	}
	svgOpen(b, "chart-latency", "operations per latency range")
	yAxis(b, float64(top), compact)
	slot := (chartW - padL - padR) / float64(len(bins))
	scale := (chartH - padB - padT) / float64(top)
	for i, bin := range bins {
		h := float64(bin.Count) * scale
		x := padL + float64(i)*slot + slot*0.1
		fmt.Fprintf(b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#76b7b2"><title>≤ %s: %d</title></rect>`+"\n",
			x, chartH-padB-h, slot*0.8, h, duration(bin.UpTo), bin.Count)
	}
	for _, i := range slices.Compact([]int{0, len(bins) / 2, len(bins) - 1}) {
		fmt.Fprintf(b, `<text x="%.1f" y="%g" text-anchor="middle">≤ %s</text>`+"\n", padL+(float64(i)+0.5)*slot, chartH-8, duration(bins[i].UpTo))
	}
	b.WriteString("</svg>\n")
}

func agentsChart(b *strings.Builder, agents []Row) {
	rows := slices.Clone(agents)
	rows = slices.DeleteFunc(rows, func(r Row) bool { return r.CostUSD <= 0 })
	if len(rows) == 0 {
		empty(b, "No costs were recorded (spans carry no otelagent.cost.usd; try --pricing).")
		return
	}
	slices.SortStableFunc(rows, func(a, b Row) int {
		if a.CostUSD != b.CostUSD {
			if a.CostUSD > b.CostUSD {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	if len(rows) > topAgents {
		rows = rows[:topAgents]
	}
	const barH, labelW = 22.0, 160.0
	height := float64(len(rows))*barH + 2*padT
	fmt.Fprintf(b, `<svg id="chart-agents" role="img" aria-label="top agents by cost" width="%g" height="%g" viewBox="0 0 %g %g">`+"\n",
		chartW, height, chartW, height)
	topCost := rows[0].CostUSD
	for i, row := range rows {
		y := padT + float64(i)*barH
		w := (chartW - labelW - 90) * (row.CostUSD / topCost) // divide first: costs may be near MaxFloat64
		w = math.Max(w, 1)
		fmt.Fprintf(b, `<text x="%g" y="%.1f" text-anchor="end">%s</text>`+"\n", labelW-6, y+barH*0.65, html.EscapeString(truncate(row.Name, 24)))
		fmt.Fprintf(b, `<rect class="bar" x="%g" y="%.1f" width="%.1f" height="%.1f" fill="#e15759"><title>%s: %s</title></rect>`+"\n",
			labelW, y+2, w, barH-4, html.EscapeString(row.Name), usd(row.CostUSD))
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f">%s</text>`+"\n", labelW+w+6, y+barH*0.65, usd(row.CostUSD))
	}
	b.WriteString("</svg>\n")
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// compact formats a count for an axis: 1200 -> 1.2k.
func compact(v float64) string {
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%.3gG", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.3gM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.3gk", v/1e3)
	default:
		return fmt.Sprintf("%.3g", v)
	}
}
