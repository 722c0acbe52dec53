package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/agenttrace/otelagent/internal/tracefile"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Build reads the named inputs (see tracefile.ExpandInputs; "-" reads stdin) and returns their report.
// Inputs are OTLP/JSON trace files, gzipped or not, or one summary file written by
// otelagent's Tracer.SaveTrace, recognised by its content. Damaged lines and metrics files are
// handled as tracefile.ReadTraces does, their warnings in the report's; spans that are not
// agent operations and attributes of the wrong type are skipped and counted in the warnings.
func Build(inputs []string, stdin io.Reader, opts Options) (*Report, error) {
	s, err := NewSummarizer(opts)
	if err != nil {
		return nil, err
	}
	for _, name := range inputs {
		rep, err := addInput(s, name, stdin, len(inputs))
		if err != nil || rep != nil {
			return rep, err
		}
	}
	return s.Report(), nil
}

// addInput reads one input into s; a SaveTrace summary, allowed only alone, gives its report.
func addInput(s *Summarizer, name string, stdin io.Reader, inputs int) (*Report, error) {
	r, err := tracefile.Open(name, stdin)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	defer r.Close()
	br := bufio.NewReaderSize(r, 64<<10)
	if isSummary(br) {
		if inputs != 1 {
			return nil, fmt.Errorf("report: %s is a SaveTrace summary; a summary can only be reported alone", name)
		}
		return summaryReport(br, name, s.opts)
	}
	s.source = name // warnings about its spans name it, before it is listed as a source
	res, err := tracefile.ReadTraces(br, name, func(td ptrace.Traces, _ int) error {
		s.Add(td)
		return nil
	})
	for _, w := range res.Warnings {
		s.AddWarning(w)
	}
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	if !res.Metrics {
		s.AddSource(name)
	}
	return nil, nil
}

// isSummary reports whether br starts with a JSON object whose first key is one of
// SaveTrace's, without consuming it.
func isSummary(br *bufio.Reader) bool {
	head, _ := br.Peek(4096)
	dec := json.NewDecoder(bytes.NewReader(head))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return false
	}
	tok, err := dec.Token()
	if err != nil {
		return false
	}
	switch tok {
	case "cache_statistics", "stats", "events":
		return true
	}
	return false
}

// summaryReport turns a SaveTrace document into a report: it has per-agent and per-model
// statistics, but no spans to filter or bucket.
func summaryReport(r io.Reader, name string, opts Options) (*Report, error) {
	switch {
	case opts.By == ByConversation:
		return nil, fmt.Errorf("report: %s is a SaveTrace summary, which has no conversations; use --by agent or model", name)
	case !opts.Since.IsZero() || !opts.Until.IsZero() || opts.Interval != 0:
		return nil, fmt.Errorf("report: %s is a SaveTrace summary, which has no span times for --since, --until or --interval", name)
	}
	sum, err := readSavedSummary(r)
	if err != nil {
		return nil, fmt.Errorf("report: %s: not a SaveTrace summary: %w", name, err)
	}
	var warnings []string
	toRows := func(l groupList, empty, dimension string) []Row {
		rows := make([]Row, 0, len(l.names)+1)
		if l.pooled > 0 {
			l.names = append(l.names, OverflowGroup)
			l.stats = append(l.stats, l.over)
			warnings = append(warnings, fmt.Sprintf("%s: %d %s past the first %d pooled as %s, without latency percentiles",
				name, l.pooled, dimension, MaxGroups, OverflowGroup))
		}
		for i, n := range l.names {
			g := l.stats[i]
			if !hasFigures(g) {
				continue
			}
			if n == "" {
				n = empty
			}
			row := Row{
				Name: n, Invocations: g.Invocations, Errors: g.Errors,
				Usage: Usage{Prompt: g.PromptTokens, Completion: g.CompletionTokens, Total: g.TotalTokens,
					CacheRead: g.CacheReadTokens, CacheCreation: g.CacheCreationTokens, Reasoning: g.ReasoningTokens},
				CacheHits: g.CacheHits, CacheMisses: g.CacheMisses, TokensSaved: g.TokensSaved,
				CostUSD: g.CostSpent, CostSavedUSD: g.CostSaved,
				LatencyP50: g.Latency.P50, LatencyP95: g.Latency.P95, LatencyP99: g.Latency.P99,
			}
			row.finish()
			rows = append(rows, row)
		}
		slices.SortFunc(rows, func(a, b Row) int { return cmpString(a.Name, b.Name) })
		return rows
	}
	agents := toRows(sum.agents, NoAgent, "agents")
	rep := &Report{By: opts.By, Sources: []string{name}, Agents: agents, Rows: agents}
	if opts.By == ByModel {
		rep.Rows = toRows(sum.models, UnknownModel, "models")
	}
	// Every token counts once across the agent groups, so they add up to the totals.
	total := Row{Name: "total"}
	for _, a := range agents {
		total.Invocations += a.Invocations
		total.Errors += a.Errors
		total.Usage.add(a.Usage)
	}
	cs := sum.cache
	total.CacheHits, total.CacheMisses = cs.Hits, cs.Misses
	total.TokensSaved, total.CostUSD, total.CostSavedUSD = cs.TokensSaved, cs.CostSpent, cs.CostSaved
	total.finish()
	rep.Total = total
	rep.Warnings = append(rep.Warnings, fmt.Sprintf("%s is a SaveTrace summary: total latency percentiles are not available", name))
	rep.Warnings = append(rep.Warnings, warnings...)
	return rep, nil
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ParseTime reads a --since/--until value: an RFC 3339 time, or a duration (such as 24h or 90m)
// meaning that long before now.
func ParseTime(v string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(v); err == nil {
		if d < 0 {
			return time.Time{}, fmt.Errorf("%q: a duration must not be negative", v)
		}
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 time (2006-01-02T15:04:05Z) nor a duration (24h)", v)
}
