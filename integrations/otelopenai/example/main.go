// Command example traces an openai-go client talking to a bundled fake OpenAI server: it runs
// offline and prints the answer, the spans and the usage the agent's invocation counted.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/agenttrace/otelagent/integrations/llmhttp"
	"github.com/agenttrace/otelagent/integrations/otelopenai"
	"github.com/agenttrace/otelagent/otelagent"
)

const answer = `{"id":"chatcmpl-1","object":"chat.completion","created":1741569952,"model":"gpt-4o-2024-08-06",
"choices":[{"index":0,"message":{"role":"assistant","content":"Paris."},"finish_reason":"stop"}],
"usage":{"prompt_tokens":1200,"completion_tokens":3,"total_tokens":1203,"prompt_tokens_details":{"cached_tokens":1024}}}`

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

	client := openai.NewClient(option.WithBaseURL(api.URL+"/v1"), option.WithAPIKey("not-a-real-key"),
		otelopenai.Option(llmhttp.WithTracer(tracer))) // the one line

	ctx, agent := tracer.Invoke(context.Background(), "geographer", nil)
	completion, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
		Model:    openai.ChatModelGPT4o,
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Capital of France?")},
	})
	if err != nil {
		log.Fatal(err)
	}
	_ = agent.Complete(nil)

	fmt.Println("answer:", completion.Choices[0].Message.Content)
	for _, s := range spans.Ended() {
		fmt.Println("span:", s.Name())
	}
	cs := tracer.CacheStatistics()
	fmt.Printf("tokens spent: %d, read from the provider's prompt cache: %d\n", cs.TokensSpent, cs.CacheReadTokens)
}
