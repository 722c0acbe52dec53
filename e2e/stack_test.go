package e2e

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// readyTimeout bounds how long a backend may take to start answering.
const readyTimeout = 90 * time.Second

// stack is the running backends and the addresses the tests use.
type stack struct {
	dir string // temporary directory: configs, logs, Prometheus data

	jaeger     *jaegerInstance // receives the live runs; Prometheus scrapes its metrics
	replay     *jaegerInstance // receives only replayed files, to compare with the live runs
	prometheus *process

	prometheusURL string // base URL of Prometheus's HTTP API

	http *http.Client
}

// jaegerInstance is one running Jaeger with the deployment's configuration.
type jaegerInstance struct {
	proc      *process
	otlpGRPC  string // host:port of the OTLP/gRPC receiver
	otlpHTTP  string // host:port of the OTLP/HTTP receiver
	query     string // base URL of the HTTP query API
	health    string // URL of the health check
	metrics   string // host:port of the prometheus exporter (the applications' metrics)
	telemetry string // host:port of Jaeger's own metrics
	http      *http.Client
}

// missingBinaryError reports a backend binary that is not installed or built.
type missingBinaryError struct {
	name, hint string
	err        error
}

func (e *missingBinaryError) Error() string {
	return fmt.Sprintf("%s binary not available (%v); %s", e.name, e.err, e.hint)
}

var (
	stackOnce sync.Once
	theStack  *stack
	stackErr  error
)

// requireStack returns the backends, starting them on first use. A missing
// binary skips the test, or fails it when CI=true; any other start-up problem
// fails it. When the test fails, the backends' recent output is logged.
func requireStack(t *testing.T) *stack {
	t.Helper()
	stackOnce.Do(func() { theStack, stackErr = startStack() })
	if stackErr != nil {
		var missing *missingBinaryError
		if errors.As(stackErr, &missing) && os.Getenv("CI") != "true" {
			t.Skip(stackErr.Error())
		}
		t.Fatal(stackErr)
	}
	s := theStack
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("jaeger output (tail):\n%s", s.jaeger.proc.logTail(4096))
			t.Logf("replay jaeger output (tail):\n%s", s.replay.proc.logTail(2048))
			t.Logf("prometheus output (tail):\n%s", s.prometheus.logTail(2048))
		}
	})
	return s
}

var serviceSeq atomic.Int64

// serviceName returns base with a suffix unique in this test process, so that
// repeated runs (-count) against the same backends never mix their data.
func serviceName(base string) string {
	return base + "-" + strconv.FormatInt(serviceSeq.Add(1), 10)
}

// stopStack stops whatever requireStack started; it is safe to call when
// nothing was started.
func stopStack() error {
	s := theStack
	if s == nil {
		return nil
	}
	theStack = nil
	s.http.CloseIdleConnections()
	err := errors.Join(s.prometheus.stop(), s.jaeger.proc.stop(), s.replay.proc.stop())
	if err == nil {
		err = os.RemoveAll(s.dir)
	} else {
		err = fmt.Errorf("%w (logs kept in %s)", err, s.dir)
	}
	return err
}

// repoRoot is the root of the module, found once from the working directory
// the tests start in (e2e/), before any test changes it.
var repoRoot = sync.OnceValues(func() (string, error) {
	root, err := filepath.Abs("..")
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return "", fmt.Errorf("repository root not found above the e2e package: %w", err)
	}
	return root, nil
})

// jaegerBinary is OTELAGENT_JAEGER_BIN, else the build of scripts/build-jaeger.sh.
func jaegerBinary(root string) (string, error) {
	bin := os.Getenv("OTELAGENT_JAEGER_BIN")
	if bin == "" {
		cache := os.Getenv("OTELAGENT_CACHE_DIR")
		if cache == "" {
			cache = filepath.Join(root, ".cache")
		}
		bin = filepath.Join(cache, "bin", "jaeger")
	}
	if _, err := exec.LookPath(bin); err != nil {
		return "", &missingBinaryError{name: "jaeger", err: err,
			hint: "run scripts/build-jaeger.sh or set OTELAGENT_JAEGER_BIN"}
	}
	return bin, nil
}

// prometheusBinary is OTELAGENT_PROMETHEUS_BIN, else prometheus on PATH.
func prometheusBinary() (string, error) {
	bin := os.Getenv("OTELAGENT_PROMETHEUS_BIN")
	if bin == "" {
		bin = "prometheus"
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		return "", &missingBinaryError{name: "prometheus", err: err,
			hint: "run scripts/install-prometheus.sh or set OTELAGENT_PROMETHEUS_BIN"}
	}
	return path, nil
}

