package e2e

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// burstResult is what the burst command prints (see e2e/burst).
type burstResult struct {
	Service        string   `json:"service"`
	Invocations    int      `json:"invocations"`
	Goroutines     int      `json:"goroutines"`
	Spans          int      `json:"spans"`
	TraceIDs       []string `json:"trace_ids"`
	BurstSeconds   float64  `json:"burst_seconds"`
	TotalSeconds   float64  `json:"total_seconds"`
	BurstPerSecond float64  `json:"burst_invocations_per_second"`
	TotalPerSecond float64  `json:"total_invocations_per_second"`
}

const (
	burstInvocations = 200_000
	burstGoroutines  = 8
	burstPerTrace    = 1000
)

// TestBurstEverySpanArrives sends a burst of 200,000 invocations from 8 goroutines through
// exporters.Setup with its default pipeline, to the OTLP/JSON file and to Jaeger over OTLP/gRPC
// at once, and requires every span in both: each span ID the application ended is in the file
// (rotated files included) exactly once, and in Jaeger's query API exactly once, nothing else
// is. The burst runs in a separate process built without the race detector (e2e/burst), which
// also measures invocations per second; the figure is logged, never asserted.
func TestBurstEverySpanArrives(t *testing.T) {
	s := requireStack(t)
	ctx := t.Context()
	root, err := repoRoot()
	require.NoError(t, err)
	dir := t.TempDir()
	gobin, err := exec.LookPath("go")
	require.NoError(t, err, "the burst command is built with the go command")
	bin := filepath.Join(dir, "burst")
	build := exec.CommandContext(ctx, gobin, "build", "-o", bin, "./e2e/burst")
	build.Dir = root
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build ./e2e/burst:\n%s", out)

	service := serviceName("e2e-burst")
	traceDir := filepath.Join(dir, "traces")
	require.NoError(t, os.Mkdir(traceDir, 0o700))
	idsFile := filepath.Join(dir, "ids.txt")
	cmd := exec.CommandContext(ctx, bin, "-service", service, "-otlp-endpoint", s.jaeger.otlpGRPC,
		"-file", filepath.Join(traceDir, "agent_trace.jsonl"), "-ids", idsFile,
		"-invocations", fmt.Sprint(burstInvocations), "-goroutines", fmt.Sprint(burstGoroutines),
		"-per-trace", fmt.Sprint(burstPerTrace))
	// The settings under test are the flags; OTEL_* variables of the environment would override them.
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "OTEL_") })
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err = cmd.Output()
	require.NoError(t, err, "burst:\n%s", stderr.String())
	if msg := strings.TrimSpace(stderr.String()); msg != "" {
		t.Log(msg)
	}
	var res burstResult
	require.NoError(t, json.Unmarshal(out, &res), "burst output %q", out)
	t.Logf("%d invocations from %d goroutines through Setup's defaults (file and OTLP/gRPC to Jaeger): "+
		"%.0f invocations/s until the last Complete, %.0f invocations/s until Shutdown had flushed both exporters",
		res.Invocations, res.Goroutines, res.BurstPerSecond, res.TotalPerSecond)

	want, perTrace := readBurstIDs(t, idsFile)
	require.Len(t, want, res.Spans, "%s holds every span the burst ended, each once", idsFile)
	require.Equal(t, burstInvocations+len(res.TraceIDs), res.Spans, "spans: invocations and their workflows")
	require.Len(t, perTrace, len(res.TraceIDs))

	t.Run("file", func(t *testing.T) {
		assertExactSpans(t, want, readFileSpanIDs(t, traceDir))
	})
	t.Run("jaeger", func(t *testing.T) {
		assertExactSpans(t, want, waitForJaegerSpans(t, s.jaeger, perTrace))
	})
}

// readBurstIDs reads the "TRACEID SPANID" lines of the burst command into the set of span IDs
// and the number of spans per trace.
func readBurstIDs(t *testing.T, path string) (map[string]bool, map[string]int) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	spans, perTrace := make(map[string]bool), make(map[string]int)
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		traceID, spanID, ok := strings.Cut(sc.Text(), " ")
		require.True(t, ok, "%s:%d: %q is not TRACEID SPANID", path, line, sc.Text())
		require.False(t, spans[spanID], "%s:%d: span %s twice", path, line, spanID)
		spans[spanID] = true
		perTrace[traceID]++
	}
	require.NoError(t, sc.Err())
	return spans, perTrace
}

// assertExactSpans checks that got holds every span ID of want exactly once and nothing else.
func assertExactSpans(t *testing.T, want map[string]bool, got map[string]int) {
	t.Helper()
	var missing, twice, unexpected []string
	total := 0
	for id, n := range got {
		total += n
		switch {
		case !want[id]:
			unexpected = append(unexpected, id)
		case n > 1:
			twice = append(twice, id)
		}
	}
	for id := range want {
		if got[id] == 0 {
			missing = append(missing, id)
		}
	}
	examples := func(ids []string) []string { return ids[:min(len(ids), 5)] }
	assert.Equal(t, len(want), total, "spans")
	assert.Zero(t, len(missing), "spans missing, e.g. %v", examples(missing))
	assert.Zero(t, len(twice), "spans more than once, e.g. %v", examples(twice))
	assert.Zero(t, len(unexpected), "unexpected spans, e.g. %v", examples(unexpected))
}

