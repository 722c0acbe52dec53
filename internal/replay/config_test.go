package replay

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/agenttrace/otelagent/exporters"
)

// pathRecorder is an OTLP/HTTP receiver that accepts anything and records request paths.
type pathRecorder struct {
	mu    sync.Mutex
	paths []string
}

func (p *pathRecorder) take() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.paths
	p.paths = nil
	return out
}

func startPathRecorder(t *testing.T) (*pathRecorder, string) {
	t.Helper()
	p := &pathRecorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.paths = append(p.paths, r.URL.Path)
		p.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return p, srv.URL
}

// The exporters and replay send traces to the same URL for the same endpoint setting: Setup
// exports a span to the receiver and to a file, and replay sends that file to the same
// endpoint.
func TestReplayAndExportersAgreeOnEndpoint(t *testing.T) {
	for _, name := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
		"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_INSECURE", "OTEL_SDK_DISABLED"} {
		t.Setenv(name, "")
	}
	rec, base := startPathRecorder(t)
	tests := []struct {
		name, endpoint, want string
	}{
		{"base URL", base, "/v1/traces"},
		{"base URL with a prefix", base + "/otlp", "/otlp/v1/traces"},
		{"a pasted traces URL", base + "/v1/traces", "/v1/traces"},
		{"host:port", strings.TrimPrefix(base, "http://"), "/v1/traces"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec.take()
			file := filepath.Join(t.TempDir(), "traces.jsonl")
			insecure := true
			tel, err := exporters.Setup(t.Context(), exporters.Config{
				Exporters: exporters.ExportersConfig{
					File: exporters.FileExporterConfig{Path: file, MetricsPath: filepath.Join(t.TempDir(), "metrics.jsonl")},
					OTLP: exporters.OTLPConfig{Endpoint: tt.endpoint, Protocol: exporters.ProtocolHTTPProtobuf, Insecure: &insecure},
				},
				Logging: exporters.LoggingConfig{Console: new(false)},
			})
			require.NoError(t, err)
			_, span := tel.TracerProvider().Tracer("test").Start(t.Context(), "op")
			span.End()
			require.NoError(t, tel.Shutdown(t.Context()))
			var exported []string
			for _, p := range rec.take() {
				if !strings.HasSuffix(p, "/metrics") {
					exported = append(exported, p)
				}
			}
			require.NotEmpty(t, exported)

			res, err := Replay(t.Context(), Config{Protocol: ProtocolHTTPProtobuf, Endpoint: tt.endpoint, Insecure: true}, []string{file}, nil)
			require.NoError(t, err)
			require.EqualValues(t, 1, res.Spans)
			replayed := rec.take()
			assert.Equal(t, []string{tt.want}, replayed, "replay")
			assert.Equal(t, []string{tt.want}, exported, "exporters")
		})
	}
}

// The endpoint means what exporters.otlp.endpoint and OTEL_EXPORTER_OTLP_ENDPOINT mean: a
// base to which /v1/traces is appended; only OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is a full URL.
func TestReplayHTTPEndpointIsABase(t *testing.T) {
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		out, _ := ptraceotlp.NewExportResponse().MarshalProto()
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(out)
	}))
	t.Cleanup(srv.Close)
	hostPort := strings.TrimPrefix(srv.URL, "http://")

	tests := []struct {
		name     string
		endpoint string
		env      map[string]string
		want     string
	}{
		{name: "base URL", endpoint: srv.URL, want: "/v1/traces"},
		{name: "base URL with a prefix", endpoint: srv.URL + "/otlp", want: "/otlp/v1/traces"},
		{name: "a pasted traces URL", endpoint: srv.URL + "/v1/traces", want: "/v1/traces"},
		{name: "host:port", endpoint: hostPort, want: "/v1/traces"},
		{name: "general variable is a base", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": srv.URL + "/otlp"}, want: "/otlp/v1/traces"},
		{name: "traces variable is used as given", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": srv.URL + "/otlp", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": srv.URL + "/ingest"}, want: "/ingest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			paths = nil
			mu.Unlock()
			cfg, err := Config{Protocol: ProtocolHTTPProtobuf, Endpoint: tt.endpoint, Insecure: true}.
				FromEnv(func(k string) string { return tt.env[k] })
			require.NoError(t, err)
			path := filepath.Join(t.TempDir(), "trace.jsonl")
			writeTraces(t, path, 1, 1)
			res, err := Replay(t.Context(), cfg, []string{path}, nil)
			require.NoError(t, err)
			require.True(t, res.Delivered(), "%+v", res)
			mu.Lock()
			defer mu.Unlock()
			assert.Equal(t, []string{tt.want}, paths)
		})
	}
}
