package otelopenai

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
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
"choices":[{"index":0,"message":{"role":"assistant","content":"Hello!","refusal":null},"logprobs":null,"finish_reason":"stop"}],
"usage":{"prompt_tokens":1200,"completion_tokens":10,"total_tokens":1210,"prompt_tokens_details":{"cached_tokens":1024},"completion_tokens_details":{"reasoning_tokens":4}}}`

const chatSSE = `data: {"id":"chatcmpl-2","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-2","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"content":"lo!"},"finish_reason":"stop"}],"usage":null}

data: {"id":"chatcmpl-2","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[],"usage":{"prompt_tokens":1200,"completion_tokens":10,"total_tokens":1210,"prompt_tokens_details":{"cached_tokens":1024},"completion_tokens_details":{"reasoning_tokens":4}}}

data: [DONE]

`

const responseJSON = `{"id":"resp_1","object":"response","created_at":1741476542,"status":"completed","error":null,"incomplete_details":null,
"model":"gpt-4o-2024-08-06","output":[{"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hello!","annotations":[]}]}],
"parallel_tool_calls":true,"tool_choice":"auto","tools":[],"usage":{"input_tokens":1200,"input_tokens_details":{"cached_tokens":1024},"output_tokens":10,"output_tokens_details":{"reasoning_tokens":4},"total_tokens":1210}}`

func fakeOpenAI(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch {
		case strings.HasSuffix(r.URL.Path, "/responses"):
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, responseJSON)
		case strings.Contains(string(body), `"stream":true`):
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = io.WriteString(w, chatSSE)
		default:
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, chatJSON)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestOption(t *testing.T) {
	tests := []struct {
		name string
		call func(t *testing.T, client openai.Client, ctx context.Context) string
	}{
		{"chat", func(t *testing.T, client openai.Client, ctx context.Context) string {
			c, err := client.Chat.Completions.New(ctx, chatParams())
			require.NoError(t, err)
			return c.Choices[0].Message.Content
		}},
		{"chat stream", func(t *testing.T, client openai.Client, ctx context.Context) string {
			stream := client.Chat.Completions.NewStreaming(ctx, chatParams())
			var text string
			for stream.Next() {
				if ch := stream.Current().Choices; len(ch) > 0 {
					text += ch[0].Delta.Content
				}
			}
			require.NoError(t, stream.Err())
			require.NoError(t, stream.Close())
			return text
		}},
		{"responses", func(t *testing.T, client openai.Client, ctx context.Context) string {
			r, err := client.Responses.New(ctx, responses.ResponseNewParams{
				Model: openai.ChatModelGPT4o,
				Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Hi")},
			})
			require.NoError(t, err)
			return r.OutputText()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := fakeOpenAI(t)
			rec := tracetest.NewSpanRecorder()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
			t.Cleanup(func() { _ = tp.Shutdown(t.Context()) })
			tracer := otelagent.New(otelagent.WithTracerProvider(tp))
			client := openai.NewClient(option.WithBaseURL(srv.URL+"/v1"), option.WithAPIKey("test-key"),
				option.WithHTTPClient(srv.Client()), option.WithMaxRetries(0), Option(llmhttp.WithTracer(tracer)))

			ctx, agent := tracer.Invoke(t.Context(), "helper", nil)
			text := tt.call(t, client, ctx)
			require.NoError(t, agent.Complete(nil))
			assert.Equal(t, "Hello!", text, "the client reads the answer unchanged")

			var chats []sdktrace.ReadOnlySpan
			for _, s := range rec.Ended() {
				if s.Name() == "chat gpt-4o" {
					chats = append(chats, s)
				}
			}
			require.Len(t, chats, 1)
			set := attribute.NewSet(chats[0].Attributes()...)
			reasoning, _ := set.Value(semconv.GenAIUsageReasoningOutputTokensKey)
			assert.Equal(t, int64(4), reasoning.AsInt64())
			cs := tracer.CacheStatistics()
			assert.Equal(t, int64(1024), cs.CacheReadTokens)
			assert.Equal(t, int64(1210), cs.TokensSpent)
		})
	}
}

func chatParams() openai.ChatCompletionNewParams {
	return openai.ChatCompletionNewParams{
		Model:    openai.ChatModelGPT4o,
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Hi")},
	}
}
