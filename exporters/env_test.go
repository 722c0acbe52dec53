package exporters

import (
	"bytes"
	"log/slog"
	"sync"
	"testing"

	"github.com/go-logr/logr"
	"go.opentelemetry.io/otel"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// secret stands for a bearer token: it must never appear in an error or on standard error.
const secret = "s3cr3t-t0k3n"

// TestSetupRejectsBadVariables: every OTEL_* variable Setup honours is checked, with an error
// naming it; none panics, runs out of memory or is silently replaced.
func TestSetupRejectsBadVariables(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{env: map[string]string{envBSPMaxQueueSize: "-1"}, want: "OTEL_BSP_MAX_QUEUE_SIZE: -1 is outside 1..1000000"},
		{env: map[string]string{envBSPMaxQueueSize: "0"}, want: "OTEL_BSP_MAX_QUEUE_SIZE: 0 is outside 1..1000000"},
		{env: map[string]string{envBSPMaxQueueSize: "99999999999"}, want: "OTEL_BSP_MAX_QUEUE_SIZE: 99999999999 is outside 1..1000000"},
		{env: map[string]string{envBSPMaxQueueSize: "lots"}, want: `OTEL_BSP_MAX_QUEUE_SIZE: "lots" is not a whole number`},
		{env: map[string]string{envBSPMaxExportBatch: "-1"}, want: "OTEL_BSP_MAX_EXPORT_BATCH_SIZE: -1 is outside 1..1000000"},
		{env: map[string]string{envBSPMaxExportBatch: "0"}, want: "OTEL_BSP_MAX_EXPORT_BATCH_SIZE: 0 is outside"},
		{env: map[string]string{envBSPMaxExportBatch: "4096"}, want: "OTEL_BSP_MAX_EXPORT_BATCH_SIZE: 4096 is larger than the default queue size 2048"},
		{env: map[string]string{envBSPMaxQueueSize: "100", envBSPMaxExportBatch: "200"}, want: "OTEL_BSP_MAX_EXPORT_BATCH_SIZE: 200 is larger than OTEL_BSP_MAX_QUEUE_SIZE 100"},
		{env: map[string]string{envBSPScheduleDelay: "-5"}, want: "OTEL_BSP_SCHEDULE_DELAY: -5 is outside 1..3600000 milliseconds"},
		{env: map[string]string{envBSPExportTimeout: "5s"}, want: `OTEL_BSP_EXPORT_TIMEOUT: "5s" is not a whole number of milliseconds`},
		{env: map[string]string{envMetricInterval: "0"}, want: "OTEL_METRIC_EXPORT_INTERVAL: 0 is outside"},
		{env: map[string]string{envMetricTimeout: "x"}, want: "OTEL_METRIC_EXPORT_TIMEOUT"},
		{env: map[string]string{envTracesSampler: "sometimes"}, want: `OTEL_TRACES_SAMPLER: "sometimes" is not one of`},
		{env: map[string]string{envTracesSampler: "traceidratio", envTracesSamplerArg: "1.5"}, want: `OTEL_TRACES_SAMPLER_ARG: "1.5" is not a ratio in 0..1`},
		{env: map[string]string{envSDKDisabled: "yes"}, want: `OTEL_SDK_DISABLED: "yes" is not true or false`},
		{env: map[string]string{envOTLPEndpoint: "ftp://collector"}, want: "OTEL_EXPORTER_OTLP_ENDPOINT"},
		{env: map[string]string{envOTLPTracesEndpoint: "http://user:" + secret + "@collector:4318/v1/traces?key=" + secret + "x"}, want: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_TIMEOUT": "-1"}, want: "OTEL_EXPORTER_OTLP_TIMEOUT: -1 is outside"},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_METRICS_TIMEOUT": "10s"}, want: "OTEL_EXPORTER_OTLP_METRICS_TIMEOUT"},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_COMPRESSION": "br"}, want: `OTEL_EXPORTER_OTLP_COMPRESSION: "br" is not one of gzip, none`},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_INSECURE": "maybe"}, want: `OTEL_EXPORTER_OTLP_INSECURE: "maybe" is not true or false`},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_CERTIFICATE": "/nonexistent/ca.pem"}, want: "OTEL_EXPORTER_OTLP_CERTIFICATE: cannot read"},
		{env: map[string]string{envOTLPEndpoint: "http://127.0.0.1:1", "OTEL_EXPORTER_OTLP_HEADERS": "Authorization: Bearer " + secret}, want: "OTEL_EXPORTER_OTLP_HEADERS: header entry 1 is not key=value"},
		{env: map[string]string{envOTLPEndpoint: "http://127.0.0.1:1", "OTEL_EXPORTER_OTLP_HEADERS": "authorization=Bearer%zz" + secret}, want: `OTEL_EXPORTER_OTLP_HEADERS: header "authorization" (entry 1): the value has a malformed %-escape`},
		{env: map[string]string{envOTLPEndpoint: "http://127.0.0.1:1", "OTEL_EXPORTER_OTLP_TRACES_HEADERS": "a=b,,authorization " + secret}, want: "OTEL_EXPORTER_OTLP_TRACES_HEADERS: header entry 3 is not key=value"},
		{env: map[string]string{envOTLPEndpoint: "http://127.0.0.1:1", "OTEL_EXPORTER_OTLP_METRICS_HEADERS": "bad name=" + secret}, want: "OTEL_EXPORTER_OTLP_METRICS_HEADERS: header entry 1: the key is not a valid header name"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			clearOTLPEnv(t)
			t.Chdir(t.TempDir())
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			sdkLog := captureSDKLog(t)
			tel, err := Setup(t.Context(), quietConfig())
			require.Error(t, err)
			assert.Nil(t, tel)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), secret)
			assert.NotContains(t, sdkLog.String(), secret, "the SDK never saw the value")
		})
	}
}

