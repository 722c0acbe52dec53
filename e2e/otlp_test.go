package e2e

import (
	"context"
	"fmt"
	"testing"

	"github.com/agenttrace/otelagent/exporters"
	"github.com/stretchr/testify/require"
)

// TestScenarioOverOTLP sends the scenario through exporters.Setup over OTLP
// gRPC, OTLP HTTP, and OTLP configured by environment variables alone, and
// reads it back: the spans from Jaeger's query API, the metrics from Prometheus.
func TestScenarioOverOTLP(t *testing.T) {
	s := requireStack(t)
	for _, tc := range []struct {
		name string
		cfg  func(service string) telemetryConfig
	}{
		{name: "grpc", cfg: func(service string) telemetryConfig {
			return telemetryConfig{service: service, protocol: exporters.ProtocolGRPC, endpoint: s.jaeger.otlpGRPC}
		}},
		{name: "http", cfg: func(service string) telemetryConfig {
			return telemetryConfig{service: service, protocol: exporters.ProtocolHTTPProtobuf, endpoint: s.jaeger.otlpHTTP}
		}},
		// The example agent of docker-compose.yaml: a zero Config and the standard variables.
		{name: "environment", cfg: func(service string) telemetryConfig {
			return telemetryConfig{env: map[string]string{
				"OTEL_SERVICE_NAME":           service,
				"OTEL_EXPORTER_OTLP_ENDPOINT": "http://" + s.jaeger.otlpGRPC,
				"OTEL_EXPORTER_OTLP_PROTOCOL": exporters.ProtocolGRPC,
			}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			service := serviceName("e2e-otlp-" + tc.name)
			tel := startTelemetry(t, tc.cfg(service))
			tracer := newScenarioTracer(tel)
			require.NoError(t, runScenario(ctx, tracer))
			require.NoError(t, tel.Shutdown(ctx))

			traces := waitForTraces(t, s.jaeger, service, len(expectedSpans()))
			checkScenarioTrace(t, traces, service)

			want := expectedMetrics()
			require.NoError(t, eventually(ctx, func(ctx context.Context) error {
				return checkMetrics(ctx, promSource{s}, service, want, 1)
			}))
		})
	}
}

// waitForTraces returns the traces of service once j holds n spans of it.
func waitForTraces(t *testing.T, j *jaegerInstance, service string, n int) []jaegerTrace {
	t.Helper()
	var traces []jaegerTrace
	require.NoError(t, eventually(t.Context(), func(ctx context.Context) error {
		var err error
		traces, err = j.traces(ctx, service)
		if err != nil {
			return err
		}
		got := 0
		for _, tr := range traces {
			got += len(tr.Spans)
		}
		if got < n {
			return fmt.Errorf("%s: %d of %d spans in Jaeger", service, got, n)
		}
		return nil
	}))
	return traces
}
