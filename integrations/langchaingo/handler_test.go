package langchaingo

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tmc/langchaingo/agents"
	"github.com/tmc/langchaingo/chains"
	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/fake"
	"github.com/tmc/langchaingo/prompts"
	"github.com/tmc/langchaingo/schema"
	"github.com/tmc/langchaingo/tools"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/agenttrace/otelagent/semconv"
)

func TestLLMChain(t *testing.T) {
	h := newHarness(t, WithModel("gpt-4o"), WithAgentName("writer"), WithProviderName("openai"))
	llm := newReportingLLM(h.handler, openAIUsage(1000, 200, 600, 50), "a haiku")
	chain := chains.NewLLMChain(llm, prompts.NewPromptTemplate("Write about {{.topic}}", []string{"topic"}),
		chains.WithCallback(h.handler))

	out, err := chains.Run(t.Context(), chain, "autumn")
	require.NoError(t, err)
	assert.Equal(t, "a haiku", out)
	h.allEnded(t)

	agent := h.span(t, "invoke_agent writer")
	chat := h.span(t, "chat gpt-4o")
	assert.False(t, agent.Parent().IsValid(), "the chain is the root")
	assert.True(t, childOf(chat, agent))
	assert.Equal(t, trace.SpanKindClient, chat.SpanKind())

	ca, aa := attrs(chat), attrs(agent)
	assert.Equal(t, "openai", ca[semconv.GenAIProviderNameKey].AsString())
	assert.Equal(t, "gpt-4o", ca[semconv.GenAIRequestModelKey].AsString())
	assert.Equal(t, []string{"stop"}, ca[semconv.GenAIResponseFinishReasonsKey].AsStringSlice())
	for _, a := range []map[attribute.Key]attribute.Value{ca, aa} {
		assert.Equal(t, int64(1000), a[semconv.GenAIUsageInputTokensKey].AsInt64())
		assert.Equal(t, int64(200), a[semconv.GenAIUsageOutputTokensKey].AsInt64())
		assert.Equal(t, int64(600), a[semconv.GenAIUsageCacheReadInputTokensKey].AsInt64())
		assert.Equal(t, int64(50), a[semconv.GenAIUsageReasoningOutputTokensKey].AsInt64())
	}
	assert.Contains(t, aa[semconv.GenAIInputMessagesKey].AsString(), "autumn")
	assert.Contains(t, aa[semconv.GenAIOutputMessagesKey].AsString(), "a haiku")
	assert.Contains(t, ca[semconv.GenAIOutputMessagesKey].AsString(), "a haiku")

	cs := h.tracer.CacheStatistics()
	assert.Equal(t, int64(1), cs.Misses)
	assert.Equal(t, int64(1200), cs.TokensSpent, "the chat's usage counts once")
	assert.Equal(t, int64(600), cs.CacheReadTokens)
	// gpt-4o at the default list prices: 400 input at 2.5, 600 cached at 1.25, 200 output at 10.
	assert.InDelta(t, (400*2.5+600*1.25+200*10)/1e6, cs.CostSpent, 1e-12)
	assert.Equal(t, int64(1), h.tracer.Stats().Agents["writer"].Invocations)
}

