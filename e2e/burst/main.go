// Command burst sends a burst of agent invocations through exporters.Setup with its default
// pipeline, exporting to an OTLP/JSON file and to an OTLP/gRPC receiver at once, and reports
// how many invocations per second went through. The end-to-end test TestBurstEverySpanArrives
// builds and runs it (without the race detector, which would dominate the figure), then checks
// that every span it reports is in the file and in Jaeger.
//
// The invocations are spread over -goroutines goroutines; each goroutine runs workflows of at
// most -per-trace invocations, so the spans form a few hundred traces that Jaeger's query API
// returns whole. Each invocation is a cache miss with usage and finish reasons, as a gateway
// records for a model call it made.
//
// On success it prints one JSON object on standard output (see result) and a summary on
// standard error, and writes the trace and span IDs of every span it ended, in hex, one span a
// line ("TRACEID SPANID"), to -ids.
//
//	go run ./e2e/burst -otlp-endpoint 127.0.0.1:4317 -file /tmp/burst/agent_trace.jsonl
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/agenttrace/otelagent/exporters"
	"github.com/agenttrace/otelagent/otelagent"
	"go.opentelemetry.io/otel/trace"
)

// result is what the command prints on standard output.
type result struct {
	Service     string   `json:"service"`
	Invocations int      `json:"invocations"`
	Goroutines  int      `json:"goroutines"`
	Spans       int      `json:"spans"`     // invocations and the workflows holding them
	TraceIDs    []string `json:"trace_ids"` // hex, one per workflow
	// BurstSeconds is the time from the first Invoke to the last Complete; TotalSeconds adds
	// the Shutdown that flushes both exporters.
	BurstSeconds float64 `json:"burst_seconds"`
	TotalSeconds float64 `json:"total_seconds"`
	// BurstPerSecond and TotalPerSecond are invocations per second over those times.
	BurstPerSecond float64 `json:"burst_invocations_per_second"`
	TotalPerSecond float64 `json:"total_invocations_per_second"`
}

func main() {
	var (
		service     = flag.String("service", "otelagent-burst", "service.name of the spans")
		endpoint    = flag.String("otlp-endpoint", "", "host:port of the OTLP/gRPC receiver (required)")
		file        = flag.String("file", "", "OTLP/JSON span file; the metric file goes beside it (required)")
		ids         = flag.String("ids", "", "file to write the hex trace and span IDs to, one span a line (optional)")
		invocations = flag.Int("invocations", 200_000, "invocations in the burst")
		goroutines  = flag.Int("goroutines", 8, "goroutines sharing the burst")
		perTrace    = flag.Int("per-trace", 1000, "invocations per workflow (trace)")
	)
	flag.Parse()
	if err := run(*service, *endpoint, *file, *ids, *invocations, *goroutines, *perTrace); err != nil {
		fmt.Fprintln(os.Stderr, "burst:", err)
		os.Exit(1)
	}
}

func run(service, endpoint, file, idsPath string, invocations, goroutines, perTrace int) error {
	switch {
	case endpoint == "" || file == "":
		return errors.New("-otlp-endpoint and -file are required")
	case invocations <= 0 || goroutines <= 0 || perTrace <= 0:
		return errors.New("-invocations, -goroutines and -per-trace must be positive")
	}
	ctx := context.Background()
	insecure, fileOn := true, true
	var cfg exporters.Config
	cfg.ServiceName = service
	cfg.Logging.Level = "WARN"
	cfg.Exporters.OTLP.Endpoint = endpoint
	cfg.Exporters.OTLP.Protocol = exporters.ProtocolGRPC
	cfg.Exporters.OTLP.Insecure = &insecure
	cfg.Exporters.File.Enabled = &fileOn
	cfg.Exporters.File.Path = file
	cfg.Exporters.File.MetricsPath = filepath.Join(filepath.Dir(file), "agent_metrics.jsonl")
	tel, err := exporters.Setup(ctx, cfg)
	if err != nil {
		return err
	}
	tracer := otelagent.New(otelagent.WithTracerProvider(tel.TracerProvider()),
		otelagent.WithMeterProvider(tel.MeterProvider()), otelagent.WithProviderName("openai"))

	// Every goroutine's share, the remainder going to the first ones.
	shares := make([]int, goroutines)
	for g := range shares {
		shares[g] = invocations / goroutines
		if g < invocations%goroutines {
			shares[g]++
		}
	}
	spanIDs := make([][]trace.SpanContext, goroutines)
	traceIDs := make([][]trace.TraceID, goroutines)
	errs := make([]error, goroutines)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			spanIDs[g], traceIDs[g], errs[g] = burst(ctx, tracer, g, shares[g], perTrace)
		}()
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	burstTime := time.Since(t0)
	shutdownErr := tel.Shutdown(ctx)
	totalTime := time.Since(t0)
	if err := errors.Join(append(errs, shutdownErr)...); err != nil {
		return err
	}

	res := result{Service: service, Invocations: invocations, Goroutines: goroutines,
		BurstSeconds: burstTime.Seconds(), TotalSeconds: totalTime.Seconds(),
		BurstPerSecond: float64(invocations) / burstTime.Seconds(), TotalPerSecond: float64(invocations) / totalTime.Seconds()}
	for _, list := range traceIDs {
		for _, id := range list {
			res.TraceIDs = append(res.TraceIDs, id.String())
		}
	}
	for _, list := range spanIDs {
		res.Spans += len(list)
	}
	if idsPath != "" {
		if err := writeIDs(idsPath, spanIDs); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "burst: %d invocations from %d goroutines: %.0f invocations/s until the last Complete (%.2fs), %.0f/s until both exporters flushed (%.2fs)\n",
		invocations, goroutines, res.BurstPerSecond, res.BurstSeconds, res.TotalPerSecond, res.TotalSeconds)
	return json.NewEncoder(os.Stdout).Encode(res)
}

// burst runs n invocations in workflows of at most perTrace each and returns the span contexts
// of every span it ended and the trace IDs of its workflows.
func burst(ctx context.Context, tracer *otelagent.Tracer, g, n, perTrace int) ([]trace.SpanContext, []trace.TraceID, error) {
	spans := make([]trace.SpanContext, 0, n+n/perTrace+1)
	var traces []trace.TraceID
	input := []otelagent.Message{{Role: "user", Content: "Where is my refund?"}}
	output := []otelagent.Message{{Role: "assistant", Content: "It is on its way."}}
	agent := fmt.Sprintf("agent-%d", g)
	for done := 0; done < n; {
		wctx, wf := tracer.StartWorkflow(ctx, "burst")
		traces = append(traces, wf.SpanContext().TraceID())
		for i := 0; i < perTrace && done < n; i, done = i+1, done+1 {
			_, inv := tracer.Invoke(wctx, agent, input, otelagent.WithRequestModel("gpt-4o-mini"))
			spans = append(spans, inv.SpanContext())
			err := inv.Complete(output, otelagent.WithUsage(otelagent.TokenUsage{PromptTokens: 1200, CompletionTokens: 150,
				CacheReadTokens: 800, Model: "gpt-4o-mini"}), otelagent.WithFinishReasons("stop"))
			if err != nil {
				return nil, nil, err
			}
		}
		spans = append(spans, wf.SpanContext())
		if err := wf.Complete(nil); err != nil {
			return nil, nil, err
		}
	}
	return spans, traces, nil
}

func writeIDs(path string, spans [][]trace.SpanContext) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for _, list := range spans {
		for _, sc := range list {
			fmt.Fprintln(w, sc.TraceID().String(), sc.SpanID().String())
		}
	}
	return errors.Join(w.Flush(), f.Close())
}
