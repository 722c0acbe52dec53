package llmhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/agenttrace/otelagent/semconv"
)

const (
	jsonType = "application/json"
	sseType  = "text/event-stream; charset=utf-8"
)

// post sends body to path through h's client inside ctx and returns the response body as read.
func (h *harness) post(t *testing.T, ctx context.Context, path, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.server.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", jsonType)
	resp, err := h.client.Do(req)
	require.NoError(t, err)
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	return resp, got
}

type tokens struct{ input, output, cacheRead, cacheCreation, reasoning int64 }

func usageOf(a map[attribute.Key]attribute.Value) tokens {
	return tokens{
		a[semconv.GenAIUsageInputTokensKey].AsInt64(),
		a[semconv.GenAIUsageOutputTokensKey].AsInt64(),
		a[semconv.GenAIUsageCacheReadInputTokensKey].AsInt64(),
		a[semconv.GenAIUsageCacheCreationInputTokensKey].AsInt64(),
		a[semconv.GenAIUsageReasoningOutputTokensKey].AsInt64(),
	}
}

func TestTransportRecordsChat(t *testing.T) {
	tests := []struct {
		name        string
		path        string
		request     string
		fixture     string
		contentType string
		status      int

		spanName   string
		provider   string
		requestAt  map[attribute.Key]attribute.Value // request attributes expected on the span
		responseID string
		respModel  string
		finish     []string
		usage      tokens
		output     string // a substring of gen_ai.output.messages
		errorType  string
		chunks     int // data events of a stream
	}{
		{
			name: "openai chat", path: "/v1/chat/completions", fixture: "openai_chat.json", contentType: jsonType, status: 200,
			request:  `{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"temperature":0.2,"top_p":0.9,"max_completion_tokens":100,"stop":["END"],"seed":7,"frequency_penalty":0.1,"presence_penalty":0.3}`,
			spanName: "chat gpt-4o", provider: "openai",
			requestAt: map[attribute.Key]attribute.Value{
				semconv.GenAIRequestModelKey:            attribute.StringValue("gpt-4o"),
				semconv.GenAIRequestTemperatureKey:      attribute.Float64Value(0.2),
				semconv.GenAIRequestTopPKey:             attribute.Float64Value(0.9),
				semconv.GenAIRequestMaxTokensKey:        attribute.Int64Value(100),
				semconv.GenAIRequestStopSequencesKey:    attribute.StringSliceValue([]string{"END"}),
				semconv.GenAIRequestSeedKey:             attribute.Int64Value(7),
				semconv.GenAIRequestFrequencyPenaltyKey: attribute.Float64Value(0.1),
				semconv.GenAIRequestPresencePenaltyKey:  attribute.Float64Value(0.3),
				semconv.GenAIRequestStreamKey:           attribute.BoolValue(false),
			},
			responseID: "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT", respModel: "gpt-4o-2024-08-06", finish: []string{"stop"},
			usage: tokens{input: 19, output: 10}, output: "How can I assist you today?",
		},
		{
			name: "openai chat provider-cached prompt and reasoning", path: "/v1/chat/completions", fixture: "openai_chat_cached_reasoning.json",
			contentType: jsonType, status: 200,
			request:  `{"model":"o3-mini","messages":[{"role":"user","content":"Think"}],"max_completion_tokens":500}`,
			spanName: "chat o3-mini", provider: "openai",
			requestAt:  map[attribute.Key]attribute.Value{semconv.GenAIRequestMaxTokensKey: attribute.Int64Value(500)},
			responseID: "chatcmpl-AyPfx1zSeCWzT3zS3PCwfqhnoBpdC", respModel: "o3-mini-2025-01-31", finish: []string{"stop"},
			usage: tokens{input: 2006, output: 300, cacheRead: 1920, reasoning: 256}, output: "The answer is 42.",
		},
		{
			name: "openai chat tool call", path: "/v1/chat/completions", fixture: "openai_chat_tool.json", contentType: jsonType, status: 200,
			request:  `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Weather?"}],"tools":[{"type":"function","function":{"name":"get_current_weather"}}]}`,
			spanName: "chat gpt-4o-mini", provider: "openai",
			responseID: "chatcmpl-abc123tool", respModel: "gpt-4o-mini-2024-07-18", finish: []string{"tool_calls"},
			usage: tokens{input: 82, output: 17},
		},
		{
			name: "openai chat stream", path: "/v1/chat/completions", fixture: "openai_chat_stream.sse", contentType: sseType, status: 200,
			request:  `{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Hi"}]}`,
			spanName: "chat gpt-4o-mini", provider: "openai",
			requestAt:  map[attribute.Key]attribute.Value{semconv.GenAIRequestStreamKey: attribute.BoolValue(true)},
			responseID: "chatcmpl-123stream", respModel: "gpt-4o-mini-2024-07-18", finish: []string{"stop"},
			usage: tokens{input: 1200, output: 3, cacheRead: 1024}, output: `"Hello there"`, chunks: 5,
		},
		{
			name: "openai chat rate limited", path: "/v1/chat/completions", fixture: "openai_error_429.json", contentType: jsonType, status: 429,
			request:  `{"model":"gpt-4o","messages":[]}`,
			spanName: "chat gpt-4o", provider: "openai", errorType: "tokens",
		},
		{
			name: "openai chat invalid request", path: "/v1/chat/completions", fixture: "openai_error_400.json", contentType: jsonType, status: 400,
			request:  `{"model":"gpt-4o","messages":[],"temperature":5}`,
			spanName: "chat gpt-4o", provider: "openai", errorType: "invalid_request_error",
		},
		{
			name: "error without a JSON body", path: "/v1/chat/completions", fixture: "anthropic_stream.sse", contentType: "text/plain", status: 503,
			request:  `{"model":"gpt-4o","messages":[]}`,
			spanName: "chat gpt-4o", provider: "openai", errorType: "503",
		},
		{
			name: "stream without a media type", path: "/v1/chat/completions", fixture: "openai_chat_stream.sse", contentType: "", status: 200,
			request:  `{"model":"gpt-4o-mini","stream":true,"messages":[]}`,
			spanName: "chat gpt-4o-mini", provider: "openai",
			responseID: "chatcmpl-123stream", respModel: "gpt-4o-mini-2024-07-18", finish: []string{"stop"},
			usage: tokens{input: 1200, output: 3, cacheRead: 1024}, output: `"Hello there"`, chunks: 5,
		},
		{
			name: "openai responses", path: "/v1/responses", fixture: "openai_responses.json", contentType: jsonType, status: 200,
			request:  `{"model":"gpt-4.1","input":"Tell me a story","max_output_tokens":1000}`,
			spanName: "chat gpt-4.1", provider: "openai",
			requestAt:  map[attribute.Key]attribute.Value{semconv.GenAIRequestMaxTokensKey: attribute.Int64Value(1000)},
			responseID: "resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b", respModel: "gpt-4.1-2025-04-14", finish: []string{"completed"},
			usage: tokens{input: 3036, output: 610, cacheRead: 2944, reasoning: 448}, output: "a unicorn named Lumina",
		},
		{
			name: "openai responses stream", path: "/v1/responses", fixture: "openai_responses_stream.sse", contentType: sseType, status: 200,
			request:  `{"model":"gpt-4.1","input":"Hi","stream":true}`,
			spanName: "chat gpt-4.1", provider: "openai",
			responseID: "resp_67c9fdcecf488190bdd9a0409de3a1ec07b8b0ad4e5eb654", respModel: "gpt-4.1-2025-04-14", finish: []string{"completed"},
			usage: tokens{input: 37, output: 11}, output: `"Hi there!"`, chunks: 5,
		},
		{
			name: "openai responses stream failed", path: "/v1/responses", fixture: "openai_responses_failed.sse", contentType: sseType, status: 200,
			request:  `{"model":"gpt-4.1","input":"Hi","stream":true}`,
			spanName: "chat gpt-4.1", provider: "openai", errorType: "server_error",
			responseID: "resp_failed1", respModel: "gpt-4.1-2025-04-14", finish: []string{"failed"}, chunks: 2,
		},
		{
			name: "anthropic messages with prompt cache", path: "/v1/messages", fixture: "anthropic_messages.json", contentType: jsonType, status: 200,
			request:  `{"model":"claude-sonnet-4-5","max_tokens":1024,"temperature":0.5,"top_k":40,"stop_sequences":["\n\nHuman:"],"messages":[{"role":"user","content":"Hello"}]}`,
			spanName: "chat claude-sonnet-4-5", provider: "anthropic",
			requestAt: map[attribute.Key]attribute.Value{
				semconv.GenAIRequestMaxTokensKey:     attribute.Int64Value(1024),
				semconv.GenAIRequestTemperatureKey:   attribute.Float64Value(0.5),
				semconv.GenAIRequestTopKKey:          attribute.Float64Value(40),
				semconv.GenAIRequestStopSequencesKey: attribute.StringSliceValue([]string{"\n\nHuman:"}),
			},
			responseID: "msg_01XFDUDYJgAACzvnptvVoYEL", respModel: "claude-sonnet-4-5-20250929", finish: []string{"end_turn"},
			usage: tokens{input: 12 + 100 + 2048, output: 40, cacheRead: 2048, cacheCreation: 100}, output: "Hello! How can I help?",
		},
		{
			name: "anthropic tool use", path: "/v1/messages", fixture: "anthropic_tool.json", contentType: jsonType, status: 200,
			request:  `{"model":"claude-haiku-4-5","max_tokens":1024,"messages":[{"role":"user","content":"Weather?"}]}`,
			spanName: "chat claude-haiku-4-5", provider: "anthropic",
			responseID: "msg_01Aq9w938a90dw8q", respModel: "claude-haiku-4-5-20251001", finish: []string{"tool_use"},
			usage: tokens{input: 384, output: 58}, output: "check the weather",
		},
		{
			name: "anthropic stream", path: "/v1/messages", fixture: "anthropic_stream.sse", contentType: sseType, status: 200,
			request:  `{"model":"claude-sonnet-4-5","max_tokens":1024,"stream":true,"messages":[{"role":"user","content":"Hello"}]}`,
			spanName: "chat claude-sonnet-4-5", provider: "anthropic",
			responseID: "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", respModel: "claude-sonnet-4-5-20250929", finish: []string{"end_turn"},
			usage: tokens{input: 25 + 1500, output: 15, cacheRead: 1500}, output: `"Hello!"`, chunks: 8,
		},
		{
			name: "anthropic rate limited", path: "/v1/messages", fixture: "anthropic_error_429.json", contentType: jsonType, status: 429,
			request:  `{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[]}`,
			spanName: "chat claude-sonnet-4-5", provider: "anthropic", errorType: "rate_limit_error",
		},
		{
			name: "anthropic error inside the stream", path: "/v1/messages", fixture: "anthropic_stream_error.sse", contentType: sseType, status: 200,
			request:  `{"model":"claude-sonnet-4-5","max_tokens":1024,"stream":true,"messages":[]}`,
			spanName: "chat claude-sonnet-4-5", provider: "anthropic", errorType: "overloaded_error",
			responseID: "msg_01err", respModel: "claude-sonnet-4-5-20250929", usage: tokens{input: 25, output: 1}, chunks: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.api.set(tt.fixture, tt.contentType, tt.status, false)
			ctx, agent := h.tracer.Invoke(t.Context(), "support", nil)
			resp, got := h.post(t, ctx, tt.path, tt.request)
			require.NoError(t, agent.Complete(nil))

			want, err := os.ReadFile(filepath.Join("testdata", tt.fixture))
			require.NoError(t, err)
			assert.Equal(t, tt.status, resp.StatusCode)
			assert.Equal(t, string(want), string(got), "the caller reads the body unchanged")

			chat := h.span(t, tt.spanName)
			a := attrs(chat)
			assert.Equal(t, trace.SpanKindClient, chat.SpanKind())
			assert.Equal(t, h.span(t, "invoke_agent support").SpanContext().SpanID(), chat.Parent().SpanID(), "child of the invocation")
			assert.Equal(t, tt.provider, a[semconv.GenAIProviderNameKey].AsString())
			assert.Equal(t, "127.0.0.1", a["server.address"].AsString())
			assert.Positive(t, a["server.port"].AsInt64())
			for k, v := range tt.requestAt {
				assert.Equal(t, v, a[k], "%s", k)
			}
			assert.Equal(t, tt.responseID, a[semconv.GenAIResponseIDKey].AsString())
			assert.Equal(t, tt.respModel, a[semconv.GenAIResponseModelKey].AsString())
			assert.Equal(t, tt.finish, a[semconv.GenAIResponseFinishReasonsKey].AsStringSlice())
			assert.Equal(t, tt.usage, usageOf(a))
			if tt.output != "" {
				assert.Contains(t, a[semconv.GenAIOutputMessagesKey].AsString(), tt.output)
			} else {
				assert.NotContains(t, a, semconv.GenAIOutputMessagesKey, "no text, nothing captured")
			}
			if tt.errorType != "" {
				assert.Equal(t, tt.errorType, a[semconv.ErrorTypeKey].AsString())
				assert.Equal(t, codes.Error, chat.Status().Code)
			} else {
				assert.NotContains(t, a, semconv.ErrorTypeKey)
				assert.Equal(t, codes.Unset, chat.Status().Code)
			}

			// The usage rolled up into the enclosing invocation, counted once.
			assert.Equal(t, tt.usage, usageOf(attrs(h.span(t, "invoke_agent support"))))
			cs := h.tracer.CacheStatistics()
			assert.Equal(t, tt.usage.cacheRead, cs.CacheReadTokens)
			assert.Equal(t, tt.usage.cacheCreation, cs.CacheCreationTokens)
			assert.Equal(t, tt.usage.input+tt.usage.output, cs.TokensSpent)

			hist := h.histograms(t)
			if tt.chunks == 0 {
				assert.NotContains(t, a, semconv.GenAIResponseTimeToFirstChunkKey)
				assert.NotContains(t, hist, semconv.GenAIClientOperationTimeToFirstChunkName)
				return
			}
			assert.Positive(t, a[semconv.GenAIResponseTimeToFirstChunkKey].AsFloat64())
			ttfc := hist[semconv.GenAIClientOperationTimeToFirstChunkName]
			require.Len(t, ttfc.DataPoints, 1)
			assert.Equal(t, uint64(1), ttfc.DataPoints[0].Count)
			set := ttfc.DataPoints[0].Attributes
			for k, v := range map[attribute.Key]string{
				semconv.GenAIOperationNameKey: "chat", semconv.GenAIProviderNameKey: tt.provider,
				semconv.GenAIResponseModelKey: tt.respModel, "server.address": "127.0.0.1",
			} {
				got, ok := set.Value(k)
				assert.True(t, ok, "%s on the metric point", k)
				assert.Equal(t, v, got.AsString(), "%s", k)
			}
			tpoc := hist[semconv.GenAIClientOperationTimePerOutputChunkName]
			require.Len(t, tpoc.DataPoints, 1)
			assert.Equal(t, uint64(tt.chunks-1), tpoc.DataPoints[0].Count)
		})
	}
}

