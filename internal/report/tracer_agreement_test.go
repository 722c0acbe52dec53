package report

import (
	"context"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/agenttrace/otelagent/exporters"
	"github.com/agenttrace/otelagent/otelagent"
)

// recordRun runs fn against a Tracer built with opts whose spans go, synchronously, to a trace
// file; it returns the file and the Tracer, whose Stats describe the same run.
func recordRun(t *testing.T, fn func(*otelagent.Tracer), opts ...otelagent.Option) (string, *otelagent.Tracer) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "traces.jsonl")
	exp, err := exporters.NewFileExporter(path)
	require.NoError(t, err)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	tracer := otelagent.New(append([]otelagent.Option{otelagent.WithTracerProvider(tp)}, opts...)...)
	fn(tracer)
	require.NoError(t, tp.Shutdown(context.Background()))
	return path, tracer
}

// The report prices a span without a cost the way a Tracer with the same table would have:
// same lookup (exact, family, prefix) and same arithmetic.
func TestReportPricesAsTheTracer(t *testing.T) {
	pricing := otelagent.Pricing{
		"gpt-4o":          {Input: 2.5, Output: 10, CacheRead: 1.25},
		"claude-sonnet-4": {Input: 3, Output: 15, CacheRead: 0.3, CacheWrite: 3.75},
		"my-model":        {Input: 1, Output: 2},
	}
	calls := []otelagent.TokenUsage{
		{Model: "gpt-4o-2024-08-06", PromptTokens: 1000, CompletionTokens: 100, CacheReadTokens: 400},
		{Model: "openai/gpt-4o", PromptTokens: 500, CompletionTokens: 50},
		{Model: "us.anthropic.claude-sonnet-4-20250514-v1:0", PromptTokens: 2000, CompletionTokens: 300, CacheReadTokens: 1500, CacheCreationTokens: 200},
		{Model: "acme/my-model-v2", PromptTokens: 70, CompletionTokens: 7},
		{Model: "llama", PromptTokens: 10, CompletionTokens: 1},
	}
	run := func(tr *otelagent.Tracer) {
		for _, u := range calls {
			_, chat := tr.StartChat(t.Context(), u.Model)
			require.NoError(t, chat.Complete(nil, otelagent.WithUsage(u)))
		}
	}
	// The traced run carries no prices, so the report prices it from the table...
	path, _ := recordRun(t, run, otelagent.WithDefaultPricing(false))
	rep, err := Build([]string{path}, nil, Options{By: ByModel, Pricing: pricing})
	require.NoError(t, err)
	// ...and a Tracer that had the table priced the same calls.
	priced := otelagent.New(otelagent.WithPricing(pricing), otelagent.WithDefaultPricing(false))
	run(priced)
	stats := priced.Stats()

	for _, u := range calls {
		t.Run(u.Model, func(t *testing.T) {
			want, ok := stats.Models[u.Model]
			require.True(t, ok)
			row := rowNamed(t, rep.Rows, u.Model)
			assert.Equal(t, want.CostSpent, row.CostUSD)
			assert.Equal(t, want.CostSaved, row.CostSavedUSD)
			mp, ok := pricing.Lookup(u.Model)
			assert.Equal(t, want.Priced, ok)
			spent, saved := mp.Cost(u)
			assert.Equal(t, spent, row.CostUSD)
			assert.Equal(t, saved, row.CostSavedUSD)
		})
	}
	assert.Equal(t, []string{"llama"}, stats.UnpricedModels)
}

// Stats and the report give the same percentiles for the same run: the latencies are exact
// (a synctest bubble's clock moves only by the sleeps), so any difference would be the
// histogram's.
func TestReportLatencyAsTheTracer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// 11 invocations: p95 is the 11th by the nearest-rank rule, the 10th by rounding.
		durations := map[string][]time.Duration{"triage": nil, "writer": nil}
		for i := range 11 {
			durations["triage"] = append(durations["triage"], time.Duration(i+1)*1370*time.Microsecond)
		}
		for i := range 40 {
			durations["writer"] = append(durations["writer"], time.Duration(i*i*i+7)*time.Microsecond+time.Duration(i)*time.Nanosecond)
		}
		path, tracer := recordRun(t, func(tr *otelagent.Tracer) {
			for _, agent := range []string{"triage", "writer"} {
				for _, d := range durations[agent] {
					_, inv := tr.Invoke(t.Context(), agent, nil)
					time.Sleep(d)
					require.NoError(t, inv.Complete(nil))
				}
			}
		})
		rep, err := Build([]string{path}, nil, Options{By: ByAgent})
		require.NoError(t, err)
		stats := tracer.Stats()
		for agent, durs := range durations {
			want := stats.Agents[agent].Latency
			require.EqualValues(t, len(durs), want.Count, agent)
			row := rowNamed(t, rep.Rows, agent)
			assert.Equal(t, want.P50, row.LatencyP50, "%s p50", agent)
			assert.Equal(t, want.P95, row.LatencyP95, "%s p95", agent)
			assert.Equal(t, want.P99, row.LatencyP99, "%s p99", agent)
		}
		assert.Equal(t, durations["triage"][10], rowNamed(t, rep.Rows, "triage").LatencyP95, "the 11th of 11: the largest, so exact")
	})
}
