// Command quickstart runs a small simulated support desk of three agents (no network: a fake
// model behind a response cache, a tool call, one failure), writes its spans to
// agent_trace.jsonl and its metrics to agent_metrics.jsonl, and prints the cache statistics.
//
// The pipeline comes from exporters.Setup: with OTEL_EXPORTER_OTLP_ENDPOINT set, the same run
// is also sent to that collector (Jaeger, Tempo, any OpenTelemetry Collector).
//
//	go run ./examples/quickstart
//	OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4317 go run ./examples/quickstart
//	go run ./examples/quickstart -every 15s   # keep the traffic coming, for the dashboards
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/agenttrace/otelagent/exporters"
	"github.com/agenttrace/otelagent/otelagent"
)

func main() {
	every := flag.Duration("every", 0, "run the scenario again at this interval until interrupted (0: once)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *every); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, every time.Duration) (err error) {
	// Files (agent_trace.jsonl, agent_metrics.jsonl) are written even when a collector is
	// configured too.
	cfg := exporters.Config{ServiceName: "quickstart"}
	// The file exporters append, as a service restarting should; each run of this example
	// stands alone, so it starts from empty files.
	if err := removeOutputs(exporters.DefaultTracesPath, exporters.DefaultMetricsPath); err != nil {
		return err
	}
	tel, err := exporters.Setup(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, tel.Shutdown(context.Background())) }()

	tracer := tel.Tracer(otelagent.WithProviderName("openai"), otelagent.WithPricing(pricing))
	for {
		failed := runAgents(ctx, tracer)
		printReport(os.Stdout, tracer)
		fmt.Printf("\n%d of %d questions failed; spans in %s, metrics in %s\n",
			failed, len(questions), tel.Config().Exporters.File.Path, tel.Config().Exporters.File.MetricsPath)
		if every <= 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(every):
		}
	}
}

// removeOutputs deletes the files an earlier run wrote to paths, rotated backups included.
func removeOutputs(paths ...string) error {
	for _, p := range paths {
		files, err := exporters.RotatedFiles(p)
		if err != nil {
			return err
		}
		for _, f := range files {
			if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
	}
	return nil
}
