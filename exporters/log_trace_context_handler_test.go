package exporters

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace"
)

var (
	testTraceID = trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36}
	testSpanID  = trace.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7}
)

func spanContext(t *testing.T) context.Context {
	t.Helper()
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: testTraceID, SpanID: testSpanID, TraceFlags: trace.FlagsSampled})
	return trace.ContextWithSpanContext(t.Context(), sc)
}

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
				assert.Equal(t, testTraceID.String(), rec[logKeyTraceID])
				assert.Equal(t, testSpanID.String(), rec[logKeySpanID])
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
			assert.NotContains(t, lines[1], logKeyTraceID)
			assert.NotContains(t, lines[1], logKeySpanID)
		})
	}
}

func TestTraceContextHandlerNil(t *testing.T) {
	h := newTraceContextHandler(nil)
	assert.False(t, h.Enabled(t.Context(), slog.LevelError))
	assert.NoError(t, h.Handle(spanContext(t), slog.NewRecord(time.Now(), slog.LevelError, "x", 0)))
}
