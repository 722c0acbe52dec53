package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agenttrace/otelagent/exporters"
	"github.com/agenttrace/otelagent/internal/tracefile"
	"github.com/agenttrace/otelagent/semconv"
)

// TestQuickstartWritesTheTrace runs the example twice in a scratch directory and reads its trace
// file back with the module's reader: each run stands alone, so the file holds one run.
func TestQuickstartWritesTheTrace(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
	require.NoError(t, run(t.Context(), 0))
	require.NoError(t, run(t.Context(), 0))

	ops := map[string]int{}
	traces := map[string]bool{}
	var failed []string
	warnings, err := tracefile.ForEachSpan(exporters.DefaultTracesPath, func(_ ptrace.ResourceSpans, _ ptrace.ScopeSpans, s ptrace.Span) error {
		op, _ := s.Attributes().Get(string(semconv.GenAIOperationNameKey))
		ops[op.Str()]++
		traces[s.TraceID().String()] = true
		if s.Status().Code() == ptrace.StatusCodeError {
			failed = append(failed, s.Name())
		}
		return nil
	})
	require.NoError(t, err)
	assert.Empty(t, warnings)
	// 9 questions: 4 answered from the response cache, 5 reaching the model, one of which
	// times out; one order question calls the tool.
	assert.Equal(t, map[string]int{"invoke_workflow": 1, "invoke_agent": 9, "chat": 5, "execute_tool": 1}, ops)
	assert.Len(t, traces, 1, "one workflow, one trace")
	assert.ElementsMatch(t, []string{"chat gpt-4o", "invoke_agent researcher"}, failed)
	assert.FileExists(t, exporters.DefaultMetricsPath)
}
