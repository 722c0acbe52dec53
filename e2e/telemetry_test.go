package e2e

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/agenttrace/otelagent/exporters"
)

// telemetryConfig selects the pipeline of one test run.
type telemetryConfig struct {
	service     string
	protocol    string // exporters.ProtocolGRPC or exporters.ProtocolHTTPProtobuf
	endpoint    string // host:port of the OTLP receiver; "" for no OTLP export
	tracesFile  string // OTLP/JSON span file; "" for no file export
	metricsFile string // OTLP/JSON metric file, with tracesFile
	// env, when set, replaces all of the above: Setup gets a zero Config and
	// these OTEL_* variables, as the example agent of docker-compose.yaml does.
	env map[string]string
}

// startTelemetry builds the pipeline with exporters.Setup, as an application
// does. OTEL_* variables of the environment that would override the settings
// under test (service name, endpoint, protocol) are cleared for the test.
func startTelemetry(t *testing.T, c telemetryConfig) *exporters.Telemetry {
	t.Helper()
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if name == "OTEL_SERVICE_NAME" || name == "OTEL_RESOURCE_ATTRIBUTES" || name == "OTEL_SDK_DISABLED" ||
			strings.HasPrefix(name, "OTEL_EXPORTER_OTLP_") || strings.HasPrefix(name, "OTEL_TRACES_SAMPLER") {
			t.Setenv(name, "")
		}
	}

	var cfg exporters.Config
	cfg.Logging.Level = "WARN"
	if c.env != nil {
		// Should the variables not be honoured, the default file exporters
		// write into a directory of the test's, not the package's.
		t.Chdir(t.TempDir())
		for k, v := range c.env {
			t.Setenv(k, v)
		}
		return setup(t, cfg)
	}
	cfg.ServiceName = c.service
	if c.endpoint != "" {
		insecure := true
		cfg.Exporters.OTLP.Endpoint = c.endpoint
		cfg.Exporters.OTLP.Protocol = c.protocol
		cfg.Exporters.OTLP.Insecure = &insecure
	}
	fileOn := c.tracesFile != ""
	cfg.Exporters.File.Enabled = &fileOn
	if fileOn {
		cfg.Exporters.File.Path = c.tracesFile
		cfg.Exporters.File.MetricsPath = c.metricsFile
	}

	return setup(t, cfg)
}

func setup(t *testing.T, cfg exporters.Config) *exporters.Telemetry {
	t.Helper()
	tel, err := exporters.Setup(t.Context(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() {
		// Idempotent: most tests shut down explicitly, to flush before reading back.
		_ = tel.Shutdown(context.WithoutCancel(t.Context()))
	})
	return tel
}