// freePorts reserves n distinct free TCP ports on 127.0.0.1. The listeners are
// all open at once so no port is handed out twice, then closed for the backends
// to bind.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("reserving a free port: %w", err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func startStack() (s *stack, err error) {
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	jaegerBin, err := jaegerBinary(root)
	if err != nil {
		return nil, err
	}
	promBin, err := prometheusBinary()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "otelagent-e2e-")
	if err != nil {
		return nil, err
	}
	s = &stack{dir: dir, http: &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}}
	defer func() {
		if err != nil {
			s.http.CloseIdleConnections()
			for _, p := range []*process{s.prometheus, s.jaeger.process(), s.replay.process()} {
				if p != nil {
					_ = p.stop()
				}
			}
			_ = os.RemoveAll(dir)
		}
	}()

	ports, err := freePorts(2*jaegerPorts + 1)
	if err != nil {
		return nil, err
	}
	s.prometheusURL = "http://" + localAddr(ports[2*jaegerPorts])
	jaegerConfig := filepath.Join(root, "deploy", "jaeger", "config.yaml")
	if s.jaeger, err = startJaeger(jaegerBin, jaegerConfig, "jaeger", ports[:jaegerPorts], s); err != nil {
		return nil, err
	}
	if s.replay, err = startJaeger(jaegerBin, jaegerConfig, "replay-jaeger", ports[jaegerPorts:2*jaegerPorts], s); err != nil {
		return nil, err
	}

	promConfig := filepath.Join(dir, "prometheus.yml")
	if err := writePrometheusConfig(filepath.Join(root, "deploy", "prometheus", "prometheus.yml"), promConfig,
		map[string]string{"jaeger:8889": s.jaeger.metrics, "jaeger:8888": s.jaeger.telemetry}); err != nil {
		return nil, err
	}
	s.prometheus, err = startProcess("prometheus", promBin, []string{
		"--config.file=" + promConfig,
		"--storage.tsdb.path=" + filepath.Join(dir, "prometheus-data"),
		"--web.listen-address=" + strings.TrimPrefix(s.prometheusURL, "http://"),
		"--log.level=warn",
	}, nil, filepath.Join(dir, "prometheus.log"))
	if err != nil {
		return nil, err
	}

	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	for _, j := range []*jaegerInstance{s.jaeger, s.replay} {
		if err := s.waitReady(ctx, j.proc, j.health); err != nil {
			return nil, err
		}
		if err := s.waitReady(ctx, j.proc, j.query+"/api/services"); err != nil {
			return nil, err
		}
	}
	if err := s.waitReady(ctx, s.prometheus, s.prometheusURL+"/-/ready"); err != nil {
		return nil, err
	}
	return s, nil
}

// jaegerPorts is how many ports one Jaeger listens on.
const jaegerPorts = 7

func localAddr(port int) string { return "127.0.0.1:" + strconv.Itoa(port) }

// startJaeger runs Jaeger with the deployment's configuration, its listen
// addresses set through the environment variables the configuration reads.
func startJaeger(bin, config, name string, ports []int, s *stack) (*jaegerInstance, error) {
	j := &jaegerInstance{
		otlpGRPC:  localAddr(ports[0]),
		otlpHTTP:  localAddr(ports[1]),
		query:     "http://" + localAddr(ports[2]),
		health:    "http://" + localAddr(ports[4]) + "/status",
		metrics:   localAddr(ports[5]),
		telemetry: localAddr(ports[6]),
		http:      s.http,
	}
	var err error
	j.proc, err = startProcess(name, bin, []string{"--config", config}, []string{
		"JAEGER_OTLP_GRPC_ENDPOINT=" + j.otlpGRPC,
		"JAEGER_OTLP_HTTP_ENDPOINT=" + j.otlpHTTP,
		"JAEGER_QUERY_HTTP_ENDPOINT=" + localAddr(ports[2]),
		"JAEGER_QUERY_GRPC_ENDPOINT=" + localAddr(ports[3]),
		"JAEGER_HEALTHCHECK_ENDPOINT=" + localAddr(ports[4]),
		"JAEGER_PROMETHEUS_EXPORTER_ENDPOINT=" + j.metrics,
		"JAEGER_TELEMETRY_HOST=127.0.0.1",
		"JAEGER_TELEMETRY_PORT=" + strconv.Itoa(ports[6]),
		"JAEGER_PROMETHEUS_URL=" + s.prometheusURL,
		"JAEGER_LOG_LEVEL=warn",
	}, filepath.Join(s.dir, name+".log"))
	if err != nil {
		return nil, err
	}
	return j, nil
}

// process is the Jaeger process, nil for a nil instance.
func (j *jaegerInstance) process() *process {
	if j == nil {
		return nil
	}
	return j.proc
}

// writePrometheusConfig copies the deployment's Prometheus configuration with
// its targets replaced through targets (every target must have a replacement)
// and a 1s scrape interval, so the tests see new data quickly.
func writePrometheusConfig(src, dst string, targets map[string]string) error {
	raw, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	var cfg struct {
		Global        map[string]any   `yaml:"global"`
		ScrapeConfigs []map[string]any `yaml:"scrape_configs"`
		Rest          map[string]any   `yaml:",inline"`
	}
	if err := yaml.Unmarshal(raw, &cfg); err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	if cfg.Global == nil {
		cfg.Global = map[string]any{}
	}
	cfg.Global["scrape_interval"] = "1s"
	cfg.Global["evaluation_interval"] = "1s"
	replaced := 0
	for _, sc := range cfg.ScrapeConfigs {
		statics, _ := sc["static_configs"].([]any)
		for _, st := range statics {
			m, _ := st.(map[string]any)
			list, _ := m["targets"].([]any)
			for i, target := range list {
				repl, ok := targets[fmt.Sprint(target)]
				if !ok {
					return fmt.Errorf("%s: scrape target %v has no test address", src, target)
				}
				list[i] = repl
				replaced++
			}
		}
	}
	if replaced != len(targets) {
		return fmt.Errorf("%s: replaced %d scrape targets, want %d", src, replaced, len(targets))
	}
	out, err := yaml.Marshal(cfg)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, out, 0o600)
}

// waitReady polls url until it answers 200, p exits, or ctx ends.
func (s *stack) waitReady(ctx context.Context, p *process, url string) error {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		if ended, err := p.exited(); ended {
			return fmt.Errorf("%s exited during start-up (%v); log:\n%s", p.name, err, p.logTail(4096))
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := s.http.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready at %s within %s (last: %v); log:\n%s", p.name, url, readyTimeout, last, p.logTail(4096))
		case <-tick.C:
		}
	}
}