// readFileSpanIDs counts the span IDs of every trace file in dir: the current one and the
// rotated ones, gzipped or not.
func readFileSpanIDs(t *testing.T, dir string) map[string]int {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	got := make(map[string]int)
	files := 0
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "agent_trace") {
			continue
		}
		files++
		path := filepath.Join(dir, e.Name())
		f, err := os.Open(path)
		require.NoError(t, err)
		var r io.Reader = f
		if strings.HasSuffix(path, ".gz") {
			zr, err := gzip.NewReader(f)
			require.NoError(t, err, path)
			r = zr
		}
		br := bufio.NewReaderSize(r, 1<<20)
		for line := 1; ; line++ {
			b, err := br.ReadBytes('\n')
			if len(bytes.TrimSpace(b)) > 0 {
				// pdata's generated decoder: encoding/json's reflection is slow under -race.
				td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(b)
				require.NoError(t, err, "%s:%d", path, line)
				for _, rs := range td.ResourceSpans().All() {
					for _, ss := range rs.ScopeSpans().All() {
						for _, sp := range ss.Spans().All() {
							got[sp.SpanID().String()]++
						}
					}
				}
			}
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err, path)
		}
		require.NoError(t, f.Close())
	}
	t.Logf("%d trace files in %s", files, dir)
	return got
}

// Jaeger's storage lags its receiver; these bound the wait for the burst to settle there.
const (
	burstPollInterval = 2 * time.Second
	burstStablePolls  = 5               // polls without a new span before the count is final
	burstSettleBound  = 3 * time.Minute // whatever happens, the wait ends
)

// waitForJaegerSpans reads the traces of perTrace (trace ID to spans expected) from Jaeger's
// query API until each has its spans, or until the count has not grown for burstStablePolls
// polls, and returns the span IDs read, counted. The result is exact either way: a span that
// never arrives is missing from it, and a trace is re-read whole until it is complete.
func waitForJaegerSpans(t *testing.T, j *jaegerInstance, perTrace map[string]int) map[string]int {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), burstSettleBound)
	defer cancel()
	read := make(map[string][]string, len(perTrace)) // trace ID to the span IDs Jaeger returned
	pending := make([]string, 0, len(perTrace))
	for id := range perTrace {
		pending = append(pending, id)
	}
	// The stack's client times out after 10s; a trace of a thousand spans may take longer to
	// read on a busy machine, which only the overall bound limits here.
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	last, stable := -1, 0
	for {
		spans, err := fetchTraceSpans(ctx, client, j, pending)
		require.NoError(t, err, "reading the burst's traces from Jaeger")
		still := pending[:0]
		for id, ids := range spans {
			read[id] = ids
			if len(ids) < perTrace[id] {
				still = append(still, id)
			}
		}
		pending = still
		total := 0
		for _, ids := range read {
			total += len(ids)
		}
		if total == last {
			stable++
		} else {
			last, stable = total, 0
		}
		if len(pending) == 0 || stable >= burstStablePolls {
			break
		}
		select {
		case <-ctx.Done():
			t.Logf("Jaeger still receiving after %s: %d spans read", burstSettleBound, total)
			require.NoError(t, ctx.Err())
		case <-time.After(burstPollInterval):
		}
	}
	got := make(map[string]int)
	for _, ids := range read {
		for _, id := range ids {
			got[id]++
		}
	}
	return got
}

// fetchTraceSpans reads the traces from Jaeger, a few at once, and returns the span IDs of
// each (none for a trace Jaeger does not have).
func fetchTraceSpans(ctx context.Context, client *http.Client, j *jaegerInstance, traceIDs []string) (map[string][]string, error) {
	const workers = 4
	ids := make(chan string)
	var (
		mu   sync.Mutex
		out  = make(map[string][]string, len(traceIDs))
		errs []error
		wg   sync.WaitGroup
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range ids {
				spans, err := traceSpanIDs(ctx, client, j, id)
				mu.Lock()
				out[id] = spans
				if err != nil {
					errs = append(errs, err)
				}
				mu.Unlock()
			}
		}()
	}
	for _, id := range traceIDs {
		ids <- id
	}
	close(ids)
	wg.Wait()
	return out, errors.Join(errs...)
}

// traceSpanIDs returns the span IDs of one trace from Jaeger's /api/traces/{id}; none when
// Jaeger answers that it has no such trace.
func traceSpanIDs(ctx context.Context, client *http.Client, j *jaegerInstance, traceID string) ([]string, error) {
	u := j.query + "/api/traces/" + traceID
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil, nil
	}
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return nil, fmt.Errorf("GET %s: %s: %s", u, resp.Status, bytes.TrimSpace(body))
	}
	var answer struct {
		Data []struct {
			TraceID string `json:"traceID"`
			Spans   []struct {
				SpanID string `json:"spanID"`
			} `json:"spans"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		return nil, fmt.Errorf("GET %s: decoding: %w", u, err)
	}
	var spans []string
	for _, tr := range answer.Data {
		for _, sp := range tr.Spans {
			spans = append(spans, sp.SpanID)
		}
	}
	return spans, nil
}
