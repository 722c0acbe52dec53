package langchaingo_test

import (
	"context"
	"fmt"

	"github.com/tmc/langchaingo/chains"
	"github.com/tmc/langchaingo/llms/fake"
	"github.com/tmc/langchaingo/prompts"

	"github.com/agenttrace/otelagent/integrations/langchaingo"
	"github.com/agenttrace/otelagent/otelagent"
)

func ExampleNewHandler() {
	tracer := otelagent.New() // the global providers; exporters.Setup installs real ones
	h := langchaingo.NewHandler(tracer, langchaingo.WithAgentName("poet"), langchaingo.WithModel("gpt-4o-mini"))

	// The fake LLM reports no callbacks: WrapModel records its calls as chat spans.
	llm := h.WrapModel(fake.NewFakeLLM([]string{"Leaves fall, quietly."}))
	chain := chains.NewLLMChain(llm, prompts.NewPromptTemplate("A haiku about {{.topic}}", []string{"topic"}),
		chains.WithCallback(h))

	out, err := chains.Run(context.Background(), chain, "autumn")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out)
	fmt.Println("invocations of poet:", tracer.Stats().Agents["poet"].Invocations)
	// Output:
	// Leaves fall, quietly.
	// invocations of poet: 1
}
