package firsthour

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.uber.org/goleak"

	"github.com/agenttrace/otelagent/internal/tracefile"
	"github.com/agenttrace/otelagent/otelagent"
	"github.com/agenttrace/otelagent/semconv"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// modulePath is the module a user requires.
const modulePath = "github.com/agenttrace/otelagent"

// harness holds what the tests build once: the user's module and program, and the command
// and quickstart built from the checkout.
type harness struct {
	root       string // the repository
	goBin      string
	userModule string // the user's module directory
	desk       string // the user's program, built from userModule
	readme     string // the README's Configuration snippet as a program, built from userModule
	cli        string // cmd/otelagent
	quickstart string // examples/quickstart
}

// newHarness builds the command and the quickstart from the checkout, then creates the user's
// module as the README says (go mod init, the README's go mod edit line with its path pointed
// at this checkout, the requirements go mod tidy adds) and builds it without network
// (GOPROXY=off): every module it needs must already be in the module cache.
func newHarness(t *testing.T) *harness {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	require.NoError(t, err)
	require.Contains(t, string(gomod), "module "+modulePath+"\n", "%s is not the repository root", root)
	goBin, err := exec.LookPath("go")
	require.NoError(t, err, "the go command is needed to build a user's module")

	bin := t.TempDir()
	h := &harness{
		root: root, goBin: goBin, userModule: t.TempDir(),
		desk: filepath.Join(bin, "desk"), readme: filepath.Join(bin, "readme"), cli: filepath.Join(bin, "otelagent"), quickstart: filepath.Join(bin, "quickstart"),
	}
	program, err := os.ReadFile(filepath.Join("testdata", "desk", "main.go"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(h.userModule, "main.go"), program, 0o600))

	// The checkout's own build fetches what it lacks the ordinary way (GOPROXY as set), as the
	// user's `go run ./examples/quickstart` would; after it the cache holds every module the
	// user's module needs, which is then built without network.
	h.goCmd(t, root, "-mod=readonly", "build", "-o", bin+string(filepath.Separator), "./cmd/otelagent", "./examples/quickstart")
	h.goCmd(t, h.userModule, "-mod=mod", "mod", "init", "example.com/desk")
	h.goCmd(t, h.userModule, "-mod=mod", readmeReplaceLine(t, root)...)
	// What go mod tidy would add: the repository's requirements. tidy itself reads the go.mod
	// of every version in the module graph (go-logr/stdr's requirement of logr v1.2.2, say),
	// which building the repository never fetches, so it needs the network.
	h.goCmd(t, h.userModule, "-mod=mod", append([]string{"mod", "edit"}, h.requirements(t)...)...)
	writeReadmeProgram(t, root, filepath.Join(h.userModule, "readme"))
	h.goCmd(t, h.userModule, "-mod=mod", "build", "-o", bin+string(filepath.Separator), ".", "./readme")
	return h
}

// readmeReplaceLine returns the arguments of the README's `go mod edit -require=... -replace=...`
// line, its replacement path pointed at root.
func readmeReplaceLine(t *testing.T, root string) []string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	for line := range strings.Lines(string(readme)) {
		args := strings.Fields(line)
		if len(args) < 3 || args[0] != "go" || args[1] != "mod" || args[2] != "edit" {
			continue
		}
		for i, a := range args {
			if old, ok := strings.CutPrefix(a, "-replace="+modulePath+"="); ok {
				require.NotEmpty(t, old, "README: %s", line)
				args[i] = "-replace=" + modulePath + "=" + root
			}
		}
		require.Contains(t, strings.Join(args, " "), "-replace="+modulePath+"="+root, "README's go mod edit line has no replace: %s", line)
		return args[1:]
	}
	require.FailNow(t, "README.md has no `go mod edit -replace=...` line for using the module from a checkout")
	return nil
}

// readmeProgram is a program around the README's configuration snippet: after it, one chat
// call on the snippet's tracer, and the Tracer's cache statistics printed as JSON.
const readmeProgram = `package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"

	"github.com/agenttrace/otelagent/exporters"
	"github.com/agenttrace/otelagent/otelagent"
)

var (
	_ = slog.Default
	_ = exporters.Setup
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "readme:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
%s
	_, chat := tracer.StartChat(ctx, "gpt-4o-mini")
	if err := chat.Complete(nil, otelagent.WithUsage(otelagent.TokenUsage{PromptTokens: 1000, CompletionTokens: 100})); err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(tracer.CacheStatistics())
}
`

// writeReadmeProgram writes readmeProgram around the README's Go block that loads a
// configuration file (exporters.LoadConfig, then Setup) to dir/main.go.
func writeReadmeProgram(t *testing.T, root, dir string) {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	var snippet string
	for _, block := range strings.Split(string(readme), "```go\n")[1:] {
		code, _, ok := strings.Cut(block, "```")
		require.True(t, ok, "README.md: a Go block is not closed")
		if strings.Contains(code, "exporters.LoadConfig(") {
			snippet = code
			break
		}
	}
	require.NotEmpty(t, snippet, "README.md has no Go block calling exporters.LoadConfig")
	require.NoError(t, os.MkdirAll(dir, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), fmt.Appendf(nil, readmeProgram, snippet), 0o600))
}

// requirements returns -require flags of go mod edit for the requirements of the repository.
func (h *harness) requirements(t *testing.T) []string {
	t.Helper()
	var mod struct {
		Require []struct{ Path, Version string }
	}
	require.NoError(t, json.Unmarshal([]byte(h.goCmd(t, h.root, "-mod=readonly", "mod", "edit", "-json")), &mod))
	require.NotEmpty(t, mod.Require)
	flags := make([]string, 0, len(mod.Require))
	for _, r := range mod.Require {
		flags = append(flags, "-require="+r.Path+"@"+r.Version)
	}
	return flags
}

