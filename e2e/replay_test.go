package e2e

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/agenttrace/otelagent/exporters"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReplayFileMatchesLiveRun runs the scenario once with both the OTLP
// exporters (live, to one Jaeger) and the file exporters, then posts each line
// of the OTLP/JSON files, as it is, to a second Jaeger's OTLP/HTTP receiver.
// Both Jaegers must then hold the same spans (ids, names, parents, times,
// attributes, service and resource), and the second must expose the same
// metric totals as Prometheus holds from the live run.
func TestReplayFileMatchesLiveRun(t *testing.T) {
	s := requireStack(t)
	ctx := t.Context()
	service := serviceName("e2e-replay")
	dir := t.TempDir()
	tracesFile, metricsFile := filepath.Join(dir, "agent_trace.jsonl"), filepath.Join(dir, "agent_metrics.jsonl")

	tel := startTelemetry(t, telemetryConfig{service: service, protocol: exporters.ProtocolGRPC,
		endpoint: s.jaeger.otlpGRPC, tracesFile: tracesFile, metricsFile: metricsFile})
	tracer := newScenarioTracer(tel)
	require.NoError(t, runScenario(ctx, tracer))
	require.NoError(t, tel.Shutdown(ctx))

	replayFile(t, s.replay, "traces", tracesFile)
	replayFile(t, s.replay, "metrics", metricsFile)

	n := len(expectedSpans())
	live := waitForTraces(t, s.jaeger, service, n)
	replayed := waitForTraces(t, s.replay, service, n)
	checkScenarioTrace(t, replayed, service)
	assertSameSpans(t, live, replayed)

	want := expectedMetrics()
	require.NoError(t, eventually(ctx, func(ctx context.Context) error {
		return checkMetrics(ctx, promSource{s}, service, want, 1)
	}), "live metrics")
	require.NoError(t, eventually(ctx, func(ctx context.Context) error {
		return checkMetrics(ctx, scrapeSource{s.replay}, service, want, 1)
	}), "replayed metrics")
}

// replayFile posts every line of an OTLP/JSON file to j's /v1/{signal}.
func replayFile(t *testing.T, j *jaegerInstance, signal, path string) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	lines := 0
	r := bufio.NewReader(f)
	for {
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			assert.Empty(t, bytes.TrimSpace(line), "%s ends in the middle of a line", path)
			break
		}
		require.NoError(t, err)
		require.NoError(t, j.postOTLPJSON(t.Context(), signal, line), "%s line %d", path, lines+1)
		lines++
	}
	require.Positive(t, lines, "%s has no line", path)
}
