package llmhttp

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agenttrace/otelagent/otelagent"
	"github.com/agenttrace/otelagent/semconv"
)

// TestTransportCapturesPrompt: with content capture on, the request's messages of each wire
// format are recorded as gen_ai.input.messages in the conventions' shape, and the instructions
// an API takes apart from the conversation as gen_ai.system_instructions; with capture off
// both are absent.
func TestTransportCapturesPrompt(t *testing.T) {
	tests := []struct {
		name, path, fixture, contentType, spanName string
		request                                    string
		want                                       string // gen_ai.input.messages
		instructions                               string // gen_ai.system_instructions, "" for none
	}{
		{
			name: "openai chat", path: "/v1/chat/completions", fixture: "openai_chat.json", contentType: jsonType, spanName: "chat gpt-4o",
			request: `{"model":"gpt-4o","messages":[
				{"role":"developer","content":"Be brief."},
				{"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}},{"type":"text","text":"And the weather?"}]},
				{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}}]},
				{"role":"tool","tool_call_id":"call_1","content":"{\"temp\":21}"}]}`,
			want: `[{"role":"system","parts":[{"type":"text","content":"Be brief."}]},
				{"role":"user","parts":[{"type":"text","content":"What is this?\nAnd the weather?"}]},
				{"role":"assistant","parts":[{"type":"text","content":"[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]"}]},
				{"role":"tool","parts":[{"type":"text","content":"{\"temp\":21}"}]}]`,
		},
		{
			name: "openai chat stream", path: "/v1/chat/completions", fixture: "openai_chat_stream.sse", contentType: sseType, spanName: "chat gpt-4o-mini",
			request: `{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"system","content":"Be kind."},{"role":"user","content":"Hi"}]}`,
			want:    `[{"role":"system","parts":[{"type":"text","content":"Be kind."}]},{"role":"user","parts":[{"type":"text","content":"Hi"}]}]`,
		},
		{
			name: "openai responses string input", path: "/v1/responses", fixture: "openai_responses.json", contentType: jsonType, spanName: "chat gpt-4.1",
			request:      `{"model":"gpt-4.1","instructions":"Talk like a pirate.","input":"Are semicolons optional in JavaScript?"}`,
			want:         `[{"role":"user","parts":[{"type":"text","content":"Are semicolons optional in JavaScript?"}]}]`,
			instructions: `[{"type":"text","content":"Talk like a pirate."}]`,
		},
		{
			name: "openai responses items", path: "/v1/responses", fixture: "openai_responses.json", contentType: jsonType, spanName: "chat gpt-4.1",
			request: `{"model":"gpt-4.1","input":[
				{"role":"user","content":[{"type":"input_text","text":"Weather in Paris?"},{"type":"input_image","image_url":"https://example.com/a.png"}]},
				{"type":"reasoning","id":"rs_1","summary":[]},
				{"type":"function_call","call_id":"call_1","name":"weather","arguments":"{}"},
				{"type":"function_call_output","call_id":"call_1","output":"sunny"},
				{"type":"message","role":"assistant","content":[{"type":"output_text","text":"It is sunny."}]}]}`,
			want: `[{"role":"user","parts":[{"type":"text","content":"Weather in Paris?"}]},
				{"role":"assistant","parts":[{"type":"text","content":"{\"type\":\"function_call\",\"call_id\":\"call_1\",\"name\":\"weather\",\"arguments\":\"{}\"}"}]},
				{"role":"tool","parts":[{"type":"text","content":"sunny"}]},
				{"role":"assistant","parts":[{"type":"text","content":"It is sunny."}]}]`,
		},
		{
			name: "anthropic messages", path: "/v1/messages", fixture: "anthropic_messages.json", contentType: jsonType, spanName: "chat claude-sonnet-4-5",
			request: `{"model":"claude-sonnet-4-5","max_tokens":1024,"system":"You are terse.","messages":[
				{"role":"user","content":"Weather?"},
				{"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"x"},{"type":"text","text":"Let me look."},{"type":"tool_use","id":"toolu_1","name":"weather","input":{"city":"Paris"}}]},
				{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"sunny"}]},
				{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}},{"type":"text","text":"And this?"}]}]}`,
			instructions: `[{"type":"text","content":"You are terse."}]`,
			want: `[{"role":"user","parts":[{"type":"text","content":"Weather?"}]},
				{"role":"assistant","parts":[{"type":"text","content":"Let me look.\n{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"weather\",\"input\":{\"city\":\"Paris\"}}"}]},
				{"role":"tool","parts":[{"type":"text","content":"{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\",\"content\":\"sunny\"}"}]},
				{"role":"user","parts":[{"type":"text","content":"And this?"}]}]`,
		},
		{
			name: "anthropic stream with system blocks", path: "/v1/messages", fixture: "anthropic_stream.sse", contentType: sseType, spanName: "chat claude-sonnet-4-5",
			request:      `{"model":"claude-sonnet-4-5","stream":true,"max_tokens":64,"system":[{"type":"text","text":"Part one.","cache_control":{"type":"ephemeral"}},{"type":"text","text":"Part two."}],"messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}]}`,
			want:         `[{"role":"user","parts":[{"type":"text","content":"Hi"}]}]`,
			instructions: `[{"type":"text","content":"Part one."},{"type":"text","content":"Part two."}]`,
		},
	}
	for _, tt := range tests {
		for _, capture := range []bool{true, false} {
			name := tt.name + map[bool]string{true: "/capture on", false: "/capture off"}[capture]
			t.Run(name, func(t *testing.T) {
				h := newHarnessTracer(t, []otelagent.Option{otelagent.WithContentCapture(capture)})
				h.api.set(tt.fixture, tt.contentType, 200, false)
				h.post(t, t.Context(), tt.path, tt.request)
				h.waitEnded(t, tt.spanName)
				a := attrs(h.span(t, tt.spanName))
				got, ok := a[semconv.GenAIInputMessagesKey]
				instructions, hasInstructions := a[semconv.GenAISystemInstructionsKey]
				if !capture {
					assert.False(t, ok, "no prompt recorded with capture off")
					assert.False(t, hasInstructions, "no instructions recorded with capture off")
					assert.NotContains(t, a, semconv.GenAIOutputMessagesKey, "no response recorded with capture off")
					return
				}
				require.True(t, ok, "gen_ai.input.messages recorded")
				assert.JSONEq(t, tt.want, got.AsString())
				require.Equal(t, tt.instructions != "", hasInstructions, "gen_ai.system_instructions recorded when the API takes them apart")
				if hasInstructions {
					assert.JSONEq(t, tt.instructions, instructions.AsString())
				}
			})
		}
	}
}

