package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/agenttrace/otelagent/internal/report"
	"github.com/agenttrace/otelagent/internal/tracefile"
	"github.com/agenttrace/otelagent/otelagent"
)

func newReportCommand() *cobra.Command {
	var (
		by, since, until, format, out, pricing string
		interval                               time.Duration
	)
	cmd := &cobra.Command{
		Use:   "report [flags] FILE|GLOB|- ...",
		Short: "Summarise trace files per agent, model or conversation",
		Long: `Report reads OTLP/JSON trace files (rotated and gzipped backups of a named file
included; quote globs to let otelagent expand them; - reads standard input), or one summary
written by Tracer.SaveTrace, and prints per group: invocations, errors, tokens by kind, cache
hits and hit rate, tokens saved and savings percentage, cost and cost saved, latency
p50/p95/p99, and a total row.

Tokens are counted once: usage is summed over invoke_agent spans plus the chat spans that have
no invoke_agent ancestor (a chat span's usage is already rolled up into its agent's span).
Cache hits count invoke_agent spans only. Problems that do not stop the report (a cut-short
last line, spans that are no agent operation) are summarised on standard error.`,
		Example: `  otelagent report agent_trace.jsonl
  otelagent report --by model --since 24h --interval 1h 'logs/*.jsonl*'
  otelagent report --format html -o report.html agent_trace.jsonl`,
		Args: args(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, files []string) error {
			now := time.Now()
			opts := report.Options{By: by, Interval: interval}
			var err error
			if since != "" {
				if opts.Since, err = report.ParseTime(since, now); err != nil {
					return usageError{fmt.Errorf("--since %w", err)}
				}
			}
			if until != "" {
				if opts.Until, err = report.ParseTime(until, now); err != nil {
					return usageError{fmt.Errorf("--until %w", err)}
				}
			}
			if !slices.Contains(report.Formats, format) {
				return usageError{fmt.Errorf("--format %q: want one of %s", format, strings.Join(report.Formats, ", "))}
			}
			if pricing != "" {
				if opts.Pricing, err = otelagent.LoadPricing(pricing); err != nil {
					return err
				}
			}
			if err := opts.Validate(); err != nil {
				return usageError{err}
			}
			inputs, err := tracefile.ExpandInputs(files)
			if err != nil {
				return err
			}
			rep, err := report.Build(inputs, cmd.InOrStdin(), opts)
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			if err := report.Render(&buf, rep, format); err != nil {
				return err
			}
			for _, w := range rep.Warnings {
				fmt.Fprintf(cmd.ErrOrStderr(), "otelagent: warning: %s\n", report.EscapeText(w))
			}
			if out == "" || out == "-" {
				_, err = cmd.OutOrStdout().Write(buf.Bytes())
				return err
			}
			return writeFileAtomic(out, buf.Bytes())
		},
	}
	f := cmd.Flags()
	f.StringVar(&by, "by", report.ByAgent, "group rows by agent, model or conversation")
	f.StringVar(&since, "since", "", "count operations starting at or after this time (RFC 3339, or a duration before now such as 24h)")
	f.StringVar(&until, "until", "", "count operations starting before this time (RFC 3339, or a duration before now)")
	f.DurationVar(&interval, "interval", 0, "also show totals per interval of this width, by span start time (e.g. 1h)")
	f.StringVar(&format, "format", report.FormatTable, "output format: "+strings.Join(report.Formats, ", "))
	f.StringVarP(&out, "output", "o", "", "write the report to this file instead of standard output")
	f.StringVar(&pricing, "pricing", "", "JSON price table (USD per million tokens) for spans without otelagent.cost.usd")
	return cmd
}

// writeFileAtomic writes data to path through a temporary file renamed over it. The file is
// 0600, as the trace files it summarises are: a report names agents, models and conversations.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
