package otelanthropic

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.uber.org/goleak"

	"github.com/agenttrace/otelagent/integrations/llmhttp"
	"github.com/agenttrace/otelagent/otelagent"
	"github.com/agenttrace/otelagent/semconv"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const messageJSON = `{"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",
"content":[{"type":"text","text":"Hello!"}],"stop_reason":"end_turn","stop_sequence":null,
"usage":{"input_tokens":12,"cache_creation_input_tokens":100,"cache_read_input_tokens":2048,"output_tokens":40}}`

const messageSSE = `event: message_start
data: {"type":"message_start","message":{"id":"msg_02","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5-20250929","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":100,"cache_read_input_tokens":2048,"output_tokens":1}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello!"}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":40}}

event: message_stop
data: {"type":"message_stop"}

`

func fakeAnthropic(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if strings.Contains(string(body), `"stream":true`) {
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = io.WriteString(w, messageSSE)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, messageJSON)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// chatSpans returns the ended spans of chat operations, whoever recorded them.
func chatSpans(rec *tracetest.SpanRecorder) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		set := attribute.NewSet(s.Attributes()...)
		if v, ok := set.Value(semconv.GenAIOperationNameKey); ok && v.AsString() == "chat" {
			out = append(out, s)
		}
	}
	return out
}

func TestOption(t *testing.T) {
	tests := []struct {
		name      string
		stream    bool
		sdkSpans  bool // build the client with the bare middleware, leaving the SDK's spans on
		wantChats int
	}{
		{name: "plain", wantChats: 1},
		{name: "stream", stream: true, wantChats: 1},
		{name: "control: the SDK's own span without Option", sdkSpans: true, wantChats: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := fakeAnthropic(t)
			rec := tracetest.NewSpanRecorder()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
			prev := otel.GetTracerProvider()
			otel.SetTracerProvider(tp)
			t.Cleanup(func() {
				otel.SetTracerProvider(prev)
				_ = tp.Shutdown(t.Context())
			})
			tracer := otelagent.New() // on the global providers, like the SDK

			instrument := Option(llmhttp.WithTracer(tracer))
			if tt.sdkSpans {
				instrument = option.WithMiddleware(llmhttp.NewTransport(nil, llmhttp.WithTracer(tracer)).Middleware)
			}
			client := anthropic.NewClient(option.WithBaseURL(srv.URL), option.WithAPIKey("test-key"),
				option.WithHTTPClient(srv.Client()), option.WithMaxRetries(0), instrument)

			ctx, agent := tracer.Invoke(t.Context(), "helper", nil)
			params := anthropic.MessageNewParams{
				Model: anthropic.ModelClaudeSonnet4_5, MaxTokens: 1024,
				Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("Hi"))},
			}
			var text string
			if tt.stream {
				stream := client.Messages.NewStreaming(ctx, params)
				for stream.Next() {
					if d := stream.Current().Delta; d.Text != "" {
						text += d.Text
					}
				}
				require.NoError(t, stream.Err())
				require.NoError(t, stream.Close())
			} else {
				msg, err := client.Messages.New(ctx, params)
				require.NoError(t, err)
				text = msg.Content[0].Text
			}
			require.NoError(t, agent.Complete(nil))
			assert.Equal(t, "Hello!", text, "the client reads the answer unchanged")

			chats := chatSpans(rec)
			require.Len(t, chats, tt.wantChats, "chat spans for one call")
			var ours int
			for _, s := range chats {
				if s.InstrumentationScope().Name == otelagent.ScopeName {
					ours++
				}
			}
			assert.Equal(t, 1, ours, "exactly one chat span is otelagent's")

			cs := tracer.CacheStatistics()
			assert.Equal(t, int64(2048), cs.CacheReadTokens)
			assert.Equal(t, int64(100), cs.CacheCreationTokens)
			assert.Equal(t, int64(12+100+2048+40), cs.TokensSpent)
		})
	}
}
