package exporters

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Placeholders of a Python logging pattern that patternHandler renders.
var patternFields = map[string]bool{ // name -> numeric
	"asctime": false, "created": true, "levelname": false, "levelno": true,
	"message": false, "msecs": true, "name": false, "process": true,
}

var placeholderRE = regexp.MustCompile(`%\(([A-Za-z_]+)\)([-#0 +]*[0-9]*(?:\.[0-9]+)?)([sdfr])`)

// patternPart is literal text or one placeholder with its Go format verb.
type patternPart struct {
	literal string
	field   string
	verb    string // e.g. "%-8s", "%03d"
}

func parsePattern(s string) ([]patternPart, error) {
	var parts []patternPart
	literal := func(text string) {
		if text = strings.ReplaceAll(text, "%%", "%"); text != "" {
			parts = append(parts, patternPart{literal: text})
		}
	}
	last := 0
	for _, m := range placeholderRE.FindAllStringSubmatchIndex(s, -1) {
		literal(s[last:m[0]])
		field, spec, conv := s[m[2]:m[3]], s[m[4]:m[5]], s[m[6]:m[7]]
		numeric, known := patternFields[field]
		if !known {
			return nil, fmt.Errorf("unknown placeholder %%(%s)%s; known: asctime, created, levelname, levelno, message, msecs, name, process", field, conv)
		}
		switch {
		case conv == "r":
			conv = "q"
		case conv != "s" && !numeric:
			return nil, fmt.Errorf("placeholder %%(%s)%s: %s is text, use %%(%s)s", field, conv, field, field)
		}
		parts = append(parts, patternPart{field: field, verb: "%" + spec + conv})
		last = m[1]
	}
	rest := s[last:]
	if i := strings.Index(strings.ReplaceAll(rest, "%%", ""), "%("); i >= 0 {
		return nil, fmt.Errorf("malformed placeholder in %q; write %%(name)s", rest)
	}
	literal(rest)
	return parts, nil
}

// patternHandler is a slog.Handler that writes one line per record in a Python logging
// pattern such as "%(asctime)s - %(name)s - %(levelname)s - %(message)s", followed by the
// record's attributes as key=value pairs. Placeholders: asctime (local time,
// "2006-01-02 15:04:05,000"), created (Unix seconds), msecs, levelname (DEBUG, INFO, WARNING,
// ERROR, CRITICAL), levelno (10..50), message, name, process; with optional width, flags and
// precision ("%(levelname)-8s"), and %% for a percent sign. Control characters in the
// message, the name and attribute keys and values are escaped (\n, \x1b), so a record is
// always one line and cannot pass for another. It is safe for concurrent use: one lock guards
// each write.
type patternHandler struct {
	mu      *sync.Mutex
	w       io.Writer
	parts   []patternPart
	name    string
	level   slog.Leveler
	prefix  string // open groups, "g1.g2."
	preattr []byte // attributes from WithAttrs, already rendered
}

var _ slog.Handler = (*patternHandler)(nil)

// newPatternHandler returns a patternHandler writing to w. name fills %(name)s. Of opts only
// Level is used (INFO when opts or Level is nil). A pattern with an unknown or malformed
// placeholder is an error.
func newPatternHandler(w io.Writer, pattern, name string, opts *slog.HandlerOptions) (*patternHandler, error) {
	if w == nil {
		return nil, errors.New("exporters: pattern handler: nil writer")
	}
	parts, err := parsePattern(pattern)
	if err != nil {
		return nil, fmt.Errorf("exporters: pattern handler: %w", err)
	}
	var level slog.Leveler = slog.LevelInfo
	if opts != nil && opts.Level != nil {
		level = opts.Level
	}
	return &patternHandler{mu: new(sync.Mutex), w: w, parts: parts, name: name, level: level}, nil
}

// Enabled reports whether level is at or above the handler's level.
func (h *patternHandler) Enabled(_ context.Context, level slog.Level) bool {
	return level >= h.level.Level()
}

// patternBufs recycles line buffers of patternHandler; lines above 64 KiB are not kept.
var patternBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// Handle writes r as one line.
func (h *patternHandler) Handle(_ context.Context, r slog.Record) error {
	bp := patternBufs.Get().(*[]byte)
	buf := (*bp)[:0]
	for _, p := range h.parts {
		switch {
		case p.field == "":
			buf = append(buf, p.literal...)
		case p.verb == "%s":
			buf = h.appendField(buf, p.field, r)
		default:
			buf = fmt.Appendf(buf, p.verb, h.fieldValue(p, r))
		}
	}
	buf = append(buf, h.preattr...)
	r.Attrs(func(a slog.Attr) bool {
		buf = appendAttr(buf, h.prefix, a)
		return true
	})
	buf = append(buf, '\n')
	h.mu.Lock()
	_, err := h.w.Write(buf)
	h.mu.Unlock()
	if cap(buf) <= 64<<10 {
		*bp = buf
		patternBufs.Put(bp)
	}
	return err
}

