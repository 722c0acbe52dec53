package report

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agenttrace/otelagent/otelagent"
	"github.com/agenttrace/otelagent/semconv"
)

func summarize(t *testing.T, opts Options, records ...ptrace.Traces) *Report {
	t.Helper()
	s, err := NewSummarizer(opts)
	require.NoError(t, err)
	for _, td := range records {
		s.Add(td)
	}
	return s.Report()
}

func rowNamed(t *testing.T, rows []Row, name string) Row {
	t.Helper()
	for _, r := range rows {
		if r.Name == name {
			return r
		}
	}
	require.Failf(t, "no row", "no row %q in %v", name, rows)
	return Row{}
}

func TestSummarizerCountsTokensOnce(t *testing.T) {
	r := summarize(t, Options{}, scenario()...)

	tot := r.Total
	assert.EqualValues(t, 20, tot.Invocations, "12 agents, 6 chats under the workflow, a root chat, an orphan chat")
	assert.EqualValues(t, 1, tot.Errors)
	assert.EqualValues(t, 1790, tot.Prompt, "the chat inside planner is rolled up and not counted again")
	assert.EqualValues(t, 695, tot.Completion)
	assert.EqualValues(t, 2485, tot.Total)
	assert.EqualValues(t, 300, tot.CacheRead)
	assert.EqualValues(t, 120, tot.Reasoning)
	assert.EqualValues(t, 2, tot.CacheHits)
	assert.EqualValues(t, 10, tot.CacheMisses)
	assert.InDelta(t, 2.0/12, tot.HitRate, 1e-12)
	assert.EqualValues(t, 560, tot.TokensSaved)
	assert.InDelta(t, 100*560.0/(560+2485), tot.SavingsPercentage, 1e-9)
	assert.InDelta(t, 0.0036, tot.CostUSD, 1e-12)

	assert.Equal(t, ByAgent, r.By)
	require.Len(t, r.Rows, 3)
	planner := rowNamed(t, r.Rows, "planner")
	assert.EqualValues(t, 6, planner.Invocations)
	assert.EqualValues(t, 600, planner.Prompt)
	assert.EqualValues(t, 0, planner.CacheHits)
	writer := rowNamed(t, r.Rows, "writer")
	assert.EqualValues(t, 2, writer.CacheHits)
	assert.EqualValues(t, 4, writer.CacheMisses)
	assert.EqualValues(t, 1, writer.Errors)
	assert.InDelta(t, 100*560.0/(560+4*280), writer.SavingsPercentage, 1e-9, "560 saved, 4*280 spent")
	none := rowNamed(t, r.Rows, NoAgent)
	assert.EqualValues(t, 8, none.Invocations)
	assert.EqualValues(t, 390, none.Prompt)
	assert.EqualValues(t, 0, none.CacheHits+none.CacheMisses, "chat spans are not cache events")

	var sum Row
	for _, row := range r.Rows {
		sum.Invocations += row.Invocations
		sum.Usage.add(row.Usage)
	}
	assert.Equal(t, tot.Usage, sum.Usage, "rows add up to the totals")
	assert.Equal(t, tot.Invocations, sum.Invocations)
	assert.Contains(t, r.Warnings, "skipped 6 spans without "+string(semconv.GenAIOperationNameKey))
}

func TestSummarizerGroupsBy(t *testing.T) {
	tests := []struct {
		by    string
		names []string
	}{
		{ByAgent, []string{NoAgent, "planner", "writer"}},
		{ByModel, []string{"claude-sonnet-4", "gpt-4o", "gpt-4o-mini"}},
		{ByConversation, []string{NoConversation, "conv-a", "conv-b"}},
	}
	for _, tt := range tests {
		t.Run(tt.by, func(t *testing.T) {
			r := summarize(t, Options{By: tt.by}, scenario()...)
			var names []string
			var inv int64
			for _, row := range r.Rows {
				names = append(names, row.Name)
				inv += row.Invocations
			}
			assert.Equal(t, tt.names, names)
			assert.Equal(t, r.Total.Invocations, inv)
		})
	}
}

