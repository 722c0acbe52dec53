// Command configfile builds its whole telemetry pipeline from one configuration file with
// exporters.LoadConfig and exporters.Setup, then traces a small two-agent workflow (a model
// call, a tool call, a cache hit) with the otelagent API.
//
//	go run ./examples/configfile                       # from the repository root
//	go run ./examples/configfile -config my.yaml
//
// Spans go to agent_trace.jsonl and metrics to agent_metrics.jsonl, and to a collector when
// OTEL_EXPORTER_OTLP_ENDPOINT is set; log lines carry the trace and span IDs.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/agenttrace/otelagent/exporters"
	"github.com/agenttrace/otelagent/otelagent"
)

func main() {
	configPath := flag.String("config", "examples/configfile/config.yaml", "configuration file (.yaml, .yml or .json)")
	flag.Parse()
	if err := run(context.Background(), *configPath); err != nil {
		fmt.Fprintln(os.Stderr, "configfile:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, configPath string) (err error) {
	cfg, err := exporters.LoadConfig(configPath)
	if err != nil {
		return err
	}
	tel, err := exporters.Setup(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, tel.Shutdown(context.Background())) }()
	logger := tel.Logger()
	slog.SetDefault(logger)

	// The config's pricing and content settings come with the Tracer.
	tracer := tel.Tracer(otelagent.WithProviderName("openai"))

	ctx, workflow := tracer.StartWorkflow(ctx, "order-help")
	answerOrderQuestion(ctx, tracer, logger, "Where is my order 1042?", false)
	answerOrderQuestion(ctx, tracer, logger, "Where is my order 1042?", true) // asked again: cached
	if err := workflow.Complete(nil); err != nil {
		return err
	}

	s := tracer.CacheStatistics()
	fmt.Printf("hits %d, misses %d, tokens spent %d, saved %d, cost $%.6f, saved $%.6f\n",
		s.Hits, s.Misses, s.TokensSpent, s.TokensSaved, s.CostSpent, s.CostSaved)
	fmt.Printf("spans in %s, metrics in %s\n", tel.Config().Exporters.File.Path, tel.Config().Exporters.File.MetricsPath)
	return nil
}

// answerOrderQuestion is one invocation of the "support" agent: from its response cache, or
// with a model call that asks for a tool and a second model call that writes the answer.
func answerOrderQuestion(ctx context.Context, tracer *otelagent.Tracer, logger *slog.Logger, question string, cached bool) {
	inputs := []otelagent.Message{{Role: "user", Content: question}}
	ctx, inv := tracer.Invoke(ctx, "support", inputs,
		otelagent.WithRequestModel("gpt-4o-mini"), otelagent.WithConversationID("conv-1"))
	logger.InfoContext(ctx, "question received", "cached", cached)

	answer := []otelagent.Message{{Role: "assistant", Content: "Order 1042 left the warehouse today."}}
	if cached {
		// The usage describes the model calls the cache avoided.
		_ = inv.Complete(answer, otelagent.WithCacheHit(true),
			otelagent.WithUsage(otelagent.TokenUsage{PromptTokens: 300, CompletionTokens: 40, Model: "gpt-4o-mini"}))
		return
	}

	chatCtx, chat := tracer.StartChat(ctx, "gpt-4o-mini")
	logger.DebugContext(chatCtx, "asking the model")
	_ = chat.Complete(nil, otelagent.WithFinishReasons("tool_calls"),
		otelagent.WithUsage(otelagent.TokenUsage{PromptTokens: 180, CompletionTokens: 20, CacheReadTokens: 128, Model: "gpt-4o-mini"}))

	toolCtx, tool := tracer.StartTool(ctx, "lookup_order", otelagent.WithToolCallID("call-1"))
	logger.InfoContext(toolCtx, "looking up the order", "order", 1042)
	_ = tool.Complete([]otelagent.Message{{Role: "tool", Content: `{"status": "shipped"}`}})

	_, chat = tracer.StartChat(ctx, "gpt-4o-mini")
	_ = chat.Complete(answer, otelagent.WithFinishReasons("stop"),
		otelagent.WithUsage(otelagent.TokenUsage{PromptTokens: 120, CompletionTokens: 20, Model: "gpt-4o-mini"}))

	_ = inv.Complete(answer)
	logger.InfoContext(ctx, "answered")
}
