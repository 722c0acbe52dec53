package otlpenv

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEndpointSignalURL(t *testing.T) {
	tests := []struct {
		name     string
		endpoint string
		insecure bool
		traces   string
		metrics  string
	}{
		{"base URL", "http://collector:4318", false, "http://collector:4318/v1/traces", "http://collector:4318/v1/metrics"},
		{"base URL with slash", "https://collector:4318/", false, "https://collector:4318/v1/traces", "https://collector:4318/v1/metrics"},
		{"base URL with a prefix", "https://gw.example/otlp", false, "https://gw.example/otlp/v1/traces", "https://gw.example/otlp/v1/metrics"},
		{"a pasted traces URL", "http://collector:4318/v1/traces", false, "http://collector:4318/v1/traces", "http://collector:4318/v1/metrics"},
		{"a pasted metrics URL under a prefix", "https://gw/otlp/v1/metrics/", false, "https://gw/otlp/v1/traces", "https://gw/otlp/v1/metrics"},
		{"host:port, secure", "collector:4318", false, "https://collector:4318/v1/traces", "https://collector:4318/v1/metrics"},
		{"host:port, insecure", "collector:4318", true, "http://collector:4318/v1/traces", "http://collector:4318/v1/metrics"},
		{"a URL's scheme wins over insecure", "https://collector:4318", true, "https://collector:4318/v1/traces", "https://collector:4318/v1/metrics"},
		{"credentials kept", "https://u:p@collector", false, "https://u:p@collector/v1/traces", "https://u:p@collector/v1/metrics"},
		{"query kept", "https://collector/otlp?key=k", false, "https://collector/otlp/v1/traces?key=k", "https://collector/otlp/v1/metrics?key=k"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := ParseEndpoint(tt.endpoint)
			require.NoError(t, err)
			assert.Equal(t, tt.traces, e.SignalURL(TracesPath, tt.insecure))
			assert.Equal(t, tt.metrics, e.SignalURL(MetricsPath, tt.insecure))
		})
	}
}

func TestParseEndpoint(t *testing.T) {
	const secret = "s3cr3t"
	tests := []struct {
		in, scheme, host string
		wantErr          string
	}{
		{in: "collector:4317", host: "collector:4317"},
		{in: "[::1]:4317", host: "[::1]:4317"},
		{in: "http://collector:4318/x", scheme: "http", host: "collector:4318"},
		{in: "HTTPS://collector", scheme: "https", host: "collector"},
		{in: "localhost", wantErr: "is neither host:port nor an http(s) URL"},
		{in: "user:" + secret + "@collector:4317", wantErr: "is neither host:port nor an http(s) URL"},
		{in: "collector:4317/v1/traces", wantErr: "is neither host:port nor an http(s) URL"},
		{in: "ftp://collector:4317", wantErr: `has scheme "ftp"; use http, https or host:port`},
		{in: "http:///v1/traces", wantErr: "has no host"},
		{in: "http://%zz" + secret, wantErr: "is not a valid URL"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			e, err := ParseEndpoint(tt.in)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Equal(t, tt.wantErr, err.Error())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.scheme, e.Scheme)
			assert.Equal(t, tt.host, e.Host)
		})
	}
}

func TestEndpointFromEnv(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		wantName string
		traces   string // SignalURL(TracesPath, false)
		wantErr  string
	}{
		{name: "unset", env: map[string]string{}},
		{name: "general is a base", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": " https://gw/otlp "},
			wantName: "OTEL_EXPORTER_OTLP_ENDPOINT", traces: "https://gw/otlp/v1/traces"},
		{name: "signal's own is used as given", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "https://gw/otlp", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://gw/ingest"},
			wantName: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", traces: "https://gw/ingest"},
		{name: "signal's own host:port gets the path", env: map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "gw:4318"},
			wantName: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", traces: "https://gw:4318/v1/traces"},
		{name: "bad value named, not shown", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "user:s3cr3t@gw:4317"},
			wantErr: "OTEL_EXPORTER_OTLP_ENDPOINT: the value is neither host:port nor an http(s) URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, name, err := EndpointFromEnv(func(k string) string { return tt.env[k] }, "traces")
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Equal(t, tt.wantErr, err.Error())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantName, name)
			if name != "" {
				assert.Equal(t, tt.traces, e.SignalURL(TracesPath, false))
			}
		})
	}
}