func TestAgentExecutorWithTool(t *testing.T) {
	h := newHarness(t, WithModel("gpt-4o-mini"))
	llm := newReportingLLM(h.handler, openAIUsage(100, 10, 0, 0),
		"I should add.\nAction: calculator\nAction Input: 2+2",
		"I know it now.\nFinal Answer: 4")
	calc := tools.Calculator{CallbacksHandler: h.handler}
	agent := agents.NewOneShotAgent(llm, []tools.Tool{calc}, agents.WithCallbacksHandler(h.handler))
	executor := agents.NewExecutor(agent, agents.WithCallbacksHandler(h.handler))

	out, err := chains.Run(t.Context(), executor, "what is 2+2?")
	require.NoError(t, err)
	assert.Equal(t, "4", out)
	h.allEnded(t)

	root := h.span(t, "invoke_agent langchaingo")
	tool := h.span(t, "execute_tool calculator")
	chats := h.named("chat gpt-4o-mini")
	require.Len(t, chats, 2)
	require.Len(t, h.spans.Ended(), 4, "the agent's inner LLMChain gets no span of its own")
	assert.True(t, childOf(tool, root))
	for _, c := range chats {
		assert.True(t, childOf(c, root))
	}
	assert.True(t, chats[0].EndTime().Compare(tool.StartTime()) <= 0, "the tool runs after the first model call")
	assert.True(t, tool.EndTime().Compare(chats[1].StartTime()) <= 0, "and before the second")

	ta := attrs(tool)
	assert.Equal(t, "calculator", ta[semconv.GenAIToolNameKey].AsString())
	assert.Equal(t, `"2+2"`, ta[semconv.GenAIToolCallArgumentsKey].AsString())
	assert.Contains(t, ta[semconv.GenAIToolCallResultKey].AsString(), "4")
	ra := attrs(root)
	assert.Equal(t, int64(200), ra[semconv.GenAIUsageInputTokensKey].AsInt64(), "both model calls roll up")
	assert.Equal(t, int64(20), ra[semconv.GenAIUsageOutputTokensKey].AsInt64())

	cs := h.tracer.CacheStatistics()
	assert.Equal(t, int64(1), cs.Misses)
	assert.Equal(t, int64(220), cs.TokensSpent)
	assert.InDelta(t, 2*(100*0.15+10*0.6)/1e6, cs.CostSpent, 1e-12)
}

// silentTool reports no callbacks, like most user-written tools.
type silentTool struct{ calls chan string }

func (silentTool) Name() string        { return "lookup" }
func (silentTool) Description() string { return "looks things up" }
func (s silentTool) Call(_ context.Context, input string) (string, error) {
	s.calls <- input
	return "found", nil
}

func TestToolsThatDoNotReportTheirEnd(t *testing.T) {
	tests := []struct {
		name  string
		tool  func(h *Handler) tools.Tool
		input string
		want  string
	}{
		{"tool without callbacks", func(*Handler) tools.Tool { return silentTool{calls: make(chan string, 1)} }, "x", "execute_tool lookup"},
		// The calculator reports HandleToolStart but no end when the expression does not evaluate.
		{"calculator error", func(h *Handler) tools.Tool { return tools.Calculator{CallbacksHandler: h} }, "2+", "execute_tool calculator"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, WithModel("gpt-4o"))
			tool := tt.tool(h.handler)
			llm := newReportingLLM(h.handler, nil,
				fmt.Sprintf("Action: %s\nAction Input: %s", tool.Name(), tt.input), "Final Answer: done")
			agent := agents.NewOneShotAgent(llm, []tools.Tool{tool}, agents.WithCallbacksHandler(h.handler))
			_, err := chains.Run(t.Context(), agents.NewExecutor(agent, agents.WithCallbacksHandler(h.handler)), "go")
			require.NoError(t, err)

			h.allEnded(t)
			root := h.span(t, "invoke_agent langchaingo")
			span := h.span(t, tt.want)
			assert.True(t, childOf(span, root))
			assert.Equal(t, codes.Unset, span.Status().Code)
		})
	}
}

func TestModelErrors(t *testing.T) {
	boom := errors.New("rate limited")
	tests := []struct {
		name      string
		reportErr bool // the model reports HandleLLMError
	}{
		{"reported by the model", true},
		// langchaingo's OpenAI provider returns errors without HandleLLMError: the chain's error ends the span.
		{"not reported by the model", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, WithModel("gpt-4o"))
			var model llms.Model = erroringLLM{h.handler, boom}
			if !tt.reportErr {
				llm := newReportingLLM(h.handler, nil)
				llm.fail = boom
				model = llm
			}
			chain := chains.NewLLMChain(model, prompts.NewPromptTemplate("{{.q}}", []string{"q"}), chains.WithCallback(h.handler))
			_, err := chains.Run(t.Context(), chain, "")
			require.ErrorIs(t, err, boom)

			h.allEnded(t)
			for _, name := range []string{"chat gpt-4o", "invoke_agent langchaingo"} {
				s := h.span(t, name)
				assert.Equal(t, codes.Error, s.Status().Code, name)
				assert.Equal(t, "rate limited", s.Status().Description, name)
			}
			assert.Equal(t, int64(1), h.tracer.Stats().Agents["langchaingo"].Errors)
		})
	}
}

