package exporters

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace"
)

const seedPattern = "%(asctime)s - %(name)s - %(levelname)s - %(message)s"

var (
	testTraceID = trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36}
	testSpanID  = trace.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7}
)

func spanContext(t *testing.T) context.Context {
	t.Helper()
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: testTraceID, SpanID: testSpanID, TraceFlags: trace.FlagsSampled})
	return trace.ContextWithSpanContext(t.Context(), sc)
}

func TestParseLogLevel(t *testing.T) {
	tests := []struct {
		in   string
		want slog.Level
	}{
		{"DEBUG", slog.LevelDebug}, {"debug", slog.LevelDebug}, {"Info", slog.LevelInfo},
		{"WARN", slog.LevelWarn}, {"warning", slog.LevelWarn}, {" ERROR ", slog.LevelError},
		{"critical", LevelCritical},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseLogLevel(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	_, err := parseLogLevel("TRACE")
	assert.EqualError(t, err, `"TRACE" is not one of DEBUG, INFO, WARN, WARNING, ERROR, CRITICAL`)
}

// TestLogFormatsCarryTraceContext logs through the logger Setup would build, once inside a span
// and once outside, in every format.
func TestLogFormatsCarryTraceContext(t *testing.T) {
	tests := []struct {
		name   string
		format string
		check  func(t *testing.T, line string)
	}{
		{
			name:   "json",
			format: "JSON",
			check: func(t *testing.T, line string) {
				var rec map[string]any
				require.NoError(t, json.Unmarshal([]byte(line), &rec))
				assert.Equal(t, "in span", rec["msg"])
				assert.Equal(t, testTraceID.String(), rec[LogKeyTraceID])
				assert.Equal(t, testSpanID.String(), rec[LogKeySpanID])
				assert.Equal(t, "v", rec["k"])
			},
		},
		{
			name:   "text",
			format: "text",
			check: func(t *testing.T, line string) {
				assert.Contains(t, line, `msg="in span" k=v trace_id=`+testTraceID.String()+" span_id="+testSpanID.String())
			},
		},
		{
			name:   "pattern",
			format: seedPattern,
			check: func(t *testing.T, line string) {
				assert.Regexp(t, `^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - desk - INFO - in span k=v trace_id=`+
					testTraceID.String()+" span_id="+testSpanID.String()+"$", line)
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var console bytes.Buffer
			out, err := newLogOutput(LoggingConfig{Level: "info", Format: tc.format}, "desk", &console)
			require.NoError(t, err)
			out.logger.InfoContext(spanContext(t), "in span", "k", "v")
			out.logger.InfoContext(t.Context(), "outside")
			out.logger.DebugContext(t.Context(), "below the level")

			lines := strings.Split(strings.TrimSuffix(console.String(), "\n"), "\n")
			require.Len(t, lines, 2, console.String())
			tc.check(t, lines[0])
			assert.NotContains(t, lines[1], LogKeyTraceID)
			assert.NotContains(t, lines[1], LogKeySpanID)
		})
	}
}

func TestPatternHandlerRendering(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 6_000_000, time.Local)
	tests := []struct {
		name    string
		pattern string
		level   slog.Level
		attrs   []slog.Attr
		with    func(h slog.Handler) slog.Handler
		want    string
	}{
		{
			name: "seed pattern", pattern: seedPattern, level: slog.LevelWarn,
			want: "2026-01-02 03:04:05,006 - desk - WARNING - hello\n",
		},
		{
			name: "widths, numbers and percent", pattern: "[%(levelname)-8s] %(levelno)d %(msecs)03d %(process)5s 100%% %(message)r",
			level: LevelCritical,
			want:  fmt.Sprintf("[CRITICAL] 50 006 %5d 100%% \"hello\"\n", os.Getpid()),
		},
		{
			name: "numbers through %s", pattern: "%(levelno)s %(process)s %(msecs)s %(created)s", level: slog.LevelError,
			want: fmt.Sprintf("40 %d 6 %d.006\n", os.Getpid(), at.Unix()),
		},
		{
			name: "created as float and int", pattern: "%(created).3f %(created)d", level: slog.LevelDebug,
			want: strconv.FormatInt(at.Unix(), 10) + ".006 " + strconv.FormatInt(at.Unix(), 10) + "\n",
		},
		{
			name: "attributes are quoted when needed and groups dotted", pattern: "%(levelname)s %(message)s", level: slog.LevelInfo,
			attrs: []slog.Attr{slog.String("q", "two words"), slog.Int("n", 3), slog.Group("g", slog.Bool("b", true)), slog.String("empty", "")},
			with: func(h slog.Handler) slog.Handler {
				return h.WithAttrs([]slog.Attr{slog.String("agent", "router")}).WithGroup("req").WithAttrs([]slog.Attr{slog.String("id", "7")})
			},
			want: `INFO hello agent=router req.id=7 req.q="two words" req.n=3 req.g.b=true req.empty=""` + "\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			ph, err := NewPatternHandler(&buf, tc.pattern, "desk", &slog.HandlerOptions{Level: slog.LevelDebug})
			require.NoError(t, err)
			var h slog.Handler = ph
			if tc.with != nil {
				h = tc.with(h)
			}
			r := slog.NewRecord(at, tc.level, "hello", 0)
			r.AddAttrs(tc.attrs...)
			require.NoError(t, h.Handle(t.Context(), r))
			assert.Equal(t, tc.want, buf.String())
		})
	}
}

