package langchaingo

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tmc/langchaingo/chains"
	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/anthropic"
	"github.com/tmc/langchaingo/llms/openai"
	"github.com/tmc/langchaingo/prompts"
	"go.opentelemetry.io/otel/codes"

	"github.com/agenttrace/otelagent/otelagent"
	"github.com/agenttrace/otelagent/semconv"
)

func TestUsageOf(t *testing.T) {
	choice := func(info map[string]any) *llms.ContentResponse {
		return &llms.ContentResponse{Choices: []*llms.ContentChoice{{GenerationInfo: info}}}
	}
	tests := []struct {
		name string
		res  *llms.ContentResponse
		want otelagent.TokenUsage
	}{
		{"nil", nil, otelagent.TokenUsage{}},
		{"no usage", choice(map[string]any{"ThinkingContent": ""}), otelagent.TokenUsage{}},
		{"openai", choice(openAIUsage(1200, 300, 1024, 128)),
			otelagent.TokenUsage{PromptTokens: 1200, CompletionTokens: 300, CacheReadTokens: 1024, ReasoningTokens: 128}},
		{"anthropic: input excludes the cache", choice(map[string]any{
			"InputTokens": 20, "OutputTokens": 30, "CacheCreationInputTokens": 500, "CacheReadInputTokens": 2000}),
			otelagent.TokenUsage{PromptTokens: 2520, CompletionTokens: 30, CacheReadTokens: 2000, CacheCreationTokens: 500}},
		{"google ai: prompt includes the cache", choice(map[string]any{
			"input_tokens": int32(900), "output_tokens": int32(100), "total_tokens": int32(1000),
			"PromptTokens": int32(900), "CompletionTokens": int32(100), "TotalTokens": int32(1000),
			"CachedTokens": int32(512), "CacheReadInputTokens": int32(512), "ThinkingTokens": 0}),
			otelagent.TokenUsage{PromptTokens: 900, CompletionTokens: 100, CacheReadTokens: 512}},
		{"bedrock", choice(map[string]any{"input_tokens": 7, "output_tokens": 3}),
			otelagent.TokenUsage{PromptTokens: 7, CompletionTokens: 3}},
		{"total above the sum is kept", choice(map[string]any{"PromptTokens": 5, "CompletionTokens": 5, "TotalTokens": 12}),
			otelagent.TokenUsage{PromptTokens: 5, CompletionTokens: 5, TotalTokens: 12}},
		{"total below the sum is dropped", choice(map[string]any{"PromptTokens": 5, "CompletionTokens": 5, "TotalTokens": 3}),
			otelagent.TokenUsage{PromptTokens: 5, CompletionTokens: 5}},
		{"parts capped at their whole", choice(map[string]any{"PromptTokens": 5, "CachedTokens": 50, "CompletionTokens": 1, "ReasoningTokens": 9}),
			otelagent.TokenUsage{PromptTokens: 5, CompletionTokens: 1, CacheReadTokens: 5, ReasoningTokens: 1}},
		{"numeric types", choice(map[string]any{"PromptTokens": int64(4), "CompletionTokens": float64(2), "ReasoningTokens": json.Number("1")}),
			otelagent.TokenUsage{PromptTokens: 4, CompletionTokens: 2, ReasoningTokens: 1}},
		{"negative and non-numeric values ignored", choice(map[string]any{"PromptTokens": -4, "input_tokens": "many", "output_tokens": uint(2)}),
			otelagent.TokenUsage{CompletionTokens: 2}},
		{"response model", choice(map[string]any{"PromptTokens": 1, "model": "mistral-large-latest"}),
			otelagent.TokenUsage{PromptTokens: 1, Model: "mistral-large-latest"}},
		{"first choice with usage, not a sum", &llms.ContentResponse{Choices: []*llms.ContentChoice{
			nil, {Content: "thinking"}, {GenerationInfo: map[string]any{"InputTokens": 3, "OutputTokens": 4}},
			{GenerationInfo: map[string]any{"InputTokens": 3, "OutputTokens": 4}}}},
			otelagent.TokenUsage{PromptTokens: 3, CompletionTokens: 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := UsageOf(tt.res)
			assert.Equal(t, tt.want, got)
			assert.NoError(t, got.Validate())
		})
	}
}