func TestSummarizerChatUnderWorkflowOnly(t *testing.T) {
	// A chat under a tool under a workflow, no agent anywhere: counted once, at the root.
	r := summarize(t, Options{}, tracesOf(
		spec{trace: 1, id: 3, parent: 2, op: semconv.OperationChat, model: "m", dur: time.Second, in: 7, out: 3},
		spec{trace: 1, id: 2, parent: 1, op: semconv.OperationExecuteTool, dur: time.Second},
	), tracesOf(
		spec{trace: 1, id: 1, op: semconv.OperationInvokeWorkflow, dur: time.Second},
	))
	assert.EqualValues(t, 1, r.Total.Invocations)
	assert.EqualValues(t, 10, r.Total.Total)
}

func TestSummarizerTimeRange(t *testing.T) {
	r := summarize(t, Options{Since: base.Add(100 * time.Minute), Until: base.Add(200 * time.Minute)}, scenario()...)
	// Traces 2 and 3 start at 100 and 150 minutes.
	assert.EqualValues(t, 6, r.Total.Invocations)
	assert.Equal(t, base.Add(100*time.Minute), r.Since)
	assert.Contains(t, r.Warnings, "skipped 14 operations outside the time range")
}

func TestSummarizerIntervals(t *testing.T) {
	t.Run("fixed", func(t *testing.T) {
		r := summarize(t, Options{Interval: time.Hour}, scenario()...)
		assert.True(t, r.FixedInterval)
		require.Len(t, r.Intervals, 6) // 9:00 to 14:00
		var inv int64
		for i, iv := range r.Intervals {
			inv += iv.Invocations
			if i > 0 {
				assert.Equal(t, time.Hour, iv.Start.Sub(r.Intervals[i-1].Start))
			}
		}
		assert.Equal(t, r.Total.Invocations, inv)
		assert.Equal(t, base, r.Intervals[0].Start)
	})
	t.Run("automatic", func(t *testing.T) {
		r := summarize(t, Options{}, scenario()...)
		assert.False(t, r.FixedInterval)
		assert.Equal(t, 5*time.Minute, r.Interval, "5h of data in at most 120 buckets")
		var inv int64
		for _, iv := range r.Intervals {
			inv += iv.Invocations
		}
		assert.Equal(t, r.Total.Invocations, inv)
	})
}

func TestSummarizerAutomaticIntervalStaysBounded(t *testing.T) {
	s, err := NewSummarizer(Options{})
	require.NoError(t, err)
	for i := range 2000 {
		s.Add(tracesOf(spec{trace: uint64(i), id: 1, op: semconv.OperationInvokeAgent, agent: "a", start: time.Duration(i) * 7 * time.Hour, dur: time.Second}))
		require.LessOrEqual(t, len(s.buckets), autoIntervals)
	}
	r := s.Report()
	assert.EqualValues(t, 2000, r.Total.Invocations)
	var inv int64
	for _, iv := range r.Intervals {
		inv += iv.Invocations
	}
	assert.EqualValues(t, 2000, inv)
}

func TestSummarizerPricing(t *testing.T) {
	pricing := otelagent.Pricing{"gpt-4o": {Input: 2.5, Output: 10, CacheRead: 1.25}}
	r := summarize(t, Options{Pricing: pricing}, tracesOf(
		// no cost attribute: priced from the table
		spec{trace: 1, id: 1, op: semconv.OperationChat, model: "gpt-4o-2024-08-06", in: 1000, out: 100, cacheRead: 400},
		// a cost attribute wins over the table
		spec{trace: 2, id: 1, op: semconv.OperationChat, model: "gpt-4o", in: 1000, out: 100, hasCost: true, cost: 1},
		// unknown model: no cost
		spec{trace: 3, id: 1, op: semconv.OperationChat, model: "other", in: 1000, out: 100},
	))
	want := (600*2.5 + 400*1.25 + 100*10) / 1e6
	assert.InDelta(t, want+1, r.Total.CostUSD, 1e-12)
	assert.InDelta(t, 400*1.25/1e6, r.Total.CostSavedUSD, 1e-12)
}

