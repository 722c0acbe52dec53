package exporters

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace"
)

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
	require.NoError(t, out.file.Close(t.Context()))
	require.NoError(t, out.file.Close(t.Context()), "Close is idempotent")
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
	require.NoError(t, out.file.Close(t.Context()))
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
// handlers, each behind traceContextHandler with a span in the context.
func BenchmarkLogHandlers(b *testing.B) {
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: testTraceID, SpanID: testSpanID, TraceFlags: trace.FlagsSampled})
	ctx := trace.ContextWithSpanContext(context.Background(), sc)
	for _, format := range []string{seedPattern, LogFormatText, LogFormatJSON} {
		f, err := parseLogFormat(format)
		require.NoError(b, err)
		name := f.kind
		b.Run(name, func(b *testing.B) {
			logger := slog.New(newTraceContextHandler(newFormatHandler(io.Discard, f, "desk", slog.LevelInfo)))
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
