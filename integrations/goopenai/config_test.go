package goopenai

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	openai "github.com/sashabaranov/go-openai"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.uber.org/goleak"

	"github.com/agenttrace/otelagent/integrations/llmhttp"
	"github.com/agenttrace/otelagent/otelagent"
	"github.com/agenttrace/otelagent/semconv"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const chatJSON = `{"id":"chatcmpl-1","object":"chat.completion","created":1741569952,"model":"gpt-4o-2024-08-06",
"choices":[{"index":0,"message":{"role":"assistant","content":"Hello!"},"finish_reason":"stop"}],
"usage":{"prompt_tokens":1200,"completion_tokens":10,"total_tokens":1210,"prompt_tokens_details":{"cached_tokens":1024},"completion_tokens_details":{"reasoning_tokens":0}}}`

const chatSSE = `data: {"id":"chatcmpl-2","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-2","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"content":"lo!"},"finish_reason":"stop"}],"usage":null}

data: {"id":"chatcmpl-2","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[],"usage":{"prompt_tokens":1200,"completion_tokens":10,"total_tokens":1210,"prompt_tokens_details":{"cached_tokens":1024}}}

data: [DONE]

`

// fakeOpenAI answers chat completions, streamed when the request asks for it, and records
// whether a stream asked for usage.
func fakeOpenAI(t *testing.T) (*httptest.Server, *bool) {
	t.Helper()
	var includeUsage bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if strings.Contains(string(body), `"stream":true`) {
			includeUsage = strings.Contains(string(body), `"include_usage":true`)
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = io.WriteString(w, chatSSE)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, chatJSON)
	}))
	t.Cleanup(srv.Close)
	return srv, &includeUsage
}

type otherDoer struct{ c *http.Client }

func (d otherDoer) Do(req *http.Request) (*http.Response, error) { return d.c.Do(req) }

func TestWrapConfig(t *testing.T) {
	tests := []struct {
		name   string
		stream bool
		doer   bool // the config holds an HTTPDoer that is not an *http.Client
	}{
		{name: "plain"},
		{name: "stream", stream: true},
		{name: "custom doer", doer: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, includeUsage := fakeOpenAI(t)
			rec := tracetest.NewSpanRecorder()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
			t.Cleanup(func() { _ = tp.Shutdown(t.Context()) })
			tracer := otelagent.New(otelagent.WithTracerProvider(tp))

			cfg := openai.DefaultConfig("test-key")
			cfg.BaseURL = srv.URL + "/v1"
			cfg.HTTPClient = srv.Client()
			if tt.doer {
				cfg.HTTPClient = otherDoer{srv.Client()}
			}
			client := openai.NewClientWithConfig(WrapConfig(cfg, llmhttp.WithTracer(tracer)))

			ctx, agent := tracer.Invoke(t.Context(), "helper", nil)
			req := openai.ChatCompletionRequest{
				Model:    openai.GPT4o,
				Messages: []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, Content: "Hi"}},
			}
			var text string
			if tt.stream {
				req.Stream = true
				stream, err := client.CreateChatCompletionStream(ctx, req)
				require.NoError(t, err)
				for {
					chunk, err := stream.Recv()
					if errors.Is(err, io.EOF) {
						break
					}
					require.NoError(t, err)
					if len(chunk.Choices) > 0 {
						text += chunk.Choices[0].Delta.Content
					}
				}
				require.NoError(t, stream.Close())
				assert.True(t, *includeUsage, "the stream asked for usage")
			} else {
				resp, err := client.CreateChatCompletion(ctx, req)
				require.NoError(t, err)
				text = resp.Choices[0].Message.Content
			}
			require.NoError(t, agent.Complete(nil))
			assert.Equal(t, "Hello!", text, "the client reads the answer unchanged")

			var chats []sdktrace.ReadOnlySpan
			for _, s := range rec.Ended() {
				if s.Name() == "chat gpt-4o" {
					chats = append(chats, s)
				}
			}
			require.Len(t, chats, 1)
			a := attribute.NewSet(chats[0].Attributes()...)
			provider, _ := a.Value(semconv.GenAIProviderNameKey)
			assert.Equal(t, "openai", provider.AsString())
			input, _ := a.Value(semconv.GenAIUsageInputTokensKey)
			assert.Equal(t, int64(1200), input.AsInt64())
			cs := tracer.CacheStatistics()
			assert.Equal(t, int64(1024), cs.CacheReadTokens)
			assert.Equal(t, int64(1210), cs.TokensSpent)
		})
	}
}
