package otelagent

import (
	"strings"
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

// The fixed parts of one encoded message, around its role, content and finish reason.
const (
	msgOpen   = `{"role":"`
	msgParts  = `","parts":[{"type":"text","content":"`
	msgClose  = `"}]`
	msgFinish = `,"finish_reason":"`
)

// encodeMessages renders msgs as the conventions' JSON, each passed through redact first, and
// cut to at most limit bytes. Output messages get a finish reason: the i-th of reasons, else
// "stop". The result is always valid JSON and valid UTF-8; truncated reports whether anything
// was cut. When the whole does not fit, contents are kept in order: the first ones whole, one
// cut on a rune boundary, the rest empty; messages are dropped from the end only when even
// empty contents do not fit. The work is linear in the size of msgs, and HTML characters are
// not escaped, so '<' costs one byte like any letter.
func encodeMessages(msgs []Message, output bool, reasons []string, redact func(Message) Message, limit int) (string, bool) {
	roles := make([]string, len(msgs))
	contents := make([]string, len(msgs))
	finish := make([]string, len(msgs))
	skel := make([]int, len(msgs))
	for i, m := range msgs {
		if redact != nil {
			m = redact(m)
		}
		roles[i], contents[i] = m.Role, m.Content
		if roles[i] == "" {
			roles[i] = "user"
			if output {
				roles[i] = "assistant"
			}
		}
		skel[i] = len(msgOpen) + escapedLen(roles[i]) + len(msgParts) + len(msgClose) + len("}")
		if output {
			finish[i] = defaultFinishReason
			if i < len(reasons) && reasons[i] != "" {
				finish[i] = reasons[i]
			}
			skel[i] += len(msgFinish) + escapedLen(finish[i]) + len(`"`)
		}
	}
	n, keep, truncated := fitContents(contents, skel, limit)
	var b strings.Builder
	b.Grow(min(limit, encodedSize(contents, skel, n, keep)))
	b.WriteByte('[')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(msgOpen)
		writeEscaped(&b, roles[i])
		b.WriteString(msgParts)
		writeEscaped(&b, contents[i][:keep[i]])
		b.WriteString(msgClose)
		if output {
			b.WriteString(msgFinish)
			writeEscaped(&b, finish[i])
			b.WriteByte('"')
		}
		b.WriteByte('}')
	}
	b.WriteByte(']')
	return b.String(), truncated
}

// encodeStrings renders ss as a JSON array of strings cut to at most limit bytes, by the
// rules of encodeMessages.
func encodeStrings(ss []string, limit int) (string, bool) {
	return encodeArray(ss, `"`, `"`, limit)
}

// The fixed parts of one text part of system instructions (gen-ai-system-instructions.json).
const (
	textPartOpen  = `{"type":"text","content":"`
	textPartClose = `"}`
)

// encodeTextParts renders texts as the conventions' list of text parts, each passed through
// redact first as a Message with role "system", cut at limit bytes by the rules of
// encodeMessages.
func encodeTextParts(texts []string, redact func(Message) Message, limit int) (string, bool) {
	contents := texts
	if redact != nil {
		contents = make([]string, len(texts))
		for i, s := range texts {
			contents[i] = redact(Message{Role: "system", Content: s}).Content
		}
	}
	return encodeArray(contents, textPartOpen, textPartClose, limit)
}

// encodeArray renders contents as a JSON array whose elements are each content, escaped,
// between open and close; cut to at most limit bytes by the rules of encodeMessages.
func encodeArray(contents []string, open, close string, limit int) (string, bool) {
	skel := make([]int, len(contents))
	for i := range skel {
		skel[i] = len(open) + len(close)
	}
	n, keep, truncated := fitContents(contents, skel, limit)
	var b strings.Builder
	b.Grow(min(limit, encodedSize(contents, skel, n, keep)))
	b.WriteByte('[')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(open)
		writeEscaped(&b, contents[i][:keep[i]])
		b.WriteString(close)
	}
	b.WriteByte(']')
	return b.String(), truncated
}