func TestTransportRequestsStreamUsage(t *testing.T) {
	tests := []struct {
		name    string
		request string
		want    string // the body the API receives
	}{
		{
			name:    "added when the caller sets no stream_options",
			request: `{"model":"gpt-4o-mini","stream":true,"messages":[]}`,
			want:    `{"stream_options":{"include_usage":true},"model":"gpt-4o-mini","stream":true,"messages":[]}`,
		},
		{
			name:    "kept when the caller sets stream_options",
			request: `{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":false},"messages":[]}`,
			want:    `{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":false},"messages":[]}`,
		},
		{
			name:    "not added to a request that does not stream",
			request: `{"model":"gpt-4o-mini","messages":[]}`,
			want:    `{"model":"gpt-4o-mini","messages":[]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.api.set("openai_chat_stream.sse", sseType, 200, false)
			h.post(t, t.Context(), "/v1/chat/completions", tt.request)
			assert.Equal(t, tt.want, string(h.api.lastBody()))
			assert.True(t, json.Valid(h.api.lastBody()))
		})
	}
}

func TestTransportEndsStreamOnce(t *testing.T) {
	tests := []struct {
		name string
		stop func(cancel context.CancelFunc, body io.ReadCloser)
		// errorType is the span's error.type; "" for none.
		errorType string
	}{
		{
			name:      "body closed early",
			stop:      func(_ context.CancelFunc, body io.ReadCloser) { _ = body.Close() },
			errorType: "",
		},
		{
			name:      "context cancelled",
			stop:      func(cancel context.CancelFunc, _ io.ReadCloser) { cancel() },
			errorType: "canceled",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.api.set("anthropic_stream.sse", sseType, 200, true)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			ctx, agent := h.tracer.Invoke(ctx, "support", nil)
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.server.URL+"/v1/messages",
				strings.NewReader(`{"model":"claude-sonnet-4-5","max_tokens":10,"stream":true,"messages":[]}`))
			require.NoError(t, err)
			resp, err := h.client.Do(req)
			require.NoError(t, err)
			// Read the first event (message_start, with the input usage), then stop.
			buf := make([]byte, 4096)
			var first []byte
			for indexEventEnd(first) < 0 {
				n, err := resp.Body.Read(buf)
				require.NoError(t, err)
				first = append(first, buf[:n]...)
			}
			tt.stop(cancel, resp.Body)
			h.waitEnded(t, "chat claude-sonnet-4-5")
			_ = resp.Body.Close()
			require.NoError(t, agent.Complete(nil))

			chats := h.spansNamed("chat claude-sonnet-4-5")
			require.Len(t, chats, 1, "the span ends exactly once")
			a := attrs(chats[0])
			assert.Equal(t, tokens{input: 1525, output: 1, cacheRead: 1500}, usageOf(a), "usage seen before the stop")
			if tt.errorType == "" {
				assert.NotContains(t, a, semconv.ErrorTypeKey)
			} else {
				assert.Equal(t, tt.errorType, a[semconv.ErrorTypeKey].AsString())
			}
			assert.Equal(t, int64(1500), h.tracer.CacheStatistics().CacheReadTokens)
		})
	}
}

func TestTransportCancelledWhileWaiting(t *testing.T) {
	h := newHarness(t)
	h.api.set("anthropic_stream.sse", sseType, 200, true)
	ctx, cancel := context.WithCancel(t.Context())
	ctx, agent := h.tracer.Invoke(ctx, "support", nil)
	// The context is done before the request is sent: the transport fails and the span says so.
	cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.server.URL+"/v1/messages",
		strings.NewReader(`{"model":"claude-sonnet-4-5","max_tokens":10,"messages":[]}`))
	require.NoError(t, err)
	_, err = h.client.Do(req)
	require.Error(t, err)
	require.NoError(t, agent.Complete(nil))
	chat := h.span(t, "chat claude-sonnet-4-5")
	assert.Equal(t, "canceled", attrs(chat)[semconv.ErrorTypeKey].AsString())
	assert.Equal(t, codes.Error, chat.Status().Code)
}

func TestTransportRetriesAreSeparateSpans(t *testing.T) {
	h := newHarness(t)
	h.api.set("openai_error_429.json", jsonType, 429, false)
	h.post(t, t.Context(), "/v1/chat/completions", `{"model":"gpt-4o","messages":[]}`)
	h.api.set("openai_chat.json", jsonType, 200, false)
	h.post(t, t.Context(), "/v1/chat/completions", `{"model":"gpt-4o","messages":[]}`)
	chats := h.spansNamed("chat gpt-4o")
	require.Len(t, chats, 2)
	assert.Equal(t, codes.Error, chats[0].Status().Code)
	assert.Equal(t, codes.Unset, chats[1].Status().Code)
}

func TestTransportPassesOtherRequestsThrough(t *testing.T) {
	h := newHarness(t)
	h.api.set("openai_chat.json", jsonType, 200, false)
	resp, err := h.client.Get(h.server.URL + "/v1/models")
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	require.NoError(t, resp.Body.Close())
	h.post(t, t.Context(), "/v1/embeddings", `{"model":"text-embedding-3-small","input":"x"}`)
	assert.Empty(t, h.spans.Ended())
}

func TestTransportProviderName(t *testing.T) {
	tests := []struct {
		name     string
		host     string
		api      api
		override string
		want     string
	}{
		{"openai host", "api.openai.com", apiOpenAIChat, "", "openai"},
		{"anthropic host", "api.anthropic.com", apiAnthropicMessages, "", "anthropic"},
		{"groq speaks the openai format", "api.groq.com", apiOpenAIChat, "", "groq"},
		{"mistral", "api.mistral.ai", apiOpenAIChat, "", "mistral_ai"},
		{"deepseek", "api.deepseek.com", apiOpenAIChat, "", "deepseek"},
		{"azure openai", "myres.openai.azure.com", apiOpenAIChat, "", "azure.ai.openai"},
		{"unknown host, openai format", "localhost", apiOpenAIChat, "", "openai"},
		{"unknown host, anthropic format", "proxy.internal", apiAnthropicMessages, "", "anthropic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, providerOf(tt.host, tt.api))
		})
	}

	t.Run("option overrides", func(t *testing.T) {
		h := newHarness(t, WithProviderName("ollama"))
		h.api.set("openai_chat.json", jsonType, 200, false)
		h.post(t, t.Context(), "/v1/chat/completions", `{"model":"llama3","messages":[]}`)
		assert.Equal(t, "ollama", attrs(h.span(t, "chat llama3"))[semconv.GenAIProviderNameKey].AsString())
	})
}

func TestTransportTransportError(t *testing.T) {
	tracer, rec := otelagentRecorder(t)
	tr := NewTransport(failingTransport{}, WithTracer(tracer))
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, "http://127.0.0.1:1/v1/chat/completions",
		bytes.NewReader([]byte(`{"model":"gpt-4o"}`)))
	require.NoError(t, err)
	_, err = tr.RoundTrip(req)
	require.ErrorIs(t, err, errDial)
	require.Len(t, rec.Ended(), 1)
	assert.Equal(t, codes.Error, rec.Ended()[0].Status().Code)
	assert.Equal(t, "llmhttp.dialError", attrs(rec.Ended()[0])[semconv.ErrorTypeKey].AsString())
}

type dialError struct{}

func (dialError) Error() string { return "dial refused" }

var errDial error = dialError{}

type failingTransport struct{}

func (failingTransport) RoundTrip(*http.Request) (*http.Response, error) { return nil, errDial }

func TestTransportConcurrentSafe(t *testing.T) {
	h := newHarness(t)
	h.api.set("openai_chat_stream.sse", sseType, 200, false)
	const workers, calls = 8, 10
	ctx, agent := h.tracer.Invoke(t.Context(), "support", nil)
	done := make(chan struct{})
	for range workers {
		go func() {
			defer func() { done <- struct{}{} }()
			for range calls {
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.server.URL+"/v1/chat/completions",
					strings.NewReader(`{"model":"gpt-4o-mini","stream":true,"messages":[]}`))
				if !assert.NoError(t, err) {
					return
				}
				resp, err := h.client.Do(req)
				if !assert.NoError(t, err) {
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
			}
		}()
	}
	for range workers {
		<-done
	}
	require.NoError(t, agent.Complete(nil))
	assert.Len(t, h.spansNamed("chat gpt-4o-mini"), workers*calls)
	cs := h.tracer.CacheStatistics()
	assert.Equal(t, int64(workers*calls*1024), cs.CacheReadTokens)
	assert.Equal(t, int64(workers*calls*1203), cs.TokensSpent)
}

func TestZeroTransportPassesThrough(t *testing.T) {
	h := newHarness(t)
	h.api.set("openai_chat.json", jsonType, 200, false)
	for _, tr := range []*Transport{nil, {}} {
		client := &http.Client{Transport: tr}
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, h.server.URL+"/v1/chat/completions",
			strings.NewReader(`{"model":"gpt-4o"}`))
		require.NoError(t, err)
		resp, err := client.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		require.NoError(t, resp.Body.Close())
		assert.Equal(t, http.StatusOK, resp.StatusCode)
	}
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
}

// TestReadAll: a declared length sizes the buffer, and a body longer or shorter than declared
// is still read whole.
func TestReadAll(t *testing.T) {
	body := strings.Repeat("x", 1000)
	for _, hint := range []int64{-1, 0, 1, 999, 1000, 1001, 5000, maxSizeHint + 1} {
		got, err := readAll(strings.NewReader(body), hint)
		require.NoError(t, err)
		assert.Equal(t, body, string(got), "hint %d", hint)
		got, err = readAll(io.MultiReader(strings.NewReader(body), errReader{io.ErrUnexpectedEOF}), hint)
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF, "hint %d", hint)
		assert.Equal(t, body, string(got), "hint %d", hint)
	}
}
