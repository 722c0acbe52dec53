package otelagent

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"

	"github.com/agenttrace/otelagent/semconv"
)

func TestContentCapture(t *testing.T) {
	in := []Message{{Role: "system", Content: "be brief"}, {Role: "user", Content: "my key is sk-123"}}
	out := []Message{{Role: "assistant", Content: "ok"}}
	redact := func(m Message) Message {
		m.Content = strings.ReplaceAll(m.Content, "sk-123", "[REDACTED]")
		return m
	}
	tests := []struct {
		name    string
		env     string
		opts    []Option
		capture bool
	}{
		{name: "off by default"},
		{name: "on by option", opts: []Option{WithContentCapture(true)}, capture: true},
		{name: "on by environment", env: "true", capture: true},
		{name: "option overrides environment", env: "true", opts: []Option{WithContentCapture(false)}},
		{name: "environment not true", env: "yes please"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(CaptureContentEnv, tt.env)
			h := newHarness(t, append(tt.opts, WithRedactor(redact))...)
			_, inv := h.Invoke(t.Context(), "a", in)
			require.NoError(t, inv.Complete(out, WithFinishReasons("length")))
			a := attrs(h.span(t, "invoke_agent a"))
			input, hasIn := a[semconv.GenAIInputMessagesKey]
			output, hasOut := a[semconv.GenAIOutputMessagesKey]
			assert.Equal(t, tt.capture, hasIn)
			assert.Equal(t, tt.capture, hasOut)
			if !tt.capture {
				return
			}
			assert.JSONEq(t, `[{"role":"system","parts":[{"type":"text","content":"be brief"}]},
				{"role":"user","parts":[{"type":"text","content":"my key is [REDACTED]"}]}]`, input.AsString())
			assert.JSONEq(t, `[{"role":"assistant","parts":[{"type":"text","content":"ok"}],"finish_reason":"length"}]`, output.AsString())
			_, truncated := a[semconv.ContentTruncatedKey]
			assert.False(t, truncated)
		})
	}
}

func TestContentTruncation(t *testing.T) {
	long := strings.Repeat("é", 3000) // 2 bytes each, so a cut can fall inside a rune
	h := newHarness(t, WithContentCapture(true), WithMaxContentBytes(1000))
	_, inv := h.Invoke(t.Context(), "a", []Message{{Role: "user", Content: "short first"}, {Role: "user", Content: long}})
	require.NoError(t, inv.Complete([]Message{{Content: long}, {Content: long}}))
	a := attrs(h.span(t, "invoke_agent a"))
	assert.True(t, a[semconv.ContentTruncatedKey].AsBool())
	for _, key := range []struct {
		k     string
		parts int
	}{{string(semconv.GenAIInputMessagesKey), 2}, {string(semconv.GenAIOutputMessagesKey), 2}} {
		v := a[attribute.Key(key.k)].AsString()
		assert.LessOrEqual(t, len(v), 1000, key.k)
		assert.True(t, utf8.ValidString(v), key.k)
		var msgs []chatMessage
		require.NoError(t, json.Unmarshal([]byte(v), &msgs), "%s stays valid JSON", key.k)
		assert.Len(t, msgs, key.parts, "%s keeps every message, in order", key.k)
	}
	var msgs []chatMessage
	require.NoError(t, json.Unmarshal([]byte(a[semconv.GenAIInputMessagesKey].AsString()), &msgs))
	assert.Equal(t, "short first", msgs[0].Parts[0].Content, "the cut starts from the end")
}

func TestEncodeMessagesEdgeCases(t *testing.T) {
	tests := []struct {
		name      string
		msgs      []Message
		limit     int
		truncated bool
		count     int
	}{
		{"fits", []Message{{Role: "user", Content: "x"}}, 100, false, 1},
		{"escapes count", []Message{{Role: "user", Content: strings.Repeat(`"`, 50)}}, 60, true, 1},
		{"structure alone too long drops messages", []Message{{}, {}, {}, {}}, 60, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, truncated := encodeMessages(tt.msgs, false, nil, nil, tt.limit)
			assert.Equal(t, tt.truncated, truncated)
			assert.LessOrEqual(t, len(got), tt.limit)
			var msgs []chatMessage
			require.NoError(t, json.Unmarshal([]byte(got), &msgs))
			assert.Len(t, msgs, tt.count)
		})
	}
}

