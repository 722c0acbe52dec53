package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/agenttrace/otelagent/internal/replay"
	"github.com/agenttrace/otelagent/internal/report"
	"github.com/agenttrace/otelagent/internal/tracefile"
)

func newReplayCommand() *cobra.Command {
	var (
		cfg     replay.Config
		headers []string
		quiet   bool
	)
	cmd := &cobra.Command{
		Use:   "replay [flags] FILE|GLOB|- ...",
		Short: "Send trace files to an OTLP endpoint (gRPC or HTTP/protobuf)",
		Long: `Replay sends the spans of OTLP/JSON trace files (rotated and gzipped backups of a
named file included; - reads standard input) to an OTLP receiver such as Jaeger, Tempo or an
OpenTelemetry Collector, keeping trace and span IDs, timestamps and resources. Requests that
fail with a retryable status are retried with exponential backoff. Flags take precedence over
the OTEL_EXPORTER_OTLP_* variables (ENDPOINT, PROTOCOL, HEADERS, INSECURE, CERTIFICATE,
TIMEOUT, and their TRACES_ forms). The exit status is 1 when any span was not delivered.`,
		Example: `  otelagent replay --endpoint localhost:4317 --insecure agent_trace.jsonl
  otelagent replay --protocol http/protobuf --endpoint http://localhost:4318 'old/*.jsonl.gz'
  otelagent replay --dry-run agent_trace.jsonl`,
		Args: args(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, files []string) error {
			if len(headers) > 0 {
				cfg.Headers = make(map[string]string)
				for i, h := range headers {
					k, v, ok := strings.Cut(h, "=")
					if !ok || strings.TrimSpace(k) == "" {
						// The flag's text is not shown: it may be a credential.
						return usageError{fmt.Errorf("--header %d: want key=value", i+1)}
					}
					cfg.Headers[strings.TrimSpace(k)] = v
				}
			}
			c, err := cfg.FromEnv(os.Getenv)
			if err != nil {
				return usageError{err}
			}
			inputs, err := tracefile.ExpandInputs(files)
			if err != nil {
				return err
			}
			stderr := cmd.ErrOrStderr()
			if !quiet {
				c.Progress = newProgressPrinter(stderr, isTerminal(stderr), c.DryRun)
			}
			res, err := replay.Replay(cmd.Context(), c, inputs, cmd.InOrStdin())
			for _, w := range res.Warnings {
				fmt.Fprintf(stderr, "otelagent: warning: %s\n", report.EscapeText(w))
			}
			for _, e := range res.Errors {
				fmt.Fprintf(stderr, "otelagent: %s\n", report.EscapeText(e))
			}
			if c.DryRun {
				fmt.Fprintf(cmd.OutOrStdout(), "dry run: %d spans in %d files would be sent\n", res.Spans, res.Files)
			} else {
				fmt.Fprintf(cmd.OutOrStdout(), "sent %d spans, failed %d (%d requests, %d retries)\n", res.Sent, res.Failed, res.Requests, res.Retries)
			}
			if err != nil {
				return err
			}
			if res.BadLines > 0 {
				fmt.Fprintf(stderr, "otelagent: %s skipped: not OTLP/JSON trace records\n", plural(res.BadLines, "line"))
			}
			if !res.Delivered() {
				return exitError{1}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Endpoint, "endpoint", "", "OTLP endpoint, as OTEL_EXPORTER_OTLP_ENDPOINT: host:port or base URL; HTTP appends /v1/traces (default localhost:4317, or http://localhost:4318)")
	f.StringVar(&cfg.Protocol, "protocol", "", "grpc or http/protobuf (default grpc)")
	f.BoolVar(&cfg.Insecure, "insecure", false, "send without TLS")
	f.StringVar(&cfg.CertificateFile, "certificate", "", "PEM file of the certificate authorities to trust (default: the system's)")
	f.StringArrayVar(&headers, "header", nil, "request header key=value (repeatable)")
	f.DurationVar(&cfg.Timeout, "timeout", 0, "timeout of each request (default 10s)")
	f.IntVar(&cfg.BatchSpans, "batch", 0, fmt.Sprintf("most spans per request (default %d)", replay.DefaultBatchSpans))
	f.IntVar(&cfg.Concurrency, "concurrency", 0, fmt.Sprintf("most requests in flight at once; 1 keeps the file order (default %d)", replay.DefaultConcurrency))
	f.IntVar(&cfg.MaxAttempts, "attempts", 0, fmt.Sprintf("most tries per request (default %d)", replay.DefaultMaxAttempts))
	f.DurationVar(&cfg.InitialBackoff, "backoff", 0, fmt.Sprintf("wait after the first failure, doubled after each next one (default %s)", replay.DefaultInitialBackoff))
	f.DurationVar(&cfg.MaxBackoff, "max-backoff", 0, fmt.Sprintf("longest wait between tries (default %s)", replay.DefaultMaxBackoff))
	f.BoolVar(&cfg.DryRun, "dry-run", false, "read and count the spans, send nothing")
	f.BoolVarP(&quiet, "quiet", "q", false, "no progress output")
	return cmd
}

// isTerminal reports whether w is a character device, such as an interactive terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// newProgressPrinter returns a Progress callback that redraws a bar on a terminal, or prints
// a plain line at most every two seconds (and at the end) otherwise.
func newProgressPrinter(w io.Writer, terminal, dryRun bool) func(replay.Progress) {
	last := time.Now() // the first line comes after a pause or at the end
	verb := "sent"
	if dryRun {
		verb = "read"
	}
	return func(p replay.Progress) {
		now := time.Now()
		if !p.Done && now.Sub(last) < 200*time.Millisecond || (!terminal && !p.Done && now.Sub(last) < 2*time.Second) {
			return
		}
		last = now
		done := p.Sent
		if dryRun {
			done = p.Spans
		}
		if !terminal {
			fmt.Fprintf(w, "replay: %s %d spans, failed %d, %s\n", verb, done, p.Failed, progressPercent(p))
			return
		}
		fmt.Fprintf(w, "\r%s %s %d spans, failed %d ", progressBar(p, 30), verb, done, p.Failed)
		if p.Done {
			fmt.Fprintln(w)
		}
	}
}

func progressPercent(p replay.Progress) string {
	if p.BytesTotal <= 0 {
		return "size unknown"
	}
	return fmt.Sprintf("%.0f%% of input", 100*float64(min(p.BytesRead, p.BytesTotal))/float64(p.BytesTotal))
}

// progressBar draws [=====>    ] for the share of input bytes read.
func progressBar(p replay.Progress, width int) string {
	frac := 0.0
	if p.Done {
		frac = 1
	} else if p.BytesTotal > 0 {
		frac = float64(min(p.BytesRead, p.BytesTotal)) / float64(p.BytesTotal)
	}
	n := int(frac * float64(width))
	bar := strings.Repeat("=", n)
	if n < width {
		bar += ">" + strings.Repeat(" ", width-n-1)
	}
	return fmt.Sprintf("[%s] %3.0f%%", bar, 100*frac)
}
