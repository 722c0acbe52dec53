package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTraceInputPolicy runs report, validate trace and replay on what an exporter directory
// holds after a crash: a trace file with a torn line in the middle (the file exporter's
// recovery ends it with a newline and appends after it) and the metrics file beside it, named
// by the README's glob. All three skip the torn line with a warning naming it, skip the
// metrics file with a note, and succeed.
func TestTraceInputPolicy(t *testing.T) {
	dir := t.TempDir()
	line, err := os.ReadFile(quickstartTrace)
	require.NoError(t, err)
	line = bytes.TrimSuffix(line, []byte("\n"))
	trace := filepath.Join(dir, "agent_trace.jsonl")
	require.NoError(t, os.WriteFile(trace, bytes.Join([][]byte{line, line[:500], line, nil}, []byte("\n")), 0o600))
	metrics := filepath.Join(dir, "agent_metrics.jsonl")
	require.NoError(t, os.WriteFile(metrics, []byte(`{"resourceMetrics":[{"resource":{},"scopeMetrics":[{"scope":{"name":"s"},"metrics":[{"name":"m","sum":{"dataPoints":[{"asInt":"1"}]}}]}]}]}`+"\n"), 0o600))
	glob := filepath.Join(dir, "*.jsonl*")

	tests := []struct {
		name   string
		args   []string
		stdout string
	}{
		{name: "report", args: []string{"report", glob}, stdout: "       total           18       2"},
		{name: "validate", args: []string{"validate", "trace", glob}, stdout: "32 spans (32 GenAI): 0 errors, 0 warnings, 1 line skipped"},
		{name: "replay", args: []string{"replay", "--dry-run", "-q", glob}, stdout: "dry run: 32 spans in 1 files would be sent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, "", tt.args...)
			assert.Equal(t, 0, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
			assert.Contains(t, r.stdout, tt.stdout)
			assert.Contains(t, r.stderr, "warning: "+trace+":2: invalid OTLP/JSON trace record")
			assert.Contains(t, r.stderr, "warning: "+metrics+" holds OTLP/JSON metrics, not traces; skipped")
		})
	}
}