// TestTransportPromptRedactedAndBounded: the prompt goes through the Tracer's redactor before
// it is cut at the Tracer's byte limit.
func TestTransportPromptRedactedAndBounded(t *testing.T) {
	redact := func(m otelagent.Message) otelagent.Message {
		m.Content = strings.ReplaceAll(m.Content, "sk-secret", "[key]")
		return m
	}
	const limit = 200
	h := newHarnessTracer(t, []otelagent.Option{otelagent.WithContentCapture(true),
		otelagent.WithRedactor(redact), otelagent.WithMaxContentBytes(limit)})
	h.api.set("openai_chat.json", jsonType, 200, false)
	long := strings.Repeat("a", 1000)
	h.post(t, t.Context(), "/v1/chat/completions",
		`{"model":"gpt-4o","messages":[{"role":"user","content":"my key is sk-secret"},{"role":"user","content":"`+long+`"}]}`)
	h.waitEnded(t, "chat gpt-4o")
	a := attrs(h.span(t, "chat gpt-4o"))
	got := a[semconv.GenAIInputMessagesKey].AsString()
	assert.LessOrEqual(t, len(got), limit)
	assert.Contains(t, got, "my key is [key]")
	assert.NotContains(t, got, "sk-secret")
}

// TestPromptOfMalformed: bodies that are not what the format expects give no messages and no
// panic.
func TestPromptOfMalformed(t *testing.T) {
	for _, a := range []api{apiOpenAIChat, apiOpenAIResponses, apiAnthropicMessages} {
		for _, body := range []string{``, `not json`, `[]`, `{"messages":"x"}`, `{"messages":[{"role":"user","content":7}]}`,
			`{"input":{"a":1}}`, `{"input":[1,"x",null]}`, `{"system":5,"messages":[{"content":[1,{"type":"text"}]}]}`} {
			instructions, msgs := promptOf(a, []byte(body))
			assert.Empty(t, instructions, "api %d body %q", a, body)
			assert.Empty(t, msgs, "api %d body %q", a, body)
		}
	}
}
