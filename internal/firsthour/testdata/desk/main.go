// Command desk is what a new user writes from the README: a small multi-agent support desk
// that calls OpenAI for some answers and Anthropic for others through one Tracer, with its
// telemetry configured by a YAML file. The firsthour tests build it in a module of its own.
//
//	desk -config otelagent.yaml          # prints the Tracer's statistics as JSON
//	desk -config otelagent.yaml -plain   # also traces with otelagent.New() on the globals
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/agenttrace/otelagent/exporters"
	"github.com/agenttrace/otelagent/otelagent"
)

func main() {
	configPath := flag.String("config", "otelagent.yaml", "configuration file")
	plain := flag.Bool("plain", false, "also trace with otelagent.New() on the global providers")
	flag.Parse()
	if err := run(context.Background(), *configPath, *plain); err != nil {
		fmt.Fprintln(os.Stderr, "desk:", err)
		os.Exit(1)
	}
}

// Output is what the program prints on standard output.
type Output struct {
	Cache otelagent.CacheStatistics `json:"cache"`
	Stats otelagent.Stats           `json:"stats"`
}

func run(ctx context.Context, configPath string, plain bool) (err error) {
	cfg, err := exporters.LoadConfig(configPath)
	if err != nil {
		return err
	}
	tel, err := exporters.Setup(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, tel.Shutdown(context.Background())) }()

	tracer := tel.Tracer()
	if err := supportDesk(ctx, tracer); err != nil {
		return err
	}
	if plain {
		// As the README once showed: a Tracer on the globals Setup installed, twice.
		for range 2 {
			_, inv := otelagent.New().Invoke(ctx, "notes", nil)
			if err := inv.Complete(nil); err != nil {
				return err
			}
		}
	}
	return json.NewEncoder(os.Stdout).Encode(Output{Cache: tracer.CacheStatistics(), Stats: tracer.Stats()})
}

// supportDesk is one workflow of three agents: triage on OpenAI (a model call, a tool call,
// then the same question answered from the response cache), a writer on Anthropic, and a
// researcher on OpenAI that asks Anthropic for a second opinion.
func supportDesk(ctx context.Context, tracer *otelagent.Tracer) error {
	openai, anthropic := otelagent.WithProviderName("openai"), otelagent.WithProviderName("anthropic")
	question := []otelagent.Message{{Role: "user", Content: "Where is my order 1042?"}}
	answer := []otelagent.Message{{Role: "assistant", Content: "Order 1042 left the warehouse today."}}

	ctx, workflow := tracer.StartWorkflow(ctx, "support-desk")
	var errs []error
	complete := func(inv *otelagent.Invocation, out []otelagent.Message, opts ...otelagent.CompleteOption) {
		errs = append(errs, inv.Complete(out, opts...))
	}

	// triage: a model call that asks for a tool, the tool, the answer. The provider answers with
	// a dated snapshot of the model asked for.
	triageCtx, triage := tracer.Invoke(ctx, "triage", question, openai)
	_, chat := tracer.StartChat(triageCtx, "gpt-4o-mini")
	complete(chat, nil, otelagent.WithFinishReasons("tool_calls"), otelagent.WithUsage(otelagent.TokenUsage{
		PromptTokens: 1200, CompletionTokens: 80, CacheReadTokens: 1000, Model: "gpt-4o-mini-2024-07-18"}))
	_, tool := tracer.StartTool(triageCtx, "lookup_order", otelagent.WithToolCallID("call-1"))
	complete(tool, []otelagent.Message{{Role: "tool", Content: `{"status": "shipped"}`}})
	complete(triage, answer)

	// triage again, the same question: answered from the application's response cache.
	_, triage = tracer.Invoke(ctx, "triage", question, openai)
	complete(triage, answer, otelagent.WithCacheHit(true), otelagent.WithUsage(otelagent.TokenUsage{
		PromptTokens: 1200, CompletionTokens: 80, Model: "gpt-4o-mini-2024-07-18"}))

	// writer: Anthropic, writing a long prompt to its prompt cache.
	writerCtx, writer := tracer.Invoke(ctx, "writer", question, anthropic)
	_, chat = tracer.StartChat(writerCtx, "claude-sonnet-4-5")
	complete(chat, answer, otelagent.WithFinishReasons("end_turn"), otelagent.WithUsage(otelagent.TokenUsage{
		PromptTokens: 2000, CompletionTokens: 500, CacheCreationTokens: 1500, Model: "claude-sonnet-4-5"}))
	complete(writer, answer)

	// researcher: OpenAI, and one call to Anthropic for a second opinion.
	researcherCtx, researcher := tracer.Invoke(ctx, "researcher", question, openai)
	_, chat = tracer.StartChat(researcherCtx, "gpt-4o-mini")
	complete(chat, answer, otelagent.WithUsage(otelagent.TokenUsage{PromptTokens: 400, CompletionTokens: 100, Model: "gpt-4o-mini"}))
	_, chat = tracer.StartChat(researcherCtx, "claude-sonnet-4-5", anthropic)
	complete(chat, answer, otelagent.WithUsage(otelagent.TokenUsage{PromptTokens: 400, CompletionTokens: 100, Model: "claude-sonnet-4-5"}))
	complete(researcher, answer)

	complete(workflow, answer)
	return errors.Join(errs...)
}
