package langchaingo

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/fake"

	"github.com/agenttrace/otelagent/semconv"
)

// TestChatCapturesPrompt: the messages a model call starts from are recorded as
// gen_ai.input.messages when content capture is on, whether the model reports its callbacks or
// is wrapped, and are absent when capture is off.
func TestChatCapturesPrompt(t *testing.T) {
	msgs := []llms.MessageContent{
		{Role: llms.ChatMessageTypeSystem, Parts: []llms.ContentPart{llms.TextContent{Text: "Be brief."}}},
		{Role: llms.ChatMessageTypeHuman, Parts: []llms.ContentPart{
			llms.TextContent{Text: "What is 6*7?"},
			llms.ImageURLContent{URL: "https://example.com/a.png"},
			llms.TextContent{Text: "Use the tool."}}},
		{Role: llms.ChatMessageTypeAI, Parts: []llms.ContentPart{llms.ToolCall{ID: "call_1", Type: "function",
			FunctionCall: &llms.FunctionCall{Name: "calculator", Arguments: `{"x":"6*7"}`}}}},
		{Role: llms.ChatMessageTypeTool, Parts: []llms.ContentPart{llms.ToolCallResponse{ToolCallID: "call_1", Name: "calculator", Content: "42"}}},
		{Role: llms.ChatMessageTypeHuman, Parts: []llms.ContentPart{llms.BinaryContent{MIMEType: "image/png", Data: []byte{1}}}},
	}
	const want = `[{"role":"system","parts":[{"type":"text","content":"Be brief."}]},
		{"role":"user","parts":[{"type":"text","content":"What is 6*7?\nUse the tool."}]},
		{"role":"assistant","parts":[{"type":"text","content":"{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"calculator\",\"arguments\":\"{\\\"x\\\":\\\"6*7\\\"}\"}}"}]},
		{"role":"tool","parts":[{"type":"text","content":"{\"tool_call_id\":\"call_1\",\"name\":\"calculator\",\"content\":\"42\"}"}]}]`
	for _, capture := range []bool{true, false} {
		for _, wrapped := range []bool{false, true} {
			name := map[bool]string{true: "capture on", false: "capture off"}[capture] +
				map[bool]string{true: "/wrapped", false: "/callbacks"}[wrapped]
			t.Run(name, func(t *testing.T) {
				h := newHarnessCapture(t, capture, WithModel("gpt-4o"))
				var llm llms.Model = newReportingLLM(h.handler, nil, "42")
				if wrapped {
					llm = h.handler.WrapModel(fake.NewFakeLLM([]string{"42"}))
				}
				_, err := llm.GenerateContent(t.Context(), msgs)
				require.NoError(t, err)
				h.allEnded(t)
				got, ok := attrs(h.span(t, "chat gpt-4o"))[semconv.GenAIInputMessagesKey]
				if !capture {
					assert.False(t, ok, "no prompt recorded with capture off")
					return
				}
				require.True(t, ok)
				assert.JSONEq(t, want, got.AsString())
			})
		}
	}
}