// erroringLLM reports its error through HandleLLMError, as the Anthropic provider does.
type erroringLLM struct {
	h   *Handler
	err error
}

func (e erroringLLM) GenerateContent(ctx context.Context, msgs []llms.MessageContent, _ ...llms.CallOption) (*llms.ContentResponse, error) {
	e.h.HandleLLMGenerateContentStart(ctx, msgs)
	e.h.HandleLLMError(ctx, e.err)
	return nil, e.err
}

func (e erroringLLM) Call(ctx context.Context, prompt string, opts ...llms.CallOption) (string, error) {
	return llms.GenerateFromSinglePrompt(ctx, e, prompt, opts...)
}

func TestModelCallOutsideAChain(t *testing.T) {
	h := newHarness(t, WithModel("claude-sonnet-4-5"))
	ctx := t.Context()
	llm := newReportingLLM(h.handler, map[string]any{"InputTokens": 10, "OutputTokens": 5}, "ok")
	llm.fail = errors.New("overloaded")
	_, err := llm.Call(ctx, "hi")
	require.Error(t, err)
	require.Empty(t, h.spans.Ended(), "the failed call is still open: the provider reported nothing")

	llm.fail = nil
	_, err = llm.Call(ctx, "hi")
	require.NoError(t, err)
	h.allEnded(t)
	chats := h.named("chat claude-sonnet-4-5")
	require.Len(t, chats, 2)
	assert.Equal(t, "no_end_callback", attrs(chats[0])[semconv.ErrorTypeKey].AsString(),
		"a model call left open is ended by the next one")
	assert.Equal(t, int64(10), attrs(chats[1])[semconv.GenAIUsageInputTokensKey].AsInt64())
	assert.Empty(t, h.handler.runs, "finished runs are forgotten")
}

func TestCancelledRunEnds(t *testing.T) {
	h := newHarness(t, WithModel("gpt-4o"))
	ctx, cancel := context.WithCancel(t.Context())
	h.handler.HandleChainStart(ctx, map[string]any{"input": "q"})
	h.handler.HandleLLMGenerateContentStart(ctx, nil)
	cancel()

	got := map[string]sdktrace.ReadOnlySpan{}
	for range 2 {
		s := <-h.ended
		got[s.Name()] = s
	}
	for _, name := range []string{"chat gpt-4o", "invoke_agent langchaingo"} {
		require.Contains(t, got, name)
		assert.Equal(t, "canceled", attrs(got[name])[semconv.ErrorTypeKey].AsString(), name)
	}
	h.handler.HandleChainError(ctx, context.Canceled) // the chain's own report finds nothing open
	h.allEnded(t)
	h.handler.mu.Lock()
	defer h.handler.mu.Unlock()
	assert.Empty(t, h.handler.runs)
}

func TestClose(t *testing.T) {
	h := newHarness(t)
	ctx := context.WithValue(t.Context(), struct{}{}, 1)
	h.handler.HandleChainStart(ctx, nil)
	h.handler.HandleAgentAction(ctx, schema.AgentAction{Tool: "search", ToolInput: "q"})
	h.handler.Close()
	h.allEnded(t)
	assert.Len(t, h.spans.Ended(), 2)
	for _, s := range h.spans.Ended() {
		assert.Equal(t, codes.Error, s.Status().Code)
	}
	h.handler.HandleToolEnd(ctx, "late") // nothing open: ignored
	h.handler.HandleChainEnd(ctx, nil)
	assert.Len(t, h.spans.Ended(), 2)
}

func TestNilTracerAndUnkeyableContexts(t *testing.T) {
	for _, h := range []*Handler{NewHandler(nil), newHarness(t).handler} {
		for _, ctx := range []context.Context{nil, unkeyable{t.Context(), []int{1}}, unkeyable{context.Background(), nil}} { //nolint:staticcheck // nil is what a careless caller passes
			assert.NotPanics(t, func() {
				h.HandleChainStart(ctx, map[string]any{"input": 1})
				h.HandleLLMGenerateContentStart(ctx, nil)
				h.HandleLLMGenerateContentEnd(ctx, nil)
				h.HandleToolStart(ctx, "x")
				h.HandleToolError(ctx, nil)
				h.HandleChainError(ctx, nil)
				h.HandleText(ctx, "")
				h.HandleLLMStart(ctx, nil)
				h.HandleRetrieverStart(ctx, "")
				h.HandleRetrieverEnd(ctx, "", nil)
				h.HandleStreamingFunc(ctx, nil)
			})
		}
	}
	var nilHandler *Handler
	assert.NotPanics(t, func() { nilHandler.HandleChainStart(t.Context(), nil) })
}

