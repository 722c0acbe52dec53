package e2e

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/agenttrace/otelagent/exporters"
	"github.com/agenttrace/otelagent/otelagent"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReplayFileMatchesLiveRun runs the scenario once with both the OTLP
// exporter (live, to one Jaeger) and the file exporter, then posts each line
// of the OTLP/JSON file, as it is, to a second Jaeger's OTLP/HTTP receiver.
// Both Jaegers must then hold the same spans: ids, names, parents, times,
// attributes, service and resource.
func TestReplayFileMatchesLiveRun(t *testing.T) {
	s := requireStack(t)
	ctx := t.Context()
	service := serviceName("e2e-replay")
	file := filepath.Join(t.TempDir(), "agent_trace.jsonl")

	tel := startTelemetry(t, telemetryConfig{service: service, protocol: exporters.ProtocolGRPC, endpoint: s.jaeger.otlpGRPC, tracesFile: file})
	tracer := otelagent.New(otelagent.WithTracerProvider(tel.TracerProvider()), otelagent.WithMeterProvider(tel.MeterProvider()),
		otelagent.WithProviderName(providerName), otelagent.WithPricing(pricing))
	require.NoError(t, runScenario(ctx, tracer))
	require.NoError(t, tel.Shutdown(ctx))

	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	lines := 0
	r := bufio.NewReader(f)
	for {
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			assert.Empty(t, bytes.TrimSpace(line), "the file ends in the middle of a line")
			break
		}
		require.NoError(t, err)
		require.NoError(t, s.replay.postOTLPJSON(ctx, "traces", line), "line %d", lines+1)
		lines++
	}
	require.Positive(t, lines, "the file exporter wrote no line")

	n := len(expectedSpans())
	live := waitForTraces(t, s.jaeger, service, n)
	replayed := waitForTraces(t, s.replay, service, n)
	checkScenarioTrace(t, replayed, service)
	assertSameSpans(t, live, replayed)
}
