package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// quickstartTrace is a trace file written by examples/quickstart.
const quickstartTrace = "../../internal/report/testdata/quickstart.jsonl"

type result struct {
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(t.Context(), args, strings.NewReader(stdin), &out, &errOut)
	return result{code, out.String(), errOut.String()}
}

func TestReportCommand(t *testing.T) {
	dir := t.TempDir()
	notOTLP := filepath.Join(dir, "notes.txt")
	require.NoError(t, os.WriteFile(notOTLP, []byte("hello\n"), 0o600))
	trace, err := os.ReadFile(quickstartTrace)
	require.NoError(t, err)

	tests := []struct {
		name   string
		stdin  string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{name: "table", args: []string{"report", quickstartTrace}, stdout: "       total            9       1     119"},
		{name: "stdin by model csv", stdin: string(trace), args: []string{"report", "--by", "model", "--format", "csv", "-"}, stdout: "total,total,9,1,119,114,"},
		{name: "interval markdown", args: []string{"report", "--interval", "1h", "--format", "markdown", quickstartTrace}, stdout: "## Per 1h0m0s"},
		{name: "since in the future", args: []string{"report", "--since", "2100-01-01T00:00:00Z", quickstartTrace}, stdout: "  total            0", stderr: "skipped 9 operations outside the time range"},
		{name: "torn input warns", stdin: string(trace[:len(trace)-40]), args: []string{"report", "-"}, stdout: "total            0", stderr: "warning: -:1: last line is cut short"},
		{name: "not OTLP", args: []string{"report", notOTLP}, code: 1, stderr: notOTLP + ":1: not OTLP/JSON"},
		{name: "missing file", args: []string{"report", filepath.Join(dir, "none.jsonl")}, code: 1, stderr: "none.jsonl: no such file"},
		{name: "bad format", args: []string{"report", "--format", "pdf", quickstartTrace}, code: 2, stderr: `--format "pdf"`},
		{name: "bad by", args: []string{"report", "--by", "tool", quickstartTrace}, code: 2, stderr: `by "tool"`},
		{name: "bad since", args: []string{"report", "--since", "yesterday", quickstartTrace}, code: 2, stderr: "--since \"yesterday\" is neither"},
		{name: "bad until", args: []string{"report", "--until", "-3h", quickstartTrace}, code: 2, stderr: "--until"},
		{name: "bad interval", args: []string{"report", "--interval", "soon", quickstartTrace}, code: 2, stderr: "invalid argument"},
		{name: "no files", args: []string{"report"}, code: 2, stderr: "requires at least 1 arg"},
		{name: "missing pricing", args: []string{"report", "--pricing", filepath.Join(dir, "p.json"), quickstartTrace}, code: 1, stderr: "pricing"},
		{name: "unknown command", args: []string{"summarise"}, code: 1, stderr: `unknown command "summarise"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, tt.stdin, tt.args...)
			assert.Equal(t, tt.code, r.code, "stderr: %s", r.stderr)
			assert.Contains(t, r.stdout, tt.stdout)
			assert.Contains(t, r.stderr, tt.stderr)
		})
	}
}

func TestReportWritesFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report.html")
	r := runCLI(t, "", "report", "--format", "html", "-o", out, quickstartTrace)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Empty(t, r.stdout)
	page, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(page, []byte("<!DOCTYPE html>")))

	r = runCLI(t, "", "report", "-o", filepath.Join(t.TempDir(), "no", "dir", "r.txt"), quickstartTrace)
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "no such file or directory")
}

func TestReplayCommand(t *testing.T) {
	var requests int
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		requests++
		w.WriteHeader(http.StatusOK)
	}))
	defer ok.Close()
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer down.Close()

	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		code   int
		stdout string
		stderr string
	}{
		{name: "dry run", args: []string{"replay", "--dry-run", quickstartTrace}, stdout: "dry run: 16 spans in 1 files would be sent", stderr: "replay: read 16 spans"},
		{name: "http", args: []string{"replay", "--protocol", "http/protobuf", "--endpoint", ok.URL, quickstartTrace}, stdout: "sent 16 spans, failed 0 (1 requests, 0 retries)"},
		{name: "environment", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": ok.URL, "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"},
			args: []string{"replay", "-q", quickstartTrace}, stdout: "sent 16 spans, failed 0"},
		{name: "receiver down", args: []string{"replay", "--protocol", "http/protobuf", "--endpoint", down.URL, "--attempts", "2", "--backoff", "1ms", quickstartTrace},
			code: 1, stdout: "sent 0 spans, failed 16 (1 requests, 1 retries)", stderr: "16 spans not delivered after 2 attempts"},
		{name: "bad header", args: []string{"replay", "--header", "novalue", quickstartTrace}, code: 2, stderr: `--header 1: want key=value`},
		{name: "bad env", env: map[string]string{"OTEL_EXPORTER_OTLP_TIMEOUT": "soon"}, args: []string{"replay", "--dry-run", quickstartTrace}, code: 2, stderr: "OTEL_EXPORTER_OTLP_TIMEOUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			r := runCLI(t, "", tt.args...)
			assert.Equal(t, tt.code, r.code, "stderr: %s", r.stderr)
			assert.Contains(t, r.stdout, tt.stdout)
			assert.Contains(t, r.stderr, tt.stderr)
		})
	}
	assert.Equal(t, 2, requests)
}

// TestReportOutputIsPrivate checks that report -o creates its file 0600, as the trace files it
// summarises are, even over an existing file that was readable by others.
func TestReportOutputIsPrivate(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "old.csv")
	require.NoError(t, os.WriteFile(existing, []byte("old"), 0o644))
	require.NoError(t, os.Chmod(existing, 0o644))
	for _, out := range []string{filepath.Join(dir, "new.html"), existing} {
		t.Run(filepath.Base(out), func(t *testing.T) {
			r := runCLI(t, "", "report", "-o", out, quickstartTrace)
			require.Equal(t, 0, r.code, r.stderr)
			fi, err := os.Stat(out)
			require.NoError(t, err)
			assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
		})
	}
}

// TestReportCommandEscapesWarnings checks that a file name holding terminal escapes does not
// reach standard error raw.
func TestReportCommandEscapesWarnings(t *testing.T) {
	trace, err := os.ReadFile(quickstartTrace)
	require.NoError(t, err)
	name := filepath.Join(t.TempDir(), "evil\x1b]0;title\x07.jsonl")
	require.NoError(t, os.WriteFile(name, trace[:len(trace)-40], 0o600))
	r := runCLI(t, "", "report", name)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "last line is cut short")
	assert.NotContains(t, r.stderr+r.stdout, "\x1b")
	assert.NotContains(t, r.stderr+r.stdout, "\x07")
}

// TestReplayCommandHidesSecrets checks that neither header values nor the endpoint's
// password and query values reach the output, whatever goes wrong.
func TestReplayCommandHidesSecrets(t *testing.T) {
	const secret = "s3cr3tT0ken"
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer down.Close()
	withPassword := strings.Replace(down.URL, "http://", "http://user:"+secret+"@", 1) + "/v1/traces?api_key=" + secret
	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		code   int
		stderr string
	}{
		{name: "flag without equals", args: []string{"replay", "--header", "x-ok=1", "--header", "Authorization: Bearer " + secret, quickstartTrace}, code: 2, stderr: "--header 2: want key=value"},
		{name: "malformed environment", env: map[string]string{"OTEL_EXPORTER_OTLP_HEADERS": "authorization=Bearer%zz" + secret},
			args: []string{"replay", "--dry-run", quickstartTrace}, code: 2, stderr: `OTEL_EXPORTER_OTLP_HEADERS: header "authorization" (entry 1)`},
		{name: "endpoint password", args: []string{"replay", "--protocol", "http/protobuf", "--endpoint", withPassword, "--attempts", "1", quickstartTrace},
			code: 1, stderr: "user:xxxxx@"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			r := runCLI(t, "", tt.args...)
			assert.Equal(t, tt.code, r.code, "stderr: %s", r.stderr)
			assert.Contains(t, r.stderr, tt.stderr)
			assert.NotContains(t, r.stderr+r.stdout, secret)
		})
	}
}

// TestValidateTraceNeedsNothingBeside checks that validate trace works from a directory with no
// conventions models in it or its parents: the models are built in.
func TestValidateTraceNeedsNothingBeside(t *testing.T) {
	trace, err := filepath.Abs(quickstartTrace)
	require.NoError(t, err)
	t.Chdir(t.TempDir())
	r := runCLI(t, "", "validate", "trace", trace)
	assert.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "16 spans (16 GenAI): 0 errors, 0 warnings")
}

func TestValidateCommand(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	require.NoError(t, os.WriteFile(good, []byte("service_name: agents\nexporters:\n  otlp: {endpoint: \"localhost:4317\", protocol: grpc}\n"), 0o600))
	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("exporters:\n  otlp: {protocol: udp}\nsampling: {ratio: 2}\n"), 0o600))
	unknown := filepath.Join(dir, "unknown.yaml")
	require.NoError(t, os.WriteFile(unknown, []byte("logging: {levle: INFO}\n"), 0o600))
	hostile := filepath.Join(dir, "hostile.yaml") // a key that would clear the screen (YAML's \e is ESC)
	require.NoError(t, os.WriteFile(hostile, []byte("exporters:\n  \"lev\\e[2Jle\": 1\n"), 0o600))
	badTrace := filepath.Join(dir, "bad.jsonl")
	require.NoError(t, os.WriteFile(badTrace, []byte(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","name":"execute_tool x","kind":1,"attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"execute_tool"}},{"key":"gen_ai.usage.prompt_tokens","value":{"intValue":"3"}}]}]}]}]}`+"\n"), 0o600))

	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr string
	}{
		{name: "good config", args: []string{"validate", "config", good}, stdout: []string{good + ": ok"}},
		{name: "bad config", args: []string{"validate", "config", bad}, code: 1,
			stdout: []string{bad + ": exporters.otlp.protocol: \"udp\"", bad + ": sampling.ratio: 2 is outside 0..1"}, stderr: "2 problems"},
		{name: "unknown key", args: []string{"validate", "config", unknown}, code: 1, stdout: []string{"levle"}, stderr: "1 problem"},
		{name: "config with control characters", args: []string{"validate", "config", hostile}, code: 1,
			stdout: []string{`exporters.lev\x1b[2Jle (line 2): unknown key`}, stderr: "1 problem"},
		{name: "config missing", args: []string{"validate", "config", filepath.Join(dir, "none.yaml")}, code: 1, stdout: []string{"no such file"}},
		{name: "config needs a file", args: []string{"validate", "config"}, code: 2, stderr: "accepts 1 arg"},
		{name: "good trace", args: []string{"validate", "trace", quickstartTrace}, stdout: []string{"16 spans (16 GenAI): 0 errors, 0 warnings"}},
		{name: "bad trace", args: []string{"validate", "trace", badTrace}, code: 1, stdout: []string{
			badTrace + ":1: error   execute_tool x (0102030405060708)  gen_ai.tool.name: required attribute is missing (span.gen_ai.execute_tool.internal)",
			badTrace + ":1: warning execute_tool x (0102030405060708)  gen_ai.usage.prompt_tokens: deprecated (renamed to gen_ai.usage.input_tokens)",
			"1 spans (1 GenAI): 1 errors, 1 warnings"}},
		{name: "semconv dir missing", args: []string{"validate", "trace", "--semconv", dir, quickstartTrace}, code: 1, stderr: "registry.yaml: no such file"},
		{name: "trace not OTLP", args: []string{"validate", "trace", good}, code: 1, stderr: good + ":1: not OTLP/JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, "", tt.args...)
			assert.Equal(t, tt.code, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
			assert.NotContains(t, r.stdout+r.stderr, "\x1b", "no raw escape character reaches the terminal")
			for _, s := range tt.stdout {
				assert.Contains(t, r.stdout, s)
			}
			assert.Contains(t, r.stderr, tt.stderr)
		})
	}
}
