package e2e

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agenttrace/otelagent/internal/replay"
)

// TestReplayCommandIntoJaeger records the scenario to an OTLP/JSON file only, with no collector
// running for it, then ships the file with `otelagent replay` (its internal/replay engine) to
// the real Jaeger, over gRPC and over HTTP. Jaeger must then hold the whole scenario: every
// span, parent, attribute and status, under the recorded service.
func TestReplayCommandIntoJaeger(t *testing.T) {
	s := requireStack(t)
	for _, tc := range []struct {
		protocol, endpoint string
	}{
		{replay.ProtocolGRPC, s.replay.otlpGRPC},
		{replay.ProtocolHTTPProtobuf, "http://" + s.replay.otlpHTTP + "/v1/traces"},
	} {
		t.Run(tc.protocol, func(t *testing.T) {
			service := serviceName("e2e-replay-cmd")
			tracesFile := filepath.Join(t.TempDir(), "agent_trace.jsonl")
			tel := startTelemetry(t, telemetryConfig{service: service, tracesFile: tracesFile,
				metricsFile: filepath.Join(t.TempDir(), "agent_metrics.jsonl")})
			require.NoError(t, runScenario(t.Context(), newScenarioTracer(tel)))
			require.NoError(t, tel.Shutdown(t.Context()))

			res, err := replay.Replay(t.Context(), replay.Config{
				Endpoint: tc.endpoint, Protocol: tc.protocol, Insecure: true,
				InitialBackoff: 50 * time.Millisecond,
			}, []string{tracesFile}, nil)
			require.NoError(t, err)
			require.True(t, res.Delivered(), "errors: %v", res.Errors)
			n := len(expectedSpans())
			assert.Equal(t, int64(n), res.Spans)
			assert.Equal(t, int64(n), res.Sent)
			assert.Zero(t, res.Retries)

			checkScenarioTrace(t, waitForTraces(t, s.replay, service, n), service)
		})
	}
}