// goCmd runs the go command in dir without workspace, with GOFLAGS=goflags; in the checkout
// with the GOPROXY and GOSUMDB of the environment, elsewhere without network.
func (h *harness) goCmd(t *testing.T, dir, goflags string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), h.goBin, args...)
	cmd.Dir = dir
	env := []string{"GOFLAGS=" + goflags + " -buildvcs=false", "GOWORK=off", "GOTOOLCHAIN=local"}
	if dir == h.root {
		env = append(env, "GOPROXY="+os.Getenv("GOPROXY"), "GOSUMDB="+os.Getenv("GOSUMDB"))
	} else {
		env = append(env, "GOPROXY=off", "GOSUMDB=off")
	}
	cmd.Env = userEnv(env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil && strings.Contains(stderr.String(), "GOPROXY=off") {
		require.FailNow(t, "a module is missing from the module cache",
			"go %s in %s needs a module the cache lacks; build the repository first (go build ./... or go mod download) "+
				"to fill the module cache: %s", strings.Join(args, " "), dir, &stderr)
	}
	require.NoError(t, err, "go %s in %s: %s", strings.Join(args, " "), dir, &stderr)
	return stdout.String()
}

// userEnv is the environment of the test without the variables a user's shell would not have
// set for this program (OTEL_*, and the go command's settings), plus extra.
func userEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "OTEL_"), k == "GOFLAGS", k == "GOPROXY", k == "GOSUMDB", k == "GOWORK", k == "GOTOOLCHAIN":
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

// result is what a command run by the user printed and its exit status.
type result struct {
	code           int
	stdout, stderr string
}

// run runs bin with args in dir, with userEnv(env...).
func run(t *testing.T, dir string, env []string, bin string, args ...string) result {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), bin, args...)
	cmd.Dir = dir
	cmd.Env = userEnv(env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return result{exit.ExitCode(), stdout.String(), stderr.String()}
	}
	require.NoError(t, err, "running %s %s", bin, strings.Join(args, " "))
	return result{0, stdout.String(), stderr.String()}
}

// deskOutput is what the desk program prints on standard output.
type deskOutput struct {
	Cache otelagent.CacheStatistics `json:"cache"`
	Stats otelagent.Stats           `json:"stats"`
}

func decodeDesk(t *testing.T, r result) deskOutput {
	t.Helper()
	var out deskOutput
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &out), "desk printed %q; stderr: %s", r.stdout, r.stderr)
	return out
}

// writeFiles writes name -> content files under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600))
	}
}

// span is what the tests read of one span in a trace file.
type span struct {
	name, op, provider, traceID string
	attrs                       map[string]any
}

// readSpans returns the spans of the trace file at path, failing on any damaged line.
func readSpans(t *testing.T, path string) []span {
	t.Helper()
	var spans []span
	warnings, err := tracefile.ForEachSpan(path, func(_ ptrace.ResourceSpans, _ ptrace.ScopeSpans, s ptrace.Span) error {
		attrs := s.Attributes().AsRaw()
		op, _ := attrs[string(semconv.GenAIOperationNameKey)].(string)
		provider, _ := attrs[string(semconv.GenAIProviderNameKey)].(string)
		spans = append(spans, span{name: s.Name(), op: op, provider: provider, traceID: s.TraceID().String(), attrs: attrs})
		return nil
	})
	require.NoError(t, err)
	require.Empty(t, warnings)
	return spans
}

// point is one data point of a metric in a metrics file.
type point struct {
	metric string
	attrs  map[string]any
}

// readPoints returns the data points of the named metrics in the metrics file at path.
func readPoints(t *testing.T, path string, names ...string) []point {
	t.Helper()
	r, err := tracefile.OpenMetricFile(path)
	require.NoError(t, err)
	defer r.Close()
	var points []point
	for {
		md, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		for _, rm := range md.ResourceMetrics().All() {
			for _, sm := range rm.ScopeMetrics().All() {
				for _, m := range sm.Metrics().All() {
					if !slices.Contains(names, m.Name()) {
						continue
					}
					for _, attrs := range pointAttributes(m) {
						points = append(points, point{metric: m.Name(), attrs: attrs.AsRaw()})
					}
				}
			}
		}
	}
	require.Empty(t, r.Warnings())
	return points
}

func pointAttributes(m pmetric.Metric) []pcommon.Map {
	var attrs []pcommon.Map
	switch m.Type() {
	case pmetric.MetricTypeHistogram:
		for _, p := range m.Histogram().DataPoints().All() {
			attrs = append(attrs, p.Attributes())
		}
	case pmetric.MetricTypeSum:
		for _, p := range m.Sum().DataPoints().All() {
			attrs = append(attrs, p.Attributes())
		}
	case pmetric.MetricTypeGauge:
		for _, p := range m.Gauge().DataPoints().All() {
			attrs = append(attrs, p.Attributes())
		}
	}
	return attrs
}

// countLines returns how many lines of s contain sub.
func countLines(s, sub string) int {
	n := 0
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		if strings.Contains(sc.Text(), sub) {
			n++
		}
	}
	return n
}

// deadCollector listens on 127.0.0.1, accepts connections and never answers: an OTLP collector
// that hangs. It returns its address; everything stops when the test ends.
func deadCollector(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	})
	t.Cleanup(func() {
		_ = ln.Close()
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return ln.Addr().String()
}