// provider serves one canned response per request, with status.
func provider(t *testing.T, status int, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestProviders runs langchaingo's own OpenAI and Anthropic models against canned API responses:
// the usage keys they write reach the spans and statistics.
func TestProviders(t *testing.T) {
	const openAIBody = `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-2024-08-06",
		"choices":[{"index":0,"message":{"role":"assistant","content":"hello"},"finish_reason":"stop"}],
		"usage":{"prompt_tokens":1200,"completion_tokens":300,"total_tokens":1500,
		"prompt_tokens_details":{"cached_tokens":1024},"completion_tokens_details":{"reasoning_tokens":128}}}`
	const anthropicBody = `{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",
		"content":[{"type":"text","text":"hello"}],"stop_reason":"end_turn",
		"usage":{"input_tokens":20,"output_tokens":30,"cache_creation_input_tokens":500,"cache_read_input_tokens":2000}}`
	openAI := func(srv *httptest.Server, h *Handler) (llms.Model, error) {
		return openai.New(openai.WithToken("test"), openai.WithBaseURL(srv.URL), openai.WithModel("gpt-4o"),
			openai.WithHTTPClient(srv.Client()), openai.WithCallback(h))
	}
	openAIWant := otelagent.TokenUsage{PromptTokens: 1200, CompletionTokens: 300, CacheReadTokens: 1024, ReasoningTokens: 128}
	tests := []struct {
		name     string
		provider string
		wrap     bool // through WrapModel
		model    string
		newLLM   func(srv *httptest.Server, h *Handler) (llms.Model, error)
		body     string
		want     otelagent.TokenUsage
		wantStop string
	}{
		{"openai", "openai", false, "gpt-4o", openAI, openAIBody, openAIWant, "stop"},
		{"openai wrapped: still one chat span", "openai", true, "gpt-4o", openAI, openAIBody, openAIWant, "stop"},
		// langchaingo's Anthropic model reports no end of a successful call: only the wrapper sees the usage.
		{"anthropic wrapped", "anthropic", true, "claude-sonnet-4-5", func(srv *httptest.Server, h *Handler) (llms.Model, error) {
			llm, err := anthropic.New(anthropic.WithToken("test"), anthropic.WithBaseURL(srv.URL),
				anthropic.WithModel("claude-sonnet-4-5"), anthropic.WithHTTPClient(srv.Client()))
			if err == nil {
				llm.CallbacksHandler = h // the Anthropic model has no option for it
			}
			return llm, err
		}, anthropicBody, otelagent.TokenUsage{PromptTokens: 2520, CompletionTokens: 30, CacheReadTokens: 2000, CacheCreationTokens: 500}, "end_turn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, WithModel(tt.model), WithProviderName(tt.provider))
			llm, err := tt.newLLM(provider(t, http.StatusOK, tt.body), h.handler)
			require.NoError(t, err)
			if tt.wrap {
				llm = h.handler.WrapModel(llm)
			}
			chain := chains.NewLLMChain(llm, prompts.NewPromptTemplate("{{.q}}", []string{"q"}), chains.WithCallback(h.handler))
			out, err := chains.Run(t.Context(), chain, "hi")
			require.NoError(t, err)
			assert.Equal(t, "hello", out)

			h.allEnded(t)
			chat := attrs(h.span(t, "chat "+tt.model))
			assert.Equal(t, tt.want.PromptTokens, chat[semconv.GenAIUsageInputTokensKey].AsInt64())
			assert.Equal(t, tt.want.CompletionTokens, chat[semconv.GenAIUsageOutputTokensKey].AsInt64())
			assert.Equal(t, tt.want.CacheReadTokens, chat[semconv.GenAIUsageCacheReadInputTokensKey].AsInt64())
			assert.Equal(t, tt.want.CacheCreationTokens, chat[semconv.GenAIUsageCacheCreationInputTokensKey].AsInt64())
			assert.Equal(t, tt.want.ReasoningTokens, chat[semconv.GenAIUsageReasoningOutputTokensKey].AsInt64())
			assert.Equal(t, []string{tt.wantStop}, chat[semconv.GenAIResponseFinishReasonsKey].AsStringSlice())
			assert.Equal(t, tt.provider, chat[semconv.GenAIProviderNameKey].AsString())
			assert.Len(t, h.spans.Ended(), 2, "one invoke_agent, one chat")

			cs := h.tracer.CacheStatistics()
			assert.Equal(t, tt.want.Total(), cs.TokensSpent)
			assert.Equal(t, tt.want.CacheReadTokens, cs.CacheReadTokens)
			assert.Equal(t, tt.want.CacheCreationTokens, cs.CacheCreationTokens)
			assert.Positive(t, cs.CostSpent, "priced by the default table")
			assert.Positive(t, cs.CostSaved, "cache reads priced below input")
		})
	}

	for _, wrap := range []bool{false, true} {
		t.Run(fmt.Sprintf("openai error without HandleLLMError, wrapped=%v", wrap), func(t *testing.T) {
			h := newHarness(t, WithModel("gpt-4o"))
			srv := provider(t, http.StatusBadRequest, `{"error":{"message":"bad request","type":"invalid_request_error"}}`)
			var llm llms.Model
			llm, err := openai.New(openai.WithToken("test"), openai.WithBaseURL(srv.URL), openai.WithHTTPClient(srv.Client()), openai.WithCallback(h.handler))
			require.NoError(t, err)
			if wrap {
				llm = h.handler.WrapModel(llm)
			}
			chain := chains.NewLLMChain(llm, prompts.NewPromptTemplate("{{.q}}", []string{"q"}), chains.WithCallback(h.handler))
			_, err = chains.Run(t.Context(), chain, "hi")
			require.Error(t, err)
			h.allEnded(t)
			assert.Len(t, h.spans.Ended(), 2)
			for _, name := range []string{"chat gpt-4o", "invoke_agent langchaingo"} {
				s := h.span(t, name)
				assert.Equal(t, codes.Error, s.Status().Code, name)
				assert.Contains(t, s.Status().Description, "bad request", name)
			}
		})
	}
}
