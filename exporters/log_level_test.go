package exporters

import (
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseLogLevel(t *testing.T) {
	tests := []struct {
		in   string
		want slog.Level
	}{
		{"DEBUG", slog.LevelDebug}, {"debug", slog.LevelDebug}, {"Info", slog.LevelInfo},
		{"WARN", slog.LevelWarn}, {"warning", slog.LevelWarn}, {" ERROR ", slog.LevelError},
		{"critical", levelCritical},
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
