// Command quickstart runs a small simulated support desk of three agents (no network: a fake
// model behind a response cache, a tool call, one failure), writes its spans to
// agent_trace.jsonl and its metrics to agent_metrics.jsonl, and prints the cache statistics.
package main

import (
	"context"
	"fmt"
	"os"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/agenttrace/otelagent/exporters"
	"github.com/agenttrace/otelagent/otelagent"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	spans, err := exporters.NewFileExporter("agent_trace.jsonl")
	if err != nil {
		return err
	}
	metrics, err := exporters.NewMetricFileExporter("agent_metrics.jsonl")
	if err != nil {
		return err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(metrics)))

	tracer := otelagent.New(otelagent.WithTracerProvider(tp), otelagent.WithMeterProvider(mp),
		otelagent.WithProviderName("openai"), otelagent.WithPricing(pricing))
	failed := runAgents(ctx, tracer)
	printReport(os.Stdout, tracer)
	fmt.Printf("\n%d of %d questions failed; spans in agent_trace.jsonl, metrics in agent_metrics.jsonl\n", failed, len(questions))
	if err := tp.Shutdown(ctx); err != nil {
		return err
	}
	return mp.Shutdown(ctx)
}
