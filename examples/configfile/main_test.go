package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/agenttrace/otelagent/internal/tracefile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// TestRunWritesTheWorkflow runs the example on its own config.yaml, moved into a temporary
// working directory, and reads the spans back.
func TestRunWritesTheWorkflow(t *testing.T) {
	for _, k := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "OTEL_SDK_DISABLED"} {
		t.Setenv(k, "")
		require.NoError(t, os.Unsetenv(k))
	}
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "examples", "configfile"), 0o700))
	for _, name := range []string{"config.yaml", "pricing.json"} {
		data, err := os.ReadFile(name)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "examples", "configfile", name), data, 0o600))
	}
	t.Chdir(dir)

	require.NoError(t, run(t.Context(), filepath.Join("examples", "configfile", "config.yaml")))

	var names []string
	warnings, err := tracefile.ForEachSpan("agent_trace.jsonl", func(_ ptrace.ResourceSpans, _ ptrace.ScopeSpans, s ptrace.Span) error {
		names = append(names, s.Name())
		return nil
	})
	require.NoError(t, err)
	assert.Empty(t, warnings)
	assert.ElementsMatch(t, []string{
		"invoke_workflow order-help", "invoke_agent support", "invoke_agent support",
		"chat gpt-4o-mini", "chat gpt-4o-mini", "execute_tool lookup_order",
	}, names)
	_, err = os.Stat("agent_metrics.jsonl")
	assert.NoError(t, err)
}
