package report

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBuildSaveTraceSummaryPoolsGroups reads a summary of more agents than MaxGroups with a
// long event log: the report keeps MaxGroups rows and pools the rest, so what it holds does
// not grow with the file, and the rows still add up to the totals.
func TestBuildSaveTraceSummaryPoolsGroups(t *testing.T) {
	const agents = MaxGroups + 250
	path := filepath.Join(t.TempDir(), "summary.json")
	f, err := os.Create(path)
	require.NoError(t, err)
	w := bufio.NewWriter(f)
	fmt.Fprint(w, `{"cache_statistics":{"hits":`, agents, `,"misses":0},"stats":{"invocations":1,"agents":{`)
	for i := range agents {
		if i > 0 {
			fmt.Fprint(w, ",")
		}
		fmt.Fprintf(w, `"agent-%05d":{"invocations":1,"prompt_tokens":10,"total_tokens":10,"cache_hits":1,"latency":{"p50":0.5}}`, i)
	}
	fmt.Fprint(w, `},"models":{"m":{"invocations":`, agents, `}},"unpriced_models":["x"]},"events":[`)
	for i := range 20000 {
		if i > 0 {
			fmt.Fprint(w, ",")
		}
		fmt.Fprintf(w, `{"kind":"cache_hit","agent":"a","detail":{"n":[%d,{"deep":[[]]}]}}`, i)
	}
	fmt.Fprint(w, "]}")
	require.NoError(t, w.Flush())
	require.NoError(t, f.Close())

	rep, err := Build([]string{path}, nil, Options{})
	require.NoError(t, err)
	require.Len(t, rep.Rows, MaxGroups+1)
	var other *Row
	var sum int64
	for i := range rep.Rows {
		sum += rep.Rows[i].Invocations
		if rep.Rows[i].Name == OverflowGroup {
			other = &rep.Rows[i]
		}
	}
	require.NotNil(t, other)
	assert.EqualValues(t, 250, other.Invocations)
	assert.EqualValues(t, 2500, other.Usage.Prompt)
	assert.Zero(t, other.LatencyP50, "percentiles of pooled groups do not combine")
	assert.EqualValues(t, agents, sum)
	assert.EqualValues(t, agents, rep.Total.Invocations)
	assert.EqualValues(t, agents, rep.Total.CacheHits)
	assert.Contains(t, rep.Warnings, path+": 250 agents past the first 1000 pooled as _OTHER, without latency percentiles")

	byModel, err := Build([]string{path}, nil, Options{By: ByModel})
	require.NoError(t, err)
	require.Len(t, byModel.Rows, 1)
	assert.EqualValues(t, agents, byModel.Rows[0].Invocations)
}
