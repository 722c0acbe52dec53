package llmhttp_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/agenttrace/otelagent/integrations/llmhttp"
	"github.com/agenttrace/otelagent/otelagent"
)

// A client of any OpenAI-compatible server (here a bundled fake one) is instrumented by its
// transport; the usage of its calls reaches the agent's invocation.
func ExampleNewTransport() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"chatcmpl-1","model":"llama3.1:8b","choices":[{"index":0,
			"message":{"role":"assistant","content":"Paris."},"finish_reason":"stop"}],
			"usage":{"prompt_tokens":30,"completion_tokens":3,"total_tokens":33}}`)
	}))
	defer api.Close()

	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	tracer := otelagent.New(otelagent.WithTracerProvider(tp))

	client := &http.Client{Transport: llmhttp.NewTransport(nil, llmhttp.WithTracer(tracer))}

	ctx, agent := tracer.Invoke(context.Background(), "geographer", nil)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, api.URL+"/v1/chat/completions",
		strings.NewReader(`{"model":"llama3.1","messages":[{"role":"user","content":"Capital of France?"}]}`))
	resp, err := client.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	_ = agent.Complete(nil)

	for _, s := range spans.Ended() {
		fmt.Println("span:", s.Name())
	}
	fmt.Println("tokens spent:", tracer.CacheStatistics().TokensSpent)
	// Output:
	// span: chat llama3.1
	// span: invoke_agent geographer
	// tokens spent: 33
}
