// Command example runs a langchaingo agent with a calculator tool against langchaingo's fake
// LLM (no network), traced by otelagent through the langchaingo Handler. It writes the spans to
// langchaingo_trace.jsonl and prints the cache statistics and the per-model statistics.
//
//	cd integrations/langchaingo && go run ./example
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/tmc/langchaingo/agents"
	"github.com/tmc/langchaingo/chains"
	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/fake"
	"github.com/tmc/langchaingo/tools"

	"github.com/agenttrace/otelagent/exporters"
	"github.com/agenttrace/otelagent/integrations/langchaingo"
	"github.com/agenttrace/otelagent/otelagent"
)

// tracePath is where the example writes its spans.
const tracePath = "langchaingo_trace.jsonl"

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "example:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) (err error) {
	var cfg exporters.Config
	cfg.ServiceName = "langchaingo-example"
	cfg.Exporters.File.Path = tracePath
	cfg.Exporters.File.MetricsPath = "langchaingo_metrics.jsonl"
	tel, err := exporters.Setup(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, tel.Shutdown(context.Background())) }()

	// otelagent.New uses the global providers that Setup installed.
	tracer := otelagent.New(otelagent.WithProviderName("openai"))
	// The one line: a Handler, given to every langchaingo component that takes one.
	h := langchaingo.NewHandler(tracer, langchaingo.WithAgentName("calculator-agent"), langchaingo.WithModel("gpt-4o-mini"))

	// The fake LLM reports no callbacks and no usage: pricedFake adds the usage a real model
	// would return, and WrapModel records each call as a chat span.
	llm := h.WrapModel(pricedFake{fake.NewFakeLLM([]string{
		"I need to multiply.\nAction: calculator\nAction Input: 6*7",
		"I now know the final answer.\nFinal Answer: 42",
	})})
	agent := agents.NewOneShotAgent(llm, []tools.Tool{tools.Calculator{CallbacksHandler: h}}, agents.WithCallbacksHandler(h))
	executor := agents.NewExecutor(agent, agents.WithCallbacksHandler(h))

	answer, err := chains.Run(ctx, executor, "What is six times seven?")
	if err != nil {
		return err
	}
	cs := tracer.CacheStatistics()
	fmt.Fprintf(out, "answer: %s\n", answer)
	fmt.Fprintf(out, "invocations: %d, tokens spent: %d (provider-cached input: %d), cost: $%.6f\n",
		cs.Misses, cs.TokensSpent, cs.CacheReadTokens, cs.CostSpent)
	st := tracer.Stats()
	m := st.Models["gpt-4o-mini"]
	fmt.Fprintf(out, "gpt-4o-mini: %d operations, %d input and %d output tokens, priced from the list prices of %s\n",
		m.Invocations, m.PromptTokens, m.CompletionTokens, st.PricingAsOf)
	fmt.Fprintf(out, "spans in %s\n", tracePath)
	return nil
}

// pricedFake is the fake LLM answering with the usage fields langchaingo's OpenAI model writes.
type pricedFake struct{ *fake.LLM }

func (p pricedFake) GenerateContent(ctx context.Context, msgs []llms.MessageContent, opts ...llms.CallOption) (*llms.ContentResponse, error) {
	res, err := p.LLM.GenerateContent(ctx, msgs, opts...)
	if err != nil {
		return nil, err
	}
	for _, c := range res.Choices {
		c.StopReason = "stop"
		c.GenerationInfo = map[string]any{"PromptTokens": 1500, "CompletionTokens": 40, "PromptCachedTokens": 1024}
	}
	return res, nil
}

func (p pricedFake) Call(ctx context.Context, prompt string, opts ...llms.CallOption) (string, error) {
	return llms.GenerateFromSinglePrompt(ctx, p, prompt, opts...)
}
