package replay

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConfigFromEnvHeadersKeepPlus(t *testing.T) {
	tests := []struct {
		name, env string
		want      map[string]string
	}{
		{name: "basic credentials", env: "authorization=Basic dXNlcjpw+YXNz", want: map[string]string{"authorization": "Basic dXNlcjpw+YXNz"}},
		{name: "escaped", env: "authorization=Bearer%20a+b%2Bc", want: map[string]string{"authorization": "Bearer a+b+c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Config{}.FromEnv(func(k string) string {
				if k == "OTEL_EXPORTER_OTLP_HEADERS" {
					return tt.env
				}
				return ""
			})
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.Headers)
		})
	}
}

func TestConfigFromEnvMalformedHeadersHideValues(t *testing.T) {
	const secret = "s3cr3tT0ken"
	for _, env := range []string{
		"Authorization: Bearer " + secret,
		"authorization=Bearer%zz" + secret,
		"authorization=Bearer " + secret + "%",
	} {
		t.Run(env, func(t *testing.T) {
			_, err := Config{}.FromEnv(func(k string) string {
				if k == "OTEL_EXPORTER_OTLP_TRACES_HEADERS" {
					return env
				}
				return ""
			})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "OTEL_EXPORTER_OTLP_TRACES_HEADERS")
			assert.NotContains(t, err.Error(), secret)
			assert.NotContains(t, err.Error(), "Bearer")
		})
	}
}

// TestReplayErrorsRedactEndpoint sends to receivers that refuse, and checks that no error shows
// the endpoint's password or query values.
func TestReplayErrorsRedactEndpoint(t *testing.T) {
	const password, token = "hunter2pw", "qs3cret"
	refuse := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "no", http.StatusBadRequest)
	}))
	t.Cleanup(refuse.Close)
	host := strings.TrimPrefix(refuse.URL, "http://")
	path := filepath.Join(t.TempDir(), "trace.jsonl")
	writeTraces(t, path, 1, 2)

	tests := []struct {
		name     string
		cfg      Config
		fatal    bool
		redacted string // in the error
	}{
		{name: "http status", cfg: Config{Protocol: ProtocolHTTPProtobuf, Endpoint: "http://user:" + password + "@" + host + "/v1/traces?key=" + token}, redacted: "http://user:xxxxx@" + host + "/v1/traces?key=xxxxx"},
		{name: "http unreachable", cfg: Config{Protocol: ProtocolHTTPProtobuf, Endpoint: "http://user:" + password + "@127.0.0.1:1/v1/traces?key=" + token}, redacted: "user:xxxxx@127.0.0.1:1"},
		{name: "http bad scheme", cfg: Config{Protocol: ProtocolHTTPProtobuf, Endpoint: "ftp://user:" + password + "@" + host + "/?key=" + token}, fatal: true, redacted: "ftp://user:xxxxx@"},
		{name: "grpc userinfo", cfg: Config{Endpoint: "user:" + password + "@" + host}, fatal: true, redacted: "(not shown: not a URL)"},
		{name: "grpc bad scheme", cfg: Config{Endpoint: "ftp://user:" + password + "@" + host + "?key=" + token}, fatal: true, redacted: "ftp://user:xxxxx@"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Replay(t.Context(), fastRetries(withAttempts(tt.cfg, 1)), []string{path}, nil)
			var msg string
			if tt.fatal {
				require.Error(t, err)
				msg = err.Error()
			} else {
				require.NoError(t, err)
				require.NotEmpty(t, res.Errors)
				msg = strings.Join(res.Errors, "\n")
			}
			assert.Contains(t, msg, tt.redacted)
			assert.NotContains(t, msg, password)
			assert.NotContains(t, msg, token)
		})
	}
}

func withAttempts(c Config, n int) Config {
	c.MaxAttempts = n
	return c
}