// appendField appends a placeholder written as plain %(field)s, the common case, without
// going through fmt.
func (h *patternHandler) appendField(buf []byte, field string, r slog.Record) []byte {
	t := r.Time
	if t.IsZero() {
		t = time.Now()
	}
	switch field {
	case "asctime":
		return t.AppendFormat(buf, "2006-01-02 15:04:05,000")
	case "levelname":
		return append(buf, pythonLevelName(r.Level)...)
	case "levelno":
		return strconv.AppendInt(buf, int64(pythonLevelNumber(r.Level)), 10)
	case "message":
		return appendEscaped(buf, r.Message)
	case "name":
		return appendEscaped(buf, h.name)
	case "process":
		return strconv.AppendInt(buf, int64(os.Getpid()), 10)
	case "msecs":
		return strconv.AppendInt(buf, int64(t.Nanosecond()/int(time.Millisecond)), 10)
	default: // created
		return strconv.AppendFloat(buf, float64(t.UnixNano())/1e9, 'f', -1, 64)
	}
}

func (h *patternHandler) fieldValue(p patternPart, r slog.Record) any {
	t := r.Time
	if t.IsZero() {
		t = time.Now()
	}
	var v any
	switch p.field {
	case "asctime":
		v = t.Format("2006-01-02 15:04:05,000")
	case "created":
		v = float64(t.UnixNano()) / 1e9
	case "msecs":
		v = float64(t.Nanosecond() / int(time.Millisecond))
	case "levelname":
		v = pythonLevelName(r.Level)
	case "levelno":
		v = pythonLevelNumber(r.Level)
	case "message":
		v = r.Message
	case "name":
		v = h.name
	case "process":
		v = os.Getpid()
	}
	// Python converts between int and float for d and f; Go's fmt does not.
	switch verb := p.verb[len(p.verb)-1]; {
	case verb == 'd':
		if f, ok := v.(float64); ok {
			v = int64(f)
		}
	case verb == 'f':
		if i, ok := v.(int); ok {
			v = float64(i)
		}
	case verb == 's':
		if text, ok := v.(string); ok {
			v = escapeControl(text)
		} else {
			v = fmt.Sprint(v)
		}
	case verb == 'q': // quoting escapes control characters already
		if _, ok := v.(string); !ok {
			v = fmt.Sprint(v)
		}
	}
	return v
}

func pythonLevelName(l slog.Level) string {
	switch {
	case l >= levelCritical:
		return "CRITICAL"
	case l >= slog.LevelError:
		return "ERROR"
	case l >= slog.LevelWarn:
		return "WARNING"
	case l >= slog.LevelInfo:
		return "INFO"
	default:
		return "DEBUG"
	}
}

func pythonLevelNumber(l slog.Level) int {
	// slog levels step by 4 from DEBUG -4; Python's by 10 from DEBUG 10.
	return 20 + int(l)*10/4
}

// WithAttrs returns a handler that writes attrs after the pattern of every record.
func (h *patternHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	h2 := *h
	h2.preattr = append([]byte(nil), h.preattr...)
	for _, a := range attrs {
		h2.preattr = appendAttr(h2.preattr, h.prefix, a)
	}
	return &h2
}

// WithGroup returns a handler that qualifies later attribute keys with name.
func (h *patternHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	h2 := *h
	h2.prefix = h.prefix + name + "."
	return &h2
}

// appendAttr appends " key=value", flattening groups into dotted keys, quoting values that
// need it as slog's text handler does.
func appendAttr(buf []byte, prefix string, a slog.Attr) []byte {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return buf
	}
	if a.Value.Kind() == slog.KindGroup {
		p := prefix
		if a.Key != "" {
			p += a.Key + "."
		}
		for _, g := range a.Value.Group() {
			buf = appendAttr(buf, p, g)
		}
		return buf
	}
	buf = append(buf, ' ')
	if key := prefix + a.Key; needsQuoting(key) {
		buf = strconv.AppendQuote(buf, key)
	} else {
		buf = append(buf, key...)
	}
	buf = append(buf, '=')
	s := a.Value.String()
	if needsQuoting(s) {
		return strconv.AppendQuote(buf, s)
	}
	return append(buf, s...)
}

func needsQuoting(s string) bool {
	if s == "" {
		return true
	}
	for _, r := range s {
		if r <= ' ' || r == '=' || r == '"' || r == 0x7f || r > 0x7e {
			return true
		}
	}
	return false
}
