package report

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agenttrace/otelagent/semconv"
)

// writeLargeTrace writes at least size bytes of OTLP/JSON lines to path: each line one trace
// of an agent whose chat span comes first, as exporters write them, with a fresh conversation
// every 100 traces (pooled past MaxGroups) and start times one second apart. It returns the
// number of traces.
func writeLargeTrace(t testing.TB, path string, size int64) int {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	w := bufio.NewWriterSize(f, 1<<20)
	var written int64
	n := 0
	for ; written < size; n++ {
		td := tracesOf(
			spec{trace: uint64(n), id: 2, parent: 1, op: semconv.OperationChat, model: "gpt-4o", conv: fmt.Sprint("c", n/100),
				start: time.Duration(n) * time.Second, dur: time.Duration(n%1000) * time.Millisecond, in: 100, out: 10},
			spec{trace: uint64(n), id: 1, op: semconv.OperationInvokeAgent, agent: fmt.Sprint("agent-", n%7), model: "gpt-4o", conv: fmt.Sprint("c", n/100),
				start: time.Duration(n) * time.Second, dur: time.Duration(n%1000+5) * time.Millisecond, in: 100, out: 10, hit: ptr(n%4 == 0)},
		)
		line := jsonLines(t, td)
		m, err := w.Write(line)
		require.NoError(t, err)
		written += int64(m)
	}
	require.NoError(t, w.Flush())
	require.NoError(t, f.Close())
	return n
}

// TestBuildMemoryIsBounded summarises a 200 MB trace file and checks that the heap stayed far
// below the file's size: state is per group and interval, not per span.
func TestBuildMemoryIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and reads a 200 MB file")
	}
	const size = 200 << 20
	path := filepath.Join(t.TempDir(), "large.jsonl")
	traces := writeLargeTrace(t, path, size)

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	// Sample the live heap while the report is built.
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	rep, err := Build([]string{path}, nil, Options{By: ByConversation})
	close(stop)
	wg.Wait()
	require.NoError(t, err)

	assert.EqualValues(t, 2*traces, rep.Spans)
	assert.EqualValues(t, traces, rep.Total.Invocations, "chat spans roll up into their agents")
	assert.EqualValues(t, 110*traces, rep.Total.Total)
	assert.Len(t, rep.Rows, MaxGroups+1)

	growth := int64(peak.Load()) - int64(before.HeapInuse)
	t.Logf("%d traces, %d MB file: heap in use grew by at most %.1f MB", traces, size>>20, float64(growth)/(1<<20))
	// Per-span state would need hundreds of MB here; groups, intervals and one line need a few.
	assert.Less(t, growth, int64(64<<20), "heap grew by %d bytes reading a %d byte file", growth, size)
}