func TestPatternHandlerErrors(t *testing.T) {
	tests := []struct {
		pattern string
		want    string
	}{
		{"%(asctime)s %(funcName)s", "unknown placeholder %(funcName)s"},
		{"%(message)d", "placeholder %(message)d: message is text, use %(message)s"},
		{"%(message)s %(levelname", `malformed placeholder in " %(levelname"; write %(name)s`},
	}
	for _, tc := range tests {
		t.Run(tc.pattern, func(t *testing.T) {
			_, err := NewPatternHandler(&bytes.Buffer{}, tc.pattern, "x", nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	_, err := NewPatternHandler(nil, seedPattern, "x", nil)
	assert.EqualError(t, err, "exporters: pattern handler: nil writer")
}

func TestPatternHandlerLevel(t *testing.T) {
	h, err := NewPatternHandler(&bytes.Buffer{}, seedPattern, "x", nil)
	require.NoError(t, err)
	assert.False(t, h.Enabled(t.Context(), slog.LevelDebug), "INFO by default")
	assert.True(t, h.Enabled(t.Context(), slog.LevelInfo))
}

func TestTraceContextHandlerNil(t *testing.T) {
	h := NewTraceContextHandler(nil)
	assert.False(t, h.Enabled(t.Context(), slog.LevelError))
	assert.NoError(t, h.Handle(spanContext(t), slog.NewRecord(time.Now(), slog.LevelError, "x", 0)))
}

func TestLogFileRotationSettingsAndClose(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "logs", "agent.log")
	var console bytes.Buffer
	out, err := newLogOutput(LoggingConfig{Level: "DEBUG", Format: "json", File: path, Console: new(false), MaxSizeMB: 1, MaxBackups: 2}, "desk", &console)
	require.NoError(t, err)
	require.NotNil(t, out.file)

	info, err := os.Stat(path)
	require.NoError(t, err, "the log file is created by setup")
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	out.logger.DebugContext(spanContext(t), "to the file")
	require.NoError(t, out.file.Close())
	require.NoError(t, out.file.Close(), "Close is idempotent")
	out.logger.Info("after close")

	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, 1, bytes.Count(data, []byte("\n")), string(data))
	assert.Contains(t, string(data), `"trace_id":"`+testTraceID.String()+`"`)
	assert.Empty(t, console.String(), "console is off")
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no file reopened after close")
}

func TestLogOutputConsoleAndFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agent.log")
	var console bytes.Buffer
	out, err := newLogOutput(LoggingConfig{Level: "INFO", Format: seedPattern, File: path}, "desk", &console)
	require.NoError(t, err)
	out.logger.Info("both")
	require.NoError(t, out.file.Close())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(data), " - desk - INFO - both\n")
	assert.Equal(t, string(data), console.String())
}

func TestLogOutputNowhere(t *testing.T) {
	out, err := newLogOutput(LoggingConfig{Level: "INFO", Format: "text", Console: new(false)}, "desk", nil)
	require.NoError(t, err)
	assert.False(t, out.logger.Enabled(t.Context(), slog.LevelError), "no console and no file: discarded")
}