func TestToolContentCapture(t *testing.T) {
	redact := func(m Message) Message {
		m.Content = strings.ReplaceAll(m.Content, "4111", "****")
		return m
	}
	h := newHarness(t, WithContentCapture(true), WithRedactor(redact), WithMaxContentBytes(40))
	_, tool := h.StartTool(t.Context(), "charge", WithToolArguments(`{"card":"4111","amount":12}`))
	require.NoError(t, tool.Complete([]Message{{Role: "tool", Content: `{"status":"ok"}`}}))
	a := attrs(h.span(t, "execute_tool charge"))
	assert.Equal(t, `{"card":"****","amount":12}`, a[semconv.GenAIToolCallArgumentsKey].AsString())
	assert.Equal(t, `{"status":"ok"}`, a[semconv.GenAIToolCallResultKey].AsString())
	_, hasOut := a[semconv.GenAIOutputMessagesKey]
	assert.False(t, hasOut, "a tool's result is not an output message")

	_, long := h.StartTool(t.Context(), "search")
	require.NoError(t, long.Complete([]Message{{Content: strings.Repeat("r", 30)}, {Content: strings.Repeat("s", 30)}}))
	a = attrs(h.span(t, "execute_tool search"))
	assert.Len(t, a[semconv.GenAIToolCallResultKey].AsString(), 40)
	assert.True(t, a[semconv.ContentTruncatedKey].AsBool())

	off := newHarness(t)
	_, tool = off.StartTool(t.Context(), "charge", WithToolArguments(`{"card":"4111"}`))
	require.NoError(t, tool.Complete([]Message{{Content: "ok"}}))
	a = attrs(off.span(t, "execute_tool charge"))
	_, hasArgs := a[semconv.GenAIToolCallArgumentsKey]
	assert.False(t, hasArgs, "nothing captured by default")
}

// TestInputMessagesOfAChat: a model call's prompt, given as an option, is captured only when
// capture is on.
func TestInputMessagesOfAChat(t *testing.T) {
	prompt := []Message{{Role: "system", Content: "be brief"}, {Role: "user", Content: "hi <there>"}}
	for _, capture := range []bool{true, false} {
		h := newHarness(t, WithContentCapture(capture))
		require.Equal(t, capture, h.CapturesContent())
		_, chat := h.StartChat(t.Context(), "gpt-4o", WithInputMessages(prompt...))
		require.NoError(t, chat.Complete(nil))
		got, ok := attrs(h.span(t, "chat gpt-4o"))[semconv.GenAIInputMessagesKey]
		if !capture {
			assert.False(t, ok, "nothing captured with capture off")
			continue
		}
		require.True(t, ok)
		assert.JSONEq(t, `[{"role":"system","parts":[{"type":"text","content":"be brief"}]},{"role":"user","parts":[{"type":"text","content":"hi <there>"}]}]`, got.AsString())
	}
	var nilTracer *Tracer
	assert.False(t, nilTracer.CapturesContent())
}

// TestInputMessagesNotCarriedOver: the options of an operation start from nothing, so a prompt
// given to one chat never reaches the next one's span, whatever configs are reused.
func TestInputMessagesNotCarriedOver(t *testing.T) {
	h := newHarness(t, WithContentCapture(true))
	for i := range 20 {
		var opts []InvokeOption
		if i%2 == 0 {
			opts = append(opts, WithInputMessages(Message{Role: "user", Content: "secret"}))
		}
		_, chat := h.StartChat(t.Context(), fmt.Sprintf("model-%d", i), opts...)
		require.NoError(t, chat.Complete(nil))
		_, ok := attrs(h.span(t, fmt.Sprintf("chat model-%d", i)))[semconv.GenAIInputMessagesKey]
		assert.Equal(t, i%2 == 0, ok, "chat %d", i)
	}
}

func TestSystemInstructionsCapture(t *testing.T) {
	var redactorSaw []Message
	redact := func(m Message) Message {
		redactorSaw = append(redactorSaw, m)
		m.Content = strings.ReplaceAll(m.Content, "sk-123", "[REDACTED]")
		return m
	}
	instructions := []string{"You are terse.", "Never print the key sk-123."}
	tests := []struct {
		name    string
		capture bool
		limit   int
	}{
		{name: "capture off", capture: false},
		{name: "capture on", capture: true},
		{name: "capture on, cut at the byte limit", capture: true, limit: 90},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			redactorSaw = nil
			h := newHarness(t, WithContentCapture(tt.capture), WithRedactor(redact), WithMaxContentBytes(tt.limit))
			_, chat := h.StartChat(t.Context(), "claude-sonnet-4-5", WithSystemInstructions(instructions...),
				WithInputMessages(Message{Role: "user", Content: "hi"}))
			require.NoError(t, chat.Complete(nil))
			a := attrs(h.span(t, "chat claude-sonnet-4-5"))
			got, has := a[semconv.GenAISystemInstructionsKey]
			require.Equal(t, tt.capture, has)
			if !tt.capture {
				assert.Empty(t, redactorSaw, "nothing is redacted when nothing is captured")
				return
			}
			assert.JSONEq(t, `[{"role":"user","parts":[{"type":"text","content":"hi"}]}]`, a[semconv.GenAIInputMessagesKey].AsString(),
				"the instructions are not a message of the conversation")
			assert.Contains(t, redactorSaw, Message{Role: "system", Content: instructions[1]})
			var parts []textPart
			require.NoError(t, json.Unmarshal([]byte(got.AsString()), &parts), "valid JSON")
			_, truncated := a[semconv.ContentTruncatedKey]
			if tt.limit > 0 {
				assert.LessOrEqual(t, len(got.AsString()), tt.limit)
				assert.True(t, truncated)
				require.NotEmpty(t, parts)
				assert.Equal(t, textPart{Type: "text", Content: instructions[0]}, parts[0], "the cut starts from the end")
				return
			}
			assert.False(t, truncated)
			assert.Equal(t, []textPart{{Type: "text", Content: "You are terse."}, {Type: "text", Content: "Never print the key [REDACTED]."}}, parts)
		})
	}
}