// TestSetupReportsEveryProblemAtOnce: config and variables are checked in one pass.
func TestSetupReportsEveryProblemAtOnce(t *testing.T) {
	clearOTLPEnv(t)
	t.Setenv(envBSPMaxQueueSize, "-1")
	t.Setenv("OTEL_EXPORTER_OTLP_COMPRESSION", "br")
	cfg := quietConfig()
	cfg.Sampling.Ratio = new(2.0)
	_, err := Setup(t.Context(), cfg)
	require.Error(t, err)
	for _, want := range []string{"sampling.ratio", envBSPMaxQueueSize, "OTEL_EXPORTER_OTLP_COMPRESSION"} {
		assert.Contains(t, err.Error(), want)
	}
}

// TestSetupHeadersFromEnvironment: values are percent-decoded and '+' stays a plus.
func TestSetupHeadersFromEnvironment(t *testing.T) {
	clearOTLPEnv(t)
	recv, addr := startGRPCReceiver(t)
	t.Chdir(t.TempDir())
	t.Setenv(envOTLPEndpoint, "http://"+addr)
	t.Setenv("OTEL_EXPORTER_OTLP_HEADERS", "authorization=Basic a+b%3D%3D, x-team = agents%20one ")
	require.NoError(t, emit(t, quietConfig(), "headers"))
	got := recv.snapshot()
	assert.Equal(t, "Basic a+b==", got.headers["authorization"])
	assert.Equal(t, "agents one", got.headers["x-team"])
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{in: "http://collector:4318/v1/traces", want: "http://collector:4318/v1/traces"},
		{in: "https://user:pw@collector/x?key=abc&b=1", want: "https://REDACTED@collector/x?b=REDACTED&key=REDACTED"},
		{in: "http://%zz:pw@collector", want: "http://REDACTED"},
		{in: "user:pw@collector:4317", want: "REDACTED@collector:4317"},
		{in: "collector:4317", want: "collector:4317"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			assert.Equal(t, tc.want, redactURL(tc.in))
		})
	}
	assert.Equal(t, "post http://REDACTED@c/v1?k=REDACTED: refused", scrubURLs("post http://u:p@c/v1?k=v: refused"))
}

// captureSDKLog sends the OpenTelemetry SDK's internal log (which goes to standard error by
// default) to a buffer for the test.
func captureSDKLog(t *testing.T) *syncBuffer {
	t.Helper()
	var buf syncBuffer
	otel.SetLogger(logr.FromSlogHandler(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.Level(-8)})))
	t.Cleanup(func() { otel.SetLogger(logr.Discard()) })
	return &buf
}

// syncBuffer is a bytes.Buffer safe for concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
