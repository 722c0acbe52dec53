package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"
)

// Output formats.
const (
	FormatTable    = "table"
	FormatJSON     = "json"
	FormatCSV      = "csv"
	FormatMarkdown = "markdown"
	FormatHTML     = "html"
)

// Formats lists the output formats Render accepts.
var Formats = []string{FormatTable, FormatJSON, FormatCSV, FormatMarkdown, FormatHTML}

// Render writes r to w in format (one of Formats).
func Render(w io.Writer, r *Report, format string) error {
	switch format {
	case FormatTable:
		return renderTable(w, r)
	case FormatJSON:
		if err := r.checkFinite(); err != nil {
			return err
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case FormatCSV:
		return renderCSV(w, r)
	case FormatMarkdown:
		return renderMarkdown(w, r)
	case FormatHTML:
		return renderHTML(w, r)
	default:
		return fmt.Errorf("report: format %q: want one of %s", format, strings.Join(Formats, ", "))
	}
}

// checkFinite returns an error naming the inputs and the row of a NaN or infinite figure,
// which JSON cannot carry. A Summarizer never produces one; a Report built by hand might.
func (r *Report) checkFinite() error {
	rows := append(append([]Row{r.Total}, r.Rows...), r.Agents...)
	for _, iv := range r.Intervals {
		rows = append(rows, iv.Row)
	}
	for _, row := range rows {
		if field := row.nonFinite(); field != "" {
			return fmt.Errorf("report: %s: row %q: %s is not a finite number", strings.Join(r.Sources, ", "), row.Name, field)
		}
	}
	return nil
}

// columns are the headers of a row, after the group's name.
var columns = []string{"invocations", "errors", "prompt", "completion", "cache_read", "cache_creation",
	"reasoning", "cache_hits", "hit_rate", "tokens_saved", "savings", "cost_usd", "cost_saved_usd", "p50", "p95", "p99"}

// cells formats a row for the text formats.
func (r Row) cells() []string {
	return []string{
		EscapeText(r.Name),
		itoa(r.Invocations), itoa(r.Errors), itoa(r.Prompt), itoa(r.Completion), itoa(r.CacheRead),
		itoa(r.CacheCreation), itoa(r.Reasoning), itoa(r.CacheHits), percent(100 * r.HitRate),
		itoa(r.TokensSaved), percent(r.SavingsPercentage), usd(r.CostUSD), usd(r.CostSavedUSD),
		duration(r.LatencyP50), duration(r.LatencyP95), duration(r.LatencyP99),
	}
}

func itoa(n int64) string      { return strconv.FormatInt(n, 10) }
func percent(p float64) string { return strconv.FormatFloat(p, 'f', 1, 64) + "%" }
func usd(v float64) string     { return "$" + strconv.FormatFloat(v, 'f', 6, 64) }

// csvFloat writes v plainly (no exponent) after rounding it to 10 significant digits, which
// hides the float64 noise of sums (0.030725000000000002) and keeps a micro-dollar's precision.
func csvFloat(v float64) string {
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 10, 64), 64)
	if err != nil {
		r = v
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// EscapeText makes s safe to print on a terminal or in a text table: control characters
// (ANSI escape sequences, newlines, tabs, C1 codes), bidirectional overrides and invalid UTF-8
// are written as Go escapes (\x1b, \n, \u202e), so a name cannot move the cursor, rewrite
// the screen or forge a line. Other text is unchanged.
func EscapeText(s string) string {
	clean := true
	for _, r := range s {
		if needsEscape(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if _, size := utf8.DecodeRuneInString(s[i:]); r == utf8.RuneError && size == 1 {
			fmt.Fprintf(&b, `\x%02x`, s[i]) // a byte that is not UTF-8
		} else if needsEscape(r) {
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// needsEscape reports whether r may change what a terminal or table shows beyond itself.
func needsEscape(r rune) bool {
	return r == utf8.RuneError || unicode.IsControl(r) || // RuneError: also a byte that is not UTF-8
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c
}

// csvText makes a text cell safe for spreadsheets: escaped as EscapeText does, and prefixed
// with ' when it starts with a character that makes a spreadsheet read a formula (= + - @,
// tab, carriage return), as OWASP's advice on CSV injection says.
func csvText(s string) string {
	s = EscapeText(s)
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
func csvMillis(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 3, 64)
}

// duration formats a latency with three significant digits; "-" when unknown.
func duration(d time.Duration) string {
	switch {
	case d <= 0:
		return "-"
	case d < time.Millisecond:
		return strconv.FormatFloat(float64(d)/float64(time.Microsecond), 'g', 3, 64) + "µs"
	case d < time.Second:
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'g', 3, 64) + "ms"
	default:
		return strconv.FormatFloat(d.Seconds(), 'g', 3, 64) + "s"
	}
}

func (r *Report) header() string {
	var b strings.Builder
	fmt.Fprintf(&b, "by %s", r.By)
	if !r.Since.IsZero() {
		fmt.Fprintf(&b, ", since %s", r.Since.Format(time.RFC3339))
	}
	if !r.Until.IsZero() {
		fmt.Fprintf(&b, ", until %s", r.Until.Format(time.RFC3339))
	}
	if r.Spans > 0 {
		fmt.Fprintf(&b, ", %d spans", r.Spans)
	}
	fmt.Fprintf(&b, " from %s", strings.Join(r.Sources, ", "))
	return EscapeText(b.String())
}

func renderTable(w io.Writer, r *Report) error {
	if _, err := fmt.Fprintf(w, "otelagent report: %s\n\n", r.header()); err != nil {
		return err
	}
	if err := writeTable(w, r.By, r.Rows, &r.Total); err != nil {
		return err
	}
	if r.FixedInterval && len(r.Intervals) > 0 {
		if _, err := fmt.Fprintf(w, "\nper %s\n\n", r.Interval); err != nil {
			return err
		}
		rows := make([]Row, len(r.Intervals))
		for i, iv := range r.Intervals {
			rows[i] = iv.Row
		}
		return writeTable(w, "interval", rows, nil)
	}
	return nil
}

func writeTable(w io.Writer, first string, rows []Row, total *Row) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	line := func(cells []string) { fmt.Fprintf(tw, "%s\t\n", strings.Join(cells, "\t")) }
	line(append([]string{strings.ToUpper(first)}, upper(columns)...))
	for _, row := range rows {
		line(row.cells())
	}
	if total != nil {
		line(total.cells())
	}
	return tw.Flush()
}

func upper(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = strings.ToUpper(v)
	}
	return out
}

// renderCSV writes one record per group and interval, with plain numbers: ratios 0..1,
// savings in percent, costs in dollars, latencies in milliseconds.
func renderCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	header := []string{"kind", "name", "invocations", "errors", "prompt_tokens", "completion_tokens",
		"cache_read_tokens", "cache_creation_tokens", "reasoning_tokens", "total_tokens", "cache_hits",
		"cache_misses", "hit_rate", "tokens_saved", "savings_percentage", "cost_usd", "cost_saved_usd",
		"latency_p50_ms", "latency_p95_ms", "latency_p99_ms"}
	record := func(kind string, row Row) []string {
		return []string{csvText(kind), csvText(row.Name), itoa(row.Invocations), itoa(row.Errors), itoa(row.Prompt),
			itoa(row.Completion), itoa(row.CacheRead), itoa(row.CacheCreation), itoa(row.Reasoning),
			itoa(row.Total), itoa(row.CacheHits), itoa(row.CacheMisses), csvFloat(row.HitRate),
			itoa(row.TokensSaved), csvFloat(row.SavingsPercentage), csvFloat(row.CostUSD),
			csvFloat(row.CostSavedUSD), csvMillis(row.LatencyP50), csvMillis(row.LatencyP95), csvMillis(row.LatencyP99)}
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, row := range r.Rows {
		_ = cw.Write(record(r.By, row))
	}
	_ = cw.Write(record("total", r.Total))
	if r.FixedInterval {
		for _, iv := range r.Intervals {
			_ = cw.Write(record("interval", iv.Row))
		}
	}
	cw.Flush()
	return cw.Error()
}

func renderMarkdown(w io.Writer, r *Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# otelagent report\n\n%s\n\n", mdEscape(r.header()))
	mdTable(&b, r.By, r.Rows, &r.Total)
	if r.FixedInterval && len(r.Intervals) > 0 {
		fmt.Fprintf(&b, "\n## Per %s\n\n", r.Interval)
		rows := make([]Row, len(r.Intervals))
		for i, iv := range r.Intervals {
			rows[i] = iv.Row
		}
		mdTable(&b, "interval", rows, nil)
	}
	if len(r.Warnings) > 0 {
		b.WriteString("\n## Warnings\n\n")
		for _, warn := range r.Warnings {
			fmt.Fprintf(&b, "- %s\n", mdEscape(EscapeText(warn)))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdTable(b *strings.Builder, first string, rows []Row, total *Row) {
	fmt.Fprintf(b, "| %s | %s |\n", first, strings.Join(columns, " | "))
	b.WriteString("| --- |" + strings.Repeat(" ---: |", len(columns)) + "\n")
	for _, row := range rows {
		cells := row.cells()
		cells[0] = mdEscape(cells[0])
		fmt.Fprintf(b, "| %s |\n", strings.Join(cells, " | "))
	}
	if total != nil {
		cells := total.cells()
		cells[0] = "**total**"
		fmt.Fprintf(b, "| %s |\n", strings.Join(cells, " | "))
	}
}

var mdEscaper = strings.NewReplacer(`|`, `\|`, `*`, `\*`, `_`, `\_`, "`", "\\`", `<`, `&lt;`, "\n", " ")

func mdEscape(s string) string { return mdEscaper.Replace(s) }