// unkeyable is a context that cannot be a map key.
type unkeyable struct {
	context.Context
	s []int
}

func TestHandlerConcurrentSafe(t *testing.T) {
	h := newHarness(t, WithModel("gpt-4o"))
	const goroutines, runs = 8, 25
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range runs {
				ctx, cancel := context.WithCancel(t.Context())
				answer := fmt.Sprintf("answer %d/%d", g, i)
				llm := newReportingLLM(h.handler, openAIUsage(10, 1, 0, 0), answer)
				chain := chains.NewLLMChain(llm, prompts.NewPromptTemplate("{{.q}}", []string{"q"}), chains.WithCallback(h.handler))
				out, err := chains.Run(ctx, chain, "")
				cancel()
				assert.NoError(t, err)
				assert.Equal(t, answer, out)
			}
		})
	}
	wg.Wait()

	h.allEnded(t)
	agentsByID := map[trace.SpanID]int{}
	for _, s := range h.named("invoke_agent langchaingo") {
		agentsByID[s.SpanContext().SpanID()] = 0
	}
	require.Len(t, agentsByID, goroutines*runs)
	for _, c := range h.named("chat gpt-4o") {
		n, ok := agentsByID[c.Parent().SpanID()]
		require.True(t, ok, "every chat is a child of an invocation")
		agentsByID[c.Parent().SpanID()] = n + 1
	}
	for _, n := range agentsByID {
		assert.Equal(t, 1, n, "each invocation has exactly its own chat")
	}
	cs := h.tracer.CacheStatistics()
	assert.Equal(t, int64(goroutines*runs), cs.Misses)
	assert.Equal(t, int64(goroutines*runs*11), cs.TokensSpent)
	h.handler.mu.Lock()
	defer h.handler.mu.Unlock()
	assert.Empty(t, h.handler.runs)
}

func TestRunInsideAnInvocation(t *testing.T) {
	h := newHarness(t, WithModel("gpt-4o"))
	ctx, inv := h.tracer.Invoke(t.Context(), "support", nil)
	llm := newReportingLLM(h.handler, openAIUsage(10, 2, 0, 0), "ok")
	_, err := chains.Run(ctx, chains.NewLLMChain(llm, prompts.NewPromptTemplate("{{.q}}", []string{"q"}), chains.WithCallback(h.handler)), "")
	require.NoError(t, err)
	require.NoError(t, inv.Complete(nil))
	assert.True(t, childOf(h.span(t, "invoke_agent langchaingo"), h.span(t, "invoke_agent support")))
}

func TestWrapModelWithTheFakeLLM(t *testing.T) {
	h := newHarness(t, WithModel("gpt-4o"))
	llm := h.handler.WrapModel(fake.NewFakeLLM([]string{"plain"}))
	chain := chains.NewLLMChain(llm, prompts.NewPromptTemplate("{{.q}}", []string{"q"}), chains.WithCallback(h.handler))
	out, err := chains.Run(t.Context(), chain, "hi")
	require.NoError(t, err)
	assert.Equal(t, "plain", out)

	h.allEnded(t)
	chat := h.span(t, "chat gpt-4o")
	assert.True(t, childOf(chat, h.span(t, "invoke_agent langchaingo")))
	assert.NotContains(t, attrs(chat), semconv.GenAIUsageInputTokensKey, "the fake LLM reports no usage")
	assert.Contains(t, attrs(chat)[semconv.GenAIOutputMessagesKey].AsString(), "plain")

	assert.Nil(t, (*Handler)(nil).WrapModel(nil))
	m := fake.NewFakeLLM(nil)
	assert.Same(t, m, (*Handler)(nil).WrapModel(m), "a nil Handler wraps nothing")
}
