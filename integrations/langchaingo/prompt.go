package langchaingo

import (
	"encoding/json"
	"strings"

	"github.com/tmc/langchaingo/llms"

	"github.com/agenttrace/otelagent/otelagent"
)

// promptOf returns a model call's messages for content capture: text parts joined by
// newlines, tool calls and tool responses as their JSON text, images and binary parts left out
// (the conventions' text message has no place for them). Messages without text are dropped.
func promptOf(msgs []llms.MessageContent) []otelagent.Message {
	out := make([]otelagent.Message, 0, len(msgs))
	for _, m := range msgs {
		var b strings.Builder
		for _, p := range m.Parts {
			s := partText(p)
			if s == "" {
				continue
			}
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(s)
		}
		if b.Len() > 0 {
			out = append(out, otelagent.Message{Role: roleOf(m.Role), Content: b.String()})
		}
	}
	return out
}

// partText returns the text of a part. Tool calls and responses are encoded by their fields,
// not by langchaingo's own JSON form, which wraps them in a type envelope.
func partText(p llms.ContentPart) string {
	var v any
	switch p := p.(type) {
	case llms.TextContent:
		return p.Text
	case *llms.TextContent:
		if p != nil {
			return p.Text
		}
	case llms.ToolCall:
		v = toolCall(p)
	case *llms.ToolCall:
		if p != nil {
			v = toolCall(*p)
		}
	case llms.ToolCallResponse:
		v = toolCallResponse(p)
	case *llms.ToolCallResponse:
		if p != nil {
			v = toolCallResponse(*p)
		}
	}
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// Types without the methods of the llms types, for their plain field encoding.
type (
	toolCall         llms.ToolCall
	toolCallResponse llms.ToolCallResponse
)

// roleOf maps langchaingo's message types to the conventions' roles.
func roleOf(t llms.ChatMessageType) string {
	switch t {
	case llms.ChatMessageTypeSystem:
		return "system"
	case llms.ChatMessageTypeHuman, llms.ChatMessageTypeGeneric:
		return "user"
	case llms.ChatMessageTypeAI:
		return "assistant"
	case llms.ChatMessageTypeTool, llms.ChatMessageTypeFunction:
		return "tool"
	}
	return string(t)
}
