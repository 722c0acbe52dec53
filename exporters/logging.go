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
	"unicode/utf8"

	"go.opentelemetry.io/otel/trace"
)

// Log attribute names of the span that was current when a record was logged.
const (
	LogKeyTraceID = "trace_id"
	LogKeySpanID  = "span_id"
)

// LevelCritical is the slog level of CRITICAL, the level above ERROR in Python logging.
const LevelCritical = slog.LevelError + 4

// parseLogLevel accepts DEBUG, INFO, WARN, WARNING, ERROR and CRITICAL in any case.
func parseLogLevel(s string) (slog.Level, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "DEBUG":
		return slog.LevelDebug, nil
	case "INFO":
		return slog.LevelInfo, nil
	case "WARN", "WARNING":
		return slog.LevelWarn, nil
	case "ERROR":
		return slog.LevelError, nil
	case "CRITICAL":
		return LevelCritical, nil
	}
	return 0, fmt.Errorf("%q is not one of DEBUG, INFO, WARN, WARNING, ERROR, CRITICAL", s)
}

// logFormat is a parsed logging.format: json, text, or a pattern.
type logFormat struct {
	kind    string // LogFormatJSON, LogFormatText or "pattern"
	pattern []patternPart
}

func parseLogFormat(s string) (logFormat, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case LogFormatJSON:
		return logFormat{kind: LogFormatJSON}, nil
	case LogFormatText:
		return logFormat{kind: LogFormatText}, nil
	}
	if !strings.Contains(s, "%(") {
		return logFormat{}, fmt.Errorf("%q is not json, text, or a %%-style pattern such as %q", s, "%(asctime)s - %(levelname)s - %(message)s")
	}
	parts, err := parsePattern(s)
	if err != nil {
		return logFormat{}, err
	}
	return logFormat{kind: "pattern", pattern: parts}, nil
}

// Placeholders of a Python logging pattern that PatternHandler renders.
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

// PatternHandler is a slog.Handler that writes one line per record in a Python logging
// pattern such as "%(asctime)s - %(name)s - %(levelname)s - %(message)s", followed by the
// record's attributes as key=value pairs. Placeholders: asctime (local time,
// "2006-01-02 15:04:05,000"), created (Unix seconds), msecs, levelname (DEBUG, INFO, WARNING,
// ERROR, CRITICAL), levelno (10..50), message, name, process; with optional width, flags and
// precision ("%(levelname)-8s"), and %% for a percent sign. Control characters in the
// message, the name and attribute keys and values are escaped (\n, \x1b), so a record is
// always one line and cannot pass for another. It is safe for concurrent use: one lock guards
// each write.
type PatternHandler struct {
	mu      *sync.Mutex
	w       io.Writer
	parts   []patternPart
	name    string
	level   slog.Leveler
	prefix  string // open groups, "g1.g2."
	preattr []byte // attributes from WithAttrs, already rendered
}

var _ slog.Handler = (*PatternHandler)(nil)

// NewPatternHandler returns a PatternHandler writing to w. name fills %(name)s. Of opts only
// Level is used (INFO when opts or Level is nil). A pattern with an unknown or malformed
// placeholder is an error.
func NewPatternHandler(w io.Writer, pattern, name string, opts *slog.HandlerOptions) (*PatternHandler, error) {
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
	return &PatternHandler{mu: new(sync.Mutex), w: w, parts: parts, name: name, level: level}, nil
}

// Enabled reports whether level is at or above the handler's level.
func (h *PatternHandler) Enabled(_ context.Context, level slog.Level) bool {
	return level >= h.level.Level()
}

