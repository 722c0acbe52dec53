package otelagent

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
)

var statsInvocations = flag.Int("stats-invocations", 0,
	"invocations TestStatisticsMemoryBounded completes after its warm-up (0: a million, 200,000 under the race detector)")

// TestStatisticsMemoryBounded completes -stats-invocations invocations (a million by default,
// 200,000 under the race detector, which is ten times slower) over 100 agents and 10 models,
// hits and misses, and checks that once every agent and model has been seen the heap grows by
// less than 1 MiB: statistics and the event log are O(1) in the number of invocations. No-op
// providers keep the SDK's own memory out of the figure. It runs in a synctest bubble, whose
// clock stands still, so every latency is the same: the latency histogram allocates its rows on
// first use (at most 15 KiB a group, whatever the number of invocations), and real latencies
// would make the figure depend on the machine's speed.
func TestStatisticsMemoryBounded(t *testing.T) {
	synctest.Test(t, statisticsMemoryBounded)
}

func statisticsMemoryBounded(t *testing.T) {
	const agents, models = 100, 10
	n := *statsInvocations
	if n <= 0 {
		n = 1_000_000
		if raceEnabled {
			n = 200_000
		}
	}
	tr := New(WithTracerProvider(tracenoop.NewTracerProvider()), WithMeterProvider(metricnoop.NewMeterProvider()),
		WithProviderName(benchProvider))
	agentNames, modelNames := make([]string, agents), make([]string, models)
	for i := range agentNames {
		agentNames[i] = fmt.Sprintf("agent-%d", i)
	}
	for i := range modelNames {
		modelNames[i] = fmt.Sprintf("gpt-4o-2024-08-%02d", i+1) // priced as gpt-4o
	}
	invoke := func(i int) error {
		model := modelNames[(i/agents)%models]
		u := benchUsage
		u.Model = model
		_, inv := tr.Invoke(context.Background(), agentNames[i%agents], nil, WithRequestModel(model))
		return inv.Complete(nil, WithUsage(u), WithCacheHit(i%4 == 0))
	}
	heap := func() uint64 {
		var ms runtime.MemStats
		runtime.GC()
		runtime.GC() // the second empties the pools' victim caches
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}

	start := heap()
	for i := range agents * models {
		require.NoError(t, invoke(i))
	}
	warm := heap()

	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				if err := invoke(i); err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	end := heap()

	growth := int64(end) - int64(warm)
	t.Logf("%d invocations over %d agents and %d models: heap %+d bytes; the first %d (every agent and model once) took %+d bytes",
		n, agents, models, growth, agents*models, int64(warm)-int64(start))
	assert.Less(t, growth, int64(1<<20), "heap growth after the warm-up")

	st := tr.Stats()
	assert.Len(t, st.Agents, agents)
	var total int64
	for _, g := range st.Agents {
		total += g.Invocations
	}
	assert.Equal(t, int64(n+agents*models), total, "every invocation counted")
	cs := tr.CacheStatistics()
	assert.Equal(t, int64(n+agents*models), cs.Hits+cs.Misses)
}
