package otelagent

import (
	"encoding/json"
	"unicode/utf8"
)

// Message is one message an agent or model took in or gave out.
type Message struct {
	Role    string `json:"role"` // system, user, assistant, tool
	Content string `json:"content"`
}

// The conventions' message shape (gen-ai-input-messages.json, gen-ai-output-messages.json):
// a role and a list of typed parts; output messages also carry a finish_reason.
type textPart struct {
	Type    string `json:"type"`
	Content string `json:"content"`
}

type chatMessage struct {
	Role         string     `json:"role"`
	Parts        []textPart `json:"parts"`
	FinishReason string     `json:"finish_reason,omitempty"`
}

const defaultFinishReason = "stop"

// encodeMessages renders msgs as the conventions' JSON, each passed through redact first, and
// cut to at most limit bytes. Output messages get a finish reason: the i-th of reasons, else
// "stop". The result is always valid JSON; truncated reports whether anything was cut.
func encodeMessages(msgs []Message, output bool, reasons []string, redact func(Message) Message, limit int) (string, bool) {
	cms := make([]chatMessage, len(msgs))
	for i, m := range msgs {
		if redact != nil {
			m = redact(m)
		}
		cms[i] = chatMessage{Role: m.Role, Parts: []textPart{{Type: "text", Content: m.Content}}}
		if cms[i].Role == "" {
			cms[i].Role = "user"
			if output {
				cms[i].Role = "assistant"
			}
		}
		if output {
			cms[i].FinishReason = defaultFinishReason
			if i < len(reasons) && reasons[i] != "" {
				cms[i].FinishReason = reasons[i]
			}
		}
	}
	b := marshal(cms)
	if len(b) <= limit {
		return string(b), false
	}
	// Cut contents from the last message backwards until the document fits; drop whole
	// messages from the end only when even empty contents do not fit. Order is kept.
	for len(b) > limit && len(cms) > 0 {
		i := len(cms) - 1
		for i >= 0 && cms[i].Parts[0].Content == "" {
			i--
		}
		if i < 0 {
			cms = cms[:len(cms)-1]
		} else {
			c := &cms[i].Parts[0].Content
			*c = cutUTF8(*c, max(len(*c)-(len(b)-limit), 0))
		}
		b = marshal(cms)
	}
	return string(b), true
}

func marshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return []byte("[]")
	}
	return b
}

// cutUTF8 returns the longest prefix of s of at most n bytes that ends on a rune boundary.
func cutUTF8(s string, n int) string {
	if n >= len(s) {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