func TestSummarizerBadAttributes(t *testing.T) {
	r := summarize(t, Options{}, tracesOf(
		spec{trace: 1, id: 1, op: semconv.OperationChat, model: "m", extra: map[string]any{
			string(semconv.GenAIUsageInputTokensKey): "12",
			string(semconv.CostUSDKey):               "cheap",
		}},
		spec{trace: 2, id: 1, op: "embeddings"},
	))
	assert.EqualValues(t, 1, r.Total.Invocations)
	assert.EqualValues(t, 0, r.Total.Prompt)
	assert.Contains(t, r.Warnings, fmt.Sprintf("skipped 1 values of %s that are not integers (counted as 0)", semconv.GenAIUsageInputTokensKey))
	assert.Contains(t, r.Warnings, fmt.Sprintf("skipped 1 values of %s that are not numbers (ignored)", semconv.CostUSDKey))
	assert.Contains(t, r.Warnings, `skipped 1 spans of operation "embeddings"`)
}

func TestSummarizerGroupsAreBounded(t *testing.T) {
	s, err := NewSummarizer(Options{By: ByConversation})
	require.NoError(t, err)
	for i := range MaxGroups + 50 {
		s.Add(tracesOf(spec{trace: uint64(i), id: 1, op: semconv.OperationInvokeAgent, agent: "a", conv: fmt.Sprint("c", i)}))
	}
	r := s.Report()
	assert.Len(t, r.Rows, MaxGroups+1)
	assert.EqualValues(t, 50, rowNamed(t, r.Rows, OverflowGroup).Invocations)
}

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"by", Options{By: "tool"}, `by "tool"`},
		{"interval", Options{Interval: -time.Hour}, "interval -1h0m0s is negative"},
		{"range", Options{Since: base, Until: base}, "is not before until"},
		{"pricing", Options{Pricing: otelagent.Pricing{"m": {Input: -1}}}, "report: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewSummarizer(tt.opts)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestParseTime(t *testing.T) {
	now := base
	tests := []struct {
		in      string
		want    time.Time
		wantErr string
	}{
		{"2026-02-01T10:00:00Z", time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC), ""},
		{"24h", now.Add(-24 * time.Hour), ""},
		{"90m", now.Add(-90 * time.Minute), ""},
		{"-1h", time.Time{}, "must not be negative"},
		{"yesterday", time.Time{}, "neither an RFC 3339 time"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTime(tt.in, now)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.True(t, tt.want.Equal(got), "%s != %s", got, tt.want)
		})
	}
}

func TestSummarizerPendingIsBounded(t *testing.T) {
	// Chat spans whose parents are in another service's file never resolve: they wait, up to
	// MaxPending, then count at once.
	const extra = 10
	specs := make([]spec, MaxPending+extra)
	for i := range specs {
		specs[i] = spec{trace: uint64(i), id: 2, parent: 1, op: semconv.OperationChat, model: "m", in: 1, out: 1}
	}
	s, err := NewSummarizer(Options{})
	require.NoError(t, err)
	s.Add(tracesOf(specs...))
	assert.Equal(t, MaxPending, s.nPending)
	assert.EqualValues(t, extra, s.total.invocations)
	r := s.Report()
	assert.EqualValues(t, MaxPending+extra, r.Total.Invocations, "every chat counts once in the end")
	assert.EqualValues(t, 2*(MaxPending+extra), r.Total.Total)
	assert.Contains(t, r.Warnings, fmt.Sprintf("%d chat spans counted before their ancestors were seen (more than %d were waiting)", extra, MaxPending))
}
