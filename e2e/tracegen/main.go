// Command tracegen writes an OTLP/JSON trace file of a given size with the module's own span
// file exporter, for the replay benchmark (scripts/bench-replay.sh). Every trace is a
// workflow of two agent invocations, each with a model call and a tool call (seven spans), as
// otelagent records them; the spans go through a blocking batch span processor, so none is
// dropped, and the file is not rotated. It prints the number of spans written.
//
//	go run ./e2e/tracegen -size-mb 1024 -o /tmp/bench/agent_trace.jsonl
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/agenttrace/otelagent/exporters"
	"github.com/agenttrace/otelagent/otelagent"
)

func main() {
	var (
		out    = flag.String("o", "", "trace file to write (required; replaced if it exists)")
		sizeMB = flag.Int("size-mb", 1024, "stop once the file holds at least this many MiB")
	)
	flag.Parse()
	n, err := run(*out, int64(*sizeMB)<<20)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tracegen:", err)
		os.Exit(1)
	}
	fmt.Println(n)
}

// checkEvery is how many traces are written between two looks at the file's size.
const checkEvery = 2000

func run(path string, size int64) (int64, error) {
	if path == "" || size <= 0 {
		return 0, errors.New("-o is required and -size-mb must be positive")
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return 0, err
	}
	ctx := context.Background()
	// Rotation would split the file; make the limit larger than the file.
	fe, err := exporters.NewFileExporter(path, exporters.WithMaxSizeMB(int(size>>20)+1024))
	if err != nil {
		return 0, err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(fe, sdktrace.WithBlocking()))
	tracer := otelagent.New(otelagent.WithTracerProvider(tp), otelagent.WithProviderName("openai"))
	var spans int64
	for written := int64(0); written < size; {
		for range checkEvery {
			if err := workflow(ctx, tracer); err != nil {
				return spans, err
			}
			spans += 7
		}
		if err := tp.ForceFlush(ctx); err != nil {
			return spans, err
		}
		fi, err := os.Stat(path)
		if err != nil {
			return spans, err
		}
		written = fi.Size()
	}
	return spans, tp.Shutdown(ctx)
}

func workflow(ctx context.Context, tracer *otelagent.Tracer) error {
	ctx, wf := tracer.StartWorkflow(ctx, "support-desk", otelagent.WithConversationID("conv-bench"))
	for _, agent := range []string{"triage", "resolver"} {
		input := []otelagent.Message{{Role: "user", Content: "Where is my refund for order 1042?"}}
		actx, inv := tracer.Invoke(ctx, agent, input, otelagent.WithRequestModel("gpt-4o-mini"), otelagent.WithAgentID(agent+"-1"))
		_, chat := tracer.StartChat(actx, "gpt-4o-mini")
		if err := chat.Complete(nil, otelagent.WithUsage(otelagent.TokenUsage{PromptTokens: 1200, CompletionTokens: 150,
			CacheReadTokens: 800, Model: "gpt-4o-mini"}), otelagent.WithFinishReasons("stop")); err != nil {
			return err
		}
		_, tool := tracer.StartTool(actx, "lookup_order")
		if err := tool.Complete(nil); err != nil {
			return err
		}
		output := []otelagent.Message{{Role: "assistant", Content: "Your refund is on its way."}}
		if err := inv.Complete(output); err != nil {
			return err
		}
	}
	return wf.Complete(nil)
}