// patternBufs recycles line buffers of PatternHandler; lines above 64 KiB are not kept.
var patternBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// Handle writes r as one line.
func (h *PatternHandler) Handle(_ context.Context, r slog.Record) error {
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
func (h *PatternHandler) appendField(buf []byte, field string, r slog.Record) []byte {
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

func (h *PatternHandler) fieldValue(p patternPart, r slog.Record) any {
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
	case l >= LevelCritical:
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
func (h *PatternHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
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
func (h *PatternHandler) WithGroup(name string) slog.Handler {
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

// escapeControl returns s with its control characters escaped, as appendEscaped does.
func escapeControl(s string) string {
	if !needsEscape(s) {
		return s
	}
	return string(appendEscaped(nil, s))
}

// needsEscape reports whether s holds a byte that appendEscaped rewrites.
func needsEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c >= 0x7f {
			return needsEscapeSlow(s[i:])
		}
	}
	return false
}

func needsEscapeSlow(s string) bool {
	for i, r := range s {
		if r == utf8.RuneError || isControl(r) {
			_, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size == 1 {
				return true
			}
		}
	}
	return false
}

// isControl reports whether r could end a line, move the cursor or start a terminal escape:
// C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
func isControl(r rune) bool {
	return r < ' ' || r >= 0x7f && r <= 0x9f || r == '\u2028' || r == '\u2029'
}

// appendEscaped appends s with control characters (isControl) and bytes that are not UTF-8
// written as Go escapes (\n, \x1b, \u2028), so that text from a message or a name can neither
// start a log line of its own nor drive the terminal that shows it. Other text, backslashes
// included, is appended as it is.
func appendEscaped(buf []byte, s string) []byte {
	if !needsEscape(s) {
		return append(buf, s...)
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			buf = append(buf, `\x`...)
			buf = append(buf, hexDigits[s[i]>>4], hexDigits[s[i]&0xf])
		case isControl(r):
			// strconv quotes the rune as '\n' or '\x1b'; drop the single quotes.
			q := strconv.QuoteRune(r)
			buf = append(buf, q[1:len(q)-1]...)
		default:
			buf = append(buf, s[i:i+size]...)
		}
		i += size
	}
	return buf
}

const hexDigits = "0123456789abcdef"

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

// TraceContextHandler wraps a slog.Handler and adds LogKeyTraceID and LogKeySpanID (hex)
// to every record logged with a context that carries a valid span, so that log lines can be
// joined to traces. Inside WithGroup the two attributes belong to the group, as any attribute
// added at that point does. It is safe for concurrent use when the wrapped handler is.
type TraceContextHandler struct {
	next slog.Handler
}

var _ slog.Handler = TraceContextHandler{}

// NewTraceContextHandler returns next wrapped; a nil next is replaced by slog.DiscardHandler.
func NewTraceContextHandler(next slog.Handler) TraceContextHandler {
	if next == nil {
		next = slog.DiscardHandler
	}
	return TraceContextHandler{next: next}
}

// Enabled reports whether the wrapped handler handles level.
func (h TraceContextHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

// Handle adds the span's IDs, when ctx has a valid span, and passes r on.
func (h TraceContextHandler) Handle(ctx context.Context, r slog.Record) error {
	if ctx != nil {
		if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
			r = r.Clone()
			r.AddAttrs(slog.String(LogKeyTraceID, sc.TraceID().String()), slog.String(LogKeySpanID, sc.SpanID().String()))
		}
	}
	return h.next.Handle(ctx, r)
}

// WithAttrs wraps the wrapped handler's WithAttrs.
func (h TraceContextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return TraceContextHandler{next: h.next.WithAttrs(attrs)}
}

// WithGroup wraps the wrapped handler's WithGroup.
func (h TraceContextHandler) WithGroup(name string) slog.Handler {
	return TraceContextHandler{next: h.next.WithGroup(name)}
}

// logOutput is the logger that Setup builds and the file it must close.
type logOutput struct {
	logger *slog.Logger
	file   *closableWriter // nil without a log file
}

// newLogOutput builds the logger of cfg (defaults applied): console and/or rotated file, each
// with its own handler of the configured format, all behind a TraceContextHandler. The log
// file is opened once here so that a bad path fails Setup. consoleW is standard error outside
// tests.
func newLogOutput(cfg LoggingConfig, name string, consoleW io.Writer) (*logOutput, error) {
	level, err := parseLogLevel(cfg.Level)
	if err != nil {
		return nil, fmt.Errorf("logging.level: %w", err)
	}
	format, err := parseLogFormat(cfg.Format)
	if err != nil {
		return nil, fmt.Errorf("logging.format: %w", err)
	}
	out := &logOutput{}
	var handlers []slog.Handler
	if cfg.Console == nil || *cfg.Console {
		handlers = append(handlers, newFormatHandler(consoleW, format, name, level))
	}
	if cfg.File != "" {
		maxBackups := cfg.MaxBackups
		if maxBackups == 0 {
			maxBackups = DefaultFileMaxBackups
		}
		maxSize := cfg.MaxSizeMB
		if maxSize == 0 {
			maxSize = DefaultFileMaxSizeMB
		}
		rf, err := openRotatingFile(cfg.File, rotation{
			maxBytes: int64(maxSize) * bytesPerMB,
			backups:  maxBackups,
			maxAge:   time.Duration(cfg.MaxAgeDays) * 24 * time.Hour,
			compress: cfg.Compress,
		})
		if err != nil {
			return nil, fmt.Errorf("logging.file: %w", err)
		}
		out.file = &closableWriter{w: rf}
		handlers = append(handlers, newFormatHandler(out.file, format, name, level))
	}
	var h slog.Handler
	switch len(handlers) {
	case 0:
		h = slog.DiscardHandler
	case 1:
		h = handlers[0]
	default:
		h = slog.NewMultiHandler(handlers...)
	}
	out.logger = slog.New(NewTraceContextHandler(h))
	return out, nil
}

func newFormatHandler(w io.Writer, f logFormat, name string, level slog.Level) slog.Handler {
	opts := &slog.HandlerOptions{Level: level}
	switch f.kind {
	case LogFormatJSON:
		return slog.NewJSONHandler(w, opts)
	case LogFormatText:
		return slog.NewTextHandler(w, opts)
	default:
		return &PatternHandler{mu: new(sync.Mutex), w: w, parts: f.pattern, name: name, level: level}
	}
}

// closableWriter serialises the writes of the log handlers, which may be several (console
// and file formats, WithAttrs copies), to the rotating log file.
type closableWriter struct {
	mu sync.Mutex
	w  *rotatingFile
}

func (c *closableWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.w.Write(p)
}

// Close closes the file, waiting for rotated files being compressed; later writes fail with
// os.ErrClosed. Calling it again does nothing.
func (c *closableWriter) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.w.close(context.Background())
}
