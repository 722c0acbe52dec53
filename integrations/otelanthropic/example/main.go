// Command example traces an anthropic-sdk-go client talking to a bundled fake Anthropic
// server: it runs offline and prints the answer, the spans and the usage the agent's
// invocation counted, prompt-cache reads and writes included.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/agenttrace/otelagent/integrations/llmhttp"
	"github.com/agenttrace/otelagent/integrations/otelanthropic"
	"github.com/agenttrace/otelagent/otelagent"
)

const answer = `{"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",
"content":[{"type":"text","text":"Paris."}],"stop_reason":"end_turn","stop_sequence":null,
"usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":2048,"output_tokens":3}}`

func main() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, answer)
	}))
	defer api.Close()

	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	tracer := otelagent.New(otelagent.WithTracerProvider(tp))

	client := anthropic.NewClient(option.WithBaseURL(api.URL), option.WithAPIKey("not-a-real-key"),
		otelanthropic.Option(llmhttp.WithTracer(tracer))) // the one line

	ctx, agent := tracer.Invoke(context.Background(), "geographer", nil)
	msg, err := client.Messages.New(ctx, anthropic.MessageNewParams{
		Model: anthropic.ModelClaudeSonnet4_5, MaxTokens: 100,
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("Capital of France?"))},
	})
	if err != nil {
		log.Fatal(err)
	}
	_ = agent.Complete(nil)

	fmt.Println("answer:", msg.Content[0].Text)
	for _, s := range spans.Ended() {
		fmt.Println("span:", s.Name())
	}
	cs := tracer.CacheStatistics()
	fmt.Printf("tokens spent: %d, read from the provider's prompt cache: %d\n", cs.TokensSpent, cs.CacheReadTokens)
}