// fitContents decides how much of a JSON array fits in limit bytes. Element i takes skel[i]
// bytes with an empty content, plus its escaped content; the array adds brackets and commas.
// It returns how many elements are kept and, for each, how many bytes of its content.
func fitContents(contents []string, skel []int, limit int) (n int, keep []int, truncated bool) {
	keep = make([]int, len(contents))
	frame := 2 // the brackets
	for i := range contents {
		if i > 0 {
			frame++ // the comma
		}
		frame += skel[i]
	}
	whole := frame
	for _, c := range contents {
		whole += escapedLen(c)
	}
	if whole <= limit {
		for i, c := range contents {
			keep[i] = len(c)
		}
		return len(contents), keep, false
	}
	if frame > limit {
		// Not even empty contents fit: keep the longest prefix of empty messages that does.
		size := 2
		for n < len(contents) {
			next := size + skel[n]
			if n > 0 {
				next++
			}
			if next > limit {
				break
			}
			size, n = next, n+1
		}
		return n, keep, true
	}
	budget := limit - frame
	for i, c := range contents {
		k, used := escapedPrefix(c, budget)
		keep[i] = k
		budget -= used
		if k < len(c) {
			break
		}
	}
	return len(contents), keep, true
}

// encodedSize is the length of the array fitContents chose.
func encodedSize(contents []string, skel []int, n int, keep []int) int {
	size := 2
	for i := range n {
		if i > 0 {
			size++
		}
		size += skel[i] + escapedLen(contents[i][:keep[i]])
	}
	return size
}

// escapeStep reads the rune at s[i] and returns the bytes it takes in s and in the JSON string
// encoding: no HTML escaping, control characters escaped, an invalid byte written as U+FFFD,
// U+2028 and U+2029 escaped as encoding/json does.
func escapeStep(s string, i int) (size, escaped int) {
	c := s[i]
	if c < utf8.RuneSelf {
		switch {
		case c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f':
			return 1, 2
		case c < 0x20:
			return 1, 6
		}
		return 1, 1
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	switch {
	case r == utf8.RuneError && size == 1:
		return 1, len("\uFFFD")
	case r == '\u2028' || r == '\u2029':
		return size, 6
	}
	return size, size
}

// escapedLen is the length of s escaped as the content of a JSON string.
func escapedLen(s string) int {
	n := 0
	for i := 0; i < len(s); {
		size, esc := escapeStep(s, i)
		i += size
		n += esc
	}
	return n
}

// escapedPrefix returns the longest prefix of s, in bytes, whose escaped form fits in budget,
// ending on a rune boundary, and the escaped length of that prefix.
func escapedPrefix(s string, budget int) (prefix, escaped int) {
	for prefix < len(s) {
		size, esc := escapeStep(s, prefix)
		if escaped+esc > budget {
			break
		}
		prefix += size
		escaped += esc
	}
	return prefix, escaped
}

const hexDigits = "0123456789abcdef"

// writeEscaped writes s escaped as the content of a JSON string, by the rules of escapeStep.
func writeEscaped(b *strings.Builder, s string) {
	start := 0
	for i := 0; i < len(s); {
		size, esc := escapeStep(s, i)
		if esc == size {
			i += size
			continue
		}
		b.WriteString(s[start:i])
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\b':
			b.WriteString(`\b`)
		case c == '\f':
			b.WriteString(`\f`)
		case c < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xf])
		case size == 1: // an invalid byte
			b.WriteString("\uFFFD")
		default: // U+2028 or U+2029
			r, _ := utf8.DecodeRuneInString(s[i:])
			b.WriteString(`\u202`)
			b.WriteByte(hexDigits[r&0xf])
		}
		i += size
		start = i
	}
	b.WriteString(s[start:])
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
