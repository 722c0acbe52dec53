package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agenttrace/otelagent/internal/tracefile"
)

// TestExampleWritesTheTrace runs the example in a scratch directory and reads its trace file
// back: one agent, two model calls and the tool call between them, in one trace.
func TestExampleWritesTheTrace(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
	var out strings.Builder
	require.NoError(t, run(t.Context(), &out))
	assert.Contains(t, out.String(), "answer: 42")
	assert.Contains(t, out.String(), "invocations: 1, tokens spent: 3080 (provider-cached input: 2048)")

	var names []string
	traces := map[string]bool{}
	_, err := tracefile.ForEachSpan(tracePath, func(_ ptrace.ResourceSpans, _ ptrace.ScopeSpans, s ptrace.Span) error {
		names = append(names, s.Name())
		traces[s.TraceID().String()] = true
		return nil
	})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"invoke_agent calculator-agent", "chat gpt-4o-mini", "chat gpt-4o-mini",
		"execute_tool calculator"}, names)
	assert.Len(t, traces, 1)
}