func TestLogFileUnwritable(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(blocker, nil, 0o600))
	_, err := newLogOutput(LoggingConfig{Level: "INFO", Format: "text", File: filepath.Join(blocker, "agent.log")}, "x", &bytes.Buffer{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "logging.file: cannot create the directory of")

	_, err = newLogOutput(LoggingConfig{Level: "INFO", Format: "text", File: dir}, "x", &bytes.Buffer{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "logging.file: cannot open")
}

// BenchmarkLogHandlers compares the seed's pattern format with slog's own text and JSON
// handlers, each behind TraceContextHandler with a span in the context.
func BenchmarkLogHandlers(b *testing.B) {
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: testTraceID, SpanID: testSpanID, TraceFlags: trace.FlagsSampled})
	ctx := trace.ContextWithSpanContext(context.Background(), sc)
	for _, format := range []string{seedPattern, LogFormatText, LogFormatJSON} {
		f, err := parseLogFormat(format)
		require.NoError(b, err)
		name := f.kind
		b.Run(name, func(b *testing.B) {
			logger := slog.New(NewTraceContextHandler(newFormatHandler(io.Discard, f, "desk", slog.LevelInfo)))
			b.ReportAllocs()
			for b.Loop() {
				logger.InfoContext(ctx, "answered", "agent", "router", "tokens", 1234)
			}
		})
		b.Run(name+"/raw-slog-no-trace-context", func(b *testing.B) {
			if f.kind == "pattern" {
				b.Skip("no slog twin")
			}
			logger := slog.New(newFormatHandler(io.Discard, f, "desk", slog.LevelInfo))
			b.ReportAllocs()
			for b.Loop() {
				logger.InfoContext(ctx, "answered", "agent", "router", "tokens", 1234)
			}
		})
	}
}

// TestLogLinesCannotBeForged logs text that tries to start a line of its own, move the cursor
// or clear a terminal, through the message, the logger name, attribute keys, values and
// groups: every format writes exactly one line with none of those characters.
func TestLogLinesCannotBeForged(t *testing.T) {
	const forged = "2026-01-01 00:00:00,000 - desk - CRITICAL - forged"
	hostile := []string{
		"ok\n" + forged, "ok\r" + forged, "ok\r\n" + forged, "\x1b[2J\x1b[1;1H" + forged,
		"ok\u2028" + forged, "ok\u2029" + forged, "ok\u0085" + forged, "ok\x9b2J", "ok\x00\x07\x08\x0b\x0c\x7f",
	}
	formats := []string{seedPattern, "%(name)s|%(message)-40s|%(message)r", LogFormatText, LogFormatJSON}
	for _, format := range formats {
		for i, text := range hostile {
			t.Run(fmt.Sprintf("%s/%d", format, i), func(t *testing.T) {
				f, err := parseLogFormat(format)
				require.NoError(t, err)
				var out bytes.Buffer
				logger := slog.New(newFormatHandler(&out, f, "desk"+text, slog.LevelInfo))
				logger.With(text, text).WithGroup(text).Info(text, text, text, "k", text)

				line := out.String()
				require.NotEmpty(t, line)
				assert.Equal(t, 1, strings.Count(line, "\n"), "one line: %q", line)
				assert.True(t, strings.HasSuffix(line, "\n"))
				bad := "\r\x1b\x00\x07\x08\x0b\x0c\u2028\u2029"
				if f.kind != LogFormatJSON { // in JSON, NEL and DEL are data inside a string
					bad += "\u0085\x7f"
				}
				assert.False(t, strings.ContainsAny(line, bad), "control characters escaped: %q", line)
				assert.NotContains(t, line, "\x9b")
			})
		}
	}
}

func TestAppendEscaped(t *testing.T) {
	tests := []struct{ in, want string }{
		{in: "plain text, é and \\ kept", want: "plain text, é and \\ kept"},
		{in: "a\nb\rc\td", want: `a\nb\rc\td`},
		{in: "\x1b[31mred", want: `\x1b[31mred`},
		{in: "nel\u0085 ls\u2028 ps\u2029 del\x7f", want: `nel\u0085 ls\u2028 ps\u2029 del\x7f`},
		{in: "bad \x9b byte, real \ufffd kept", want: "bad \\x9b byte, real \ufffd kept"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, string(appendEscaped(nil, tt.in)))
			assert.Equal(t, tt.want, escapeControl(tt.in))
		})
	}
	var buf bytes.Buffer
	h, err := NewPatternHandler(&buf, "%(message)s|%(message)r|%(message)-6s|", "x", nil)
	require.NoError(t, err)
	require.NoError(t, h.Handle(t.Context(), slog.NewRecord(time.Time{}, slog.LevelInfo, "a\nb", 0)))
	assert.Equal(t, `a\nb|"a\nb"|a\nb  |`+"\n", buf.String(), "quoted once, not twice")
}
