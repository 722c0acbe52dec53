package otelagent

import (
	"strings"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
)

// Every string the package puts on a span, a metric point, an event or the event log is made
// valid UTF-8 where it enters (Invoke, Start*, Complete, RecordEvent): OTLP rejects a whole
// batch over one invalid byte, and a metric attribute would fail every later export.

// validUTF8 returns s with each run of invalid bytes replaced by U+FFFD; s itself, without
// allocating, when it is already valid.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// validUTF8Slice returns ss, or a copy with every string made valid when one is not.
func validUTF8Slice(ss []string) []string {
	for i, s := range ss {
		if !utf8.ValidString(s) {
			out := make([]string, len(ss))
			copy(out, ss[:i])
			for j := i; j < len(ss); j++ {
				out[j] = validUTF8(ss[j])
			}
			return out
		}
	}
	return ss
}

// validAttrs makes the keys and the string and string-slice values of kvs valid, in place;
// kvs must be the caller's own copy.
func validAttrs(kvs []attribute.KeyValue) {
	for i, kv := range kvs {
		key := attribute.Key(validUTF8(string(kv.Key)))
		switch kv.Value.Type() {
		case attribute.STRING:
			if s := kv.Value.AsString(); key != kv.Key || !utf8.ValidString(s) {
				kvs[i] = key.String(validUTF8(s))
			}
		case attribute.STRINGSLICE:
			ss := kv.Value.AsStringSlice()
			if v := validUTF8Slice(ss); key != kv.Key || len(v) > 0 && &v[0] != &ss[0] {
				kvs[i] = key.StringSlice(v)
			}
		default:
			if key != kv.Key {
				kvs[i] = attribute.KeyValue{Key: key, Value: kv.Value}
			}
		}
	}
}

// validate makes every string of the operation's options valid UTF-8, but for the
// attributes, which startSpan makes valid in its copy.
func (c *invokeConfig) validate() {
	c.providerName = validUTF8(c.providerName)
	c.requestModel = validUTF8(c.requestModel)
	c.agentID = validUTF8(c.agentID)
	c.conversationID = validUTF8(c.conversationID)
	c.toolCallID = validUTF8(c.toolCallID)
}

// validate makes every string of the Complete options valid UTF-8.
func (c *completeConfig) validate() {
	c.usage.Model = validUTF8(c.usage.Model)
	c.finishReasons = validUTF8Slice(c.finishReasons)
}

// validate makes every string of a recorded event valid UTF-8; e.Attributes must be e's own.
func (e *Event) validate() {
	e.Name = validUTF8(e.Name)
	e.Operation = validUTF8(e.Operation)
	e.Agent = validUTF8(e.Agent)
	e.Tool = validUTF8(e.Tool)
	e.Model = validUTF8(e.Model)
	e.Usage.Model = validUTF8(e.Usage.Model)
	e.Error = validUTF8(e.Error)
	e.TraceID = validUTF8(e.TraceID)
	e.SpanID = validUTF8(e.SpanID)
	validAttrs(e.Attributes)
}

// errorText is err's message as recorded on spans and in the event log (see cleanErrorText).
func (t *Tracer) errorText(err error) string {
	return t.cleanErrorText(err.Error())
}

// cleanErrorText makes error text safe to record, whether content capture is on or not: URL
// credentials and query values are replaced by REDACTED, the redactor (if any) sees the text
// as a Message with role "error", and the result is made valid UTF-8.
func (t *Tracer) cleanErrorText(text string) string {
	text = scrubURLs(text)
	if t.redact != nil {
		text = t.redact(Message{Role: "error", Content: text}).Content
	}
	return validUTF8(text)
}

const redacted = "REDACTED"

// scrubURLs replaces, in every URL of s ("scheme://..."), the user information and each query
// value by REDACTED: error messages quote request URLs, and those carry API keys and
// passwords. s itself is returned when it holds no URL.
func scrubURLs(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for {
		k := strings.Index(s, "://")
		if k < 0 {
			break
		}
		start := k + len("://")
		end := start + strings.IndexFunc(s[start:], func(r rune) bool {
			return r <= ' ' || strings.ContainsRune("\"'<>`", r)
		})
		if end < start {
			end = len(s)
		}
		b.WriteString(s[:start])
		writeScrubbedURL(&b, s[start:end])
		s = s[end:]
	}
	b.WriteString(s)
	return b.String()
}

// writeScrubbedURL writes rest, a URL after its "scheme://", with its user information and
// query values replaced.
func writeScrubbedURL(b *strings.Builder, rest string) {
	host := strings.IndexAny(rest, "/?#")
	if host < 0 {
		host = len(rest)
	}
	if at := strings.LastIndexByte(rest[:host], '@'); at >= 0 {
		b.WriteString(redacted)
		rest = rest[at:]
	}
	q := strings.IndexByte(rest, '?')
	if q < 0 || strings.IndexByte(rest[:q], '#') >= 0 {
		b.WriteString(rest)
		return
	}
	b.WriteString(rest[:q+1])
	query, fragment := rest[q+1:], ""
	if h := strings.IndexByte(query, '#'); h >= 0 {
		query, fragment = query[:h], query[h:]
	}
	for i, param := range strings.Split(query, "&") {
		if i > 0 {
			b.WriteByte('&')
		}
		switch eq := strings.IndexByte(param, '='); {
		case eq >= 0:
			b.WriteString(param[:eq+1])
			b.WriteString(redacted)
		case param != "":
			b.WriteString(redacted)
		}
	}
	b.WriteString(fragment)
}
