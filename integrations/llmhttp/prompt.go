package llmhttp

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/agenttrace/otelagent/otelagent"
)

// The prompt of a request is decoded only when the Tracer captures content, so that a
// Transport without capture pays nothing for it. Text parts become the message's content;
// tool calls and tool results become their JSON text; images, audio, files and reasoning are
// left out (the conventions' text message has no place for them). Contents are kept whole:
// the Tracer redacts before it cuts at its byte limit, so a secret is never cut in half out of
// the redactor's sight.

// promptRequest holds the request fields that carry the prompt in the three wire formats.
type promptRequest struct {
	Messages     []promptMessage `json:"messages"`     // chat completions and Anthropic
	System       json.RawMessage `json:"system"`       // Anthropic: a string or text blocks
	Input        json.RawMessage `json:"input"`        // responses: a string or a list of items
	Instructions string          `json:"instructions"` // responses
}

// promptMessage is a chat completions or Anthropic message.
type promptMessage struct {
	Role         string          `json:"role"`
	Content      json.RawMessage `json:"content"`       // a string or a list of parts
	ToolCalls    json.RawMessage `json:"tool_calls"`    // chat completions, assistant
	FunctionCall json.RawMessage `json:"function_call"` // chat completions, deprecated
}

// promptItem is an item of a responses API input list: a message, or a tool call or output.
type promptItem struct {
	Type    string          `json:"type"`
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
	Output  json.RawMessage `json:"output"`
}

// promptPart is a content part (chat completions, responses) or content block (Anthropic).
type promptPart struct {
	Type    string `json:"type"`
	Text    string `json:"text"`
	Refusal string `json:"refusal"`
}

// promptOf returns the prompt of a request body in the format of a: the system instructions
// the API takes apart from the conversation (responses instructions, Anthropic system), one
// per text block, and the conversation's messages. Both are nil when the body holds none or is
// not JSON. A system or developer message inside the conversation stays a message, as the
// conventions say.
func promptOf(a api, body []byte) (instructions []string, msgs []otelagent.Message) {
	var r promptRequest
	if json.Unmarshal(body, &r) != nil {
		return nil, nil
	}
	add := func(role, content string) {
		if content != "" {
			msgs = append(msgs, otelagent.Message{Role: role, Content: content})
		}
	}
	switch a {
	case apiOpenAIChat:
		for _, m := range r.Messages {
			text, _ := contentText(m.Content)
			for _, call := range []json.RawMessage{m.ToolCalls, m.FunctionCall} {
				if isValue(call) {
					text = joinText(text, compactJSON(call))
				}
			}
			add(roleOf(m.Role), text)
		}
	case apiOpenAIResponses:
		if r.Instructions != "" {
			instructions = []string{r.Instructions}
		}
		if s, ok := jsonString(r.Input); ok {
			add("user", s)
			break
		}
		var items []json.RawMessage
		_ = json.Unmarshal(r.Input, &items)
		for _, raw := range items {
			role, text := responseItem(raw)
			add(role, text)
		}
	case apiAnthropicMessages:
		instructions = textBlocks(r.System)
		for _, m := range r.Messages {
			text, onlyResults := contentText(m.Content)
			role := roleOf(m.Role)
			if onlyResults {
				role = "tool"
			}
			add(role, text)
		}
	}
	return instructions, msgs
}

// textBlocks returns the texts of a content that is a string or a list of text blocks, one
// per non-empty block.
func textBlocks(raw json.RawMessage) []string {
	if s, ok := jsonString(raw); ok {
		if s == "" {
			return nil
		}
		return []string{s}
	}
	var blocks []promptPart
	if json.Unmarshal(raw, &blocks) != nil {
		return nil
	}
	var texts []string
	for _, b := range blocks {
		if b.Type == "text" && b.Text != "" {
			texts = append(texts, b.Text)
		}
	}
	return texts
}

// responseItem returns the role and text of a responses API input item.
func responseItem(raw json.RawMessage) (role, text string) {
	var it promptItem
	if json.Unmarshal(raw, &it) != nil {
		return "", ""
	}
	switch {
	case it.Type == "" || it.Type == "message":
		text, _ := contentText(it.Content)
		return roleOf(it.Role), text
	case strings.HasSuffix(it.Type, "_call_output"):
		if s, ok := jsonString(it.Output); ok {
			return "tool", s
		}
		return "tool", compactJSON(it.Output)
	case strings.HasSuffix(it.Type, "_call"):
		return "assistant", compactJSON(raw)
	}
	return "", "" // reasoning, item references: no text of the conversation
}

// contentText returns the text of a content that is a string or a list of parts, its parts
// joined by newlines; onlyResults reports a list made of tool results alone (Anthropic sends
// them in user messages).
func contentText(raw json.RawMessage) (text string, onlyResults bool) {
	if s, ok := jsonString(raw); ok {
		return s, false
	}
	var parts []json.RawMessage
	if json.Unmarshal(raw, &parts) != nil || len(parts) == 0 {
		return "", false
	}
	var b strings.Builder
	onlyResults = true
	for _, raw := range parts {
		var p promptPart
		if json.Unmarshal(raw, &p) != nil {
			continue
		}
		var s string
		switch {
		case p.Type == "text" || p.Type == "input_text" || p.Type == "output_text":
			s = p.Text
		case p.Type == "refusal":
			s = p.Refusal
		case strings.Contains(p.Type, "tool"): // tool_use, tool_result, server_tool_use, ...
			s = compactJSON(raw)
		}
		if !strings.HasSuffix(p.Type, "tool_result") {
			onlyResults = false
		}
		if s == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(s)
	}
	return b.String(), onlyResults
}

// roleOf maps a wire role to the conventions' roles: developer instructions are system
// messages, the deprecated function role is a tool result.
func roleOf(role string) string {
	switch role {
	case "developer":
		return "system"
	case "function":
		return "tool"
	}
	return role
}

// jsonString decodes raw when it is a JSON string.
func jsonString(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	var s string
	return s, json.Unmarshal(raw, &s) == nil
}

// isValue reports whether raw holds a JSON value other than null.
func isValue(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && !bytes.Equal(raw, []byte("null"))
}

// compactJSON returns raw without insignificant space; "" for null or nothing.
func compactJSON(raw json.RawMessage) string {
	if !isValue(raw) {
		return ""
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return ""
	}
	return b.String()
}

func joinText(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "\n" + b
}
