package report

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/agenttrace/otelagent/exporters"
	"github.com/agenttrace/otelagent/otelagent"
	"github.com/agenttrace/otelagent/semconv"
)

// modelFigures are the per-model figures every view must agree on.
type modelFigures struct {
	Invocations, Errors, Hits, Misses               int64
	Prompt, Completion, CacheRead, Reasoning, Saved int64
	Cost                                            float64
}

// runModelScenario drives one Tracer through the cases that decide the model of an operation:
// misses whose chats answer with a dated snapshot while the agent requested the family name,
// cache hits naming either, a failed chat, an agent reporting usage itself, an agent whose
// chats answer with different models, an agent with no model at all, a chat inside a tool, a
// chat that completes after its agent, and a chat outside any agent. It returns the Tracer, the
// trace file written through exporters.NewFileExporter and the metrics collected.
func runModelScenario(t *testing.T) (*otelagent.Tracer, string, metricdata.ResourceMetrics) {
	t.Helper()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "trace.jsonl")
	exp, err := exporters.NewFileExporter(path)
	require.NoError(t, err)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	tr := otelagent.New(otelagent.WithTracerProvider(tp), otelagent.WithMeterProvider(mp))

	snapshot := otelagent.TokenUsage{Model: "gpt-4o-2024-08-06", PromptTokens: 100, CompletionTokens: 40, CacheReadTokens: 20, TotalTokens: 140}
	miss := func(agent, requested string, answers ...otelagent.TokenUsage) {
		actx, inv := tr.Invoke(ctx, agent, nil, otelagent.WithRequestModel(requested))
		for _, u := range answers {
			_, chat := tr.StartChat(actx, requested)
			require.NoError(t, chat.Complete(nil, otelagent.WithUsage(u)))
		}
		require.NoError(t, inv.Complete(nil))
	}
	hit := func(agent, requested string, u otelagent.TokenUsage) {
		_, inv := tr.Invoke(ctx, agent, nil, otelagent.WithRequestModel(requested))
		require.NoError(t, inv.Complete(nil, otelagent.WithCacheHit(true), otelagent.WithUsage(u)))
	}

	miss("researcher", "gpt-4o", snapshot)
	miss("researcher", "gpt-4o", snapshot)
	hit("researcher", "gpt-4o", snapshot)
	family := snapshot
	family.Model = "gpt-4o"
	hit("writer", "gpt-4o", family)

	// A failed chat: no usage, so neither names a response model.
	actx, inv := tr.Invoke(ctx, "writer", nil, otelagent.WithRequestModel("gpt-4o"))
	_, chat := tr.StartChat(actx, "gpt-4o")
	boom := errors.New("upstream timed out")
	require.NoError(t, chat.Complete(nil, otelagent.WithError(boom)))
	require.NoError(t, inv.Complete(nil, otelagent.WithError(boom)))

	// An agent that reports the usage of its model call itself.
	_, inv = tr.Invoke(ctx, "triage", nil, otelagent.WithRequestModel("gpt-4o-mini"))
	require.NoError(t, inv.Complete(nil, otelagent.WithUsage(otelagent.TokenUsage{
		Model: "gpt-4o-mini-2024-07-18", PromptTokens: 30, CompletionTokens: 10, TotalTokens: 40})))

	// Chats answering with two models, one of them inside a tool.
	actx, inv = tr.Invoke(ctx, "planner", nil)
	_, chat = tr.StartChat(actx, "gpt-4o-mini")
	require.NoError(t, chat.Complete(nil, otelagent.WithUsage(otelagent.TokenUsage{
		Model: "gpt-4o-mini-2024-07-18", PromptTokens: 11, CompletionTokens: 5, TotalTokens: 16})))
	tctx, tool := tr.StartTool(actx, "search")
	_, chat = tr.StartChat(tctx, "claude-sonnet-4")
	require.NoError(t, chat.Complete(nil, otelagent.WithUsage(otelagent.TokenUsage{
		Model: "claude-sonnet-4-20250514", PromptTokens: 13, CompletionTokens: 7, ReasoningTokens: 2, TotalTokens: 20})))
	require.NoError(t, tool.Complete(nil))
	require.NoError(t, inv.Complete(nil))

	// An agent with no model anywhere.
	_, inv = tr.Invoke(ctx, "router", nil)
	require.NoError(t, inv.Complete(nil))

	// A chat that completes after its agent.
	actx, inv = tr.Invoke(ctx, "researcher", nil, otelagent.WithRequestModel("gpt-4o"))
	_, chat = tr.StartChat(actx, "gpt-4o")
	require.NoError(t, inv.Complete(nil))
	require.NoError(t, chat.Complete(nil, otelagent.WithUsage(snapshot)))

	// A chat outside any agent.
	_, chat = tr.StartChat(ctx, "gpt-4o-mini")
	require.NoError(t, chat.Complete(nil, otelagent.WithUsage(otelagent.TokenUsage{
		Model: "gpt-4o-mini-2024-07-18", PromptTokens: 3, CompletionTokens: 2, TotalTokens: 5})))

	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(ctx, &rm))
	require.NoError(t, tp.Shutdown(context.WithoutCancel(ctx)))
	require.NoError(t, mp.Shutdown(context.WithoutCancel(ctx)))
	return tr, path, rm
}

// figuresOfRows keys a report's rows by name, the unknown model as "".
func figuresOfRows(rows []Row) map[string]modelFigures {
	out := make(map[string]modelFigures)
	for _, r := range rows {
		name := r.Name
		if name == UnknownModel || name == NoAgent {
			name = ""
		}
		out[name] = modelFigures{
			Invocations: r.Invocations, Errors: r.Errors, Hits: r.CacheHits, Misses: r.CacheMisses,
			Prompt: r.Usage.Prompt, Completion: r.Usage.Completion, CacheRead: r.Usage.CacheRead,
			Reasoning: r.Usage.Reasoning, Saved: r.TokensSaved, Cost: r.CostUSD,
		}
	}
	return out
}

func figuresOfStats(groups map[string]otelagent.GroupStats) map[string]modelFigures {
	out := make(map[string]modelFigures)
	for name, g := range groups {
		out[name] = modelFigures{
			Invocations: g.Invocations, Errors: g.Errors, Hits: g.CacheHits, Misses: g.CacheMisses,
			Prompt: g.PromptTokens, Completion: g.CompletionTokens, CacheRead: g.CacheReadTokens,
			Reasoning: g.ReasoningTokens, Saved: g.TokensSaved, Cost: g.CostSpent,
		}
	}
	return out
}

// figuresOfMetrics reads the per-model figures from the otelagent.* counters: invocations of
// agents and of chats outside any agent, and tokens, tokens saved and cost.
func figuresOfMetrics(t *testing.T, rm metricdata.ResourceMetrics) map[string]modelFigures {
	t.Helper()
	out := make(map[string]modelFigures)
	model := func(set attribute.Set) string {
		v, _ := set.Value(semconv.GenAIResponseModelKey)
		return v.AsString()
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch data := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, dp := range data.DataPoints {
					f := out[model(dp.Attributes)]
					switch m.Name {
					case semconv.InvocationsName:
						op, _ := dp.Attributes.Value(semconv.GenAIOperationNameKey)
						_, inAgent := dp.Attributes.Value(semconv.GenAIAgentNameKey)
						if op.AsString() != semconv.OperationInvokeAgent && (op.AsString() != semconv.OperationChat || inAgent) {
							continue
						}
						f.Invocations += dp.Value
						if _, ok := dp.Attributes.Value(semconv.ErrorTypeKey); ok {
							f.Errors += dp.Value
						}
						if hit, ok := dp.Attributes.Value(semconv.CacheHitKey); ok {
							if hit.AsBool() {
								f.Hits += dp.Value
							} else {
								f.Misses += dp.Value
							}
						}
					case semconv.TokensName:
						kind, _ := dp.Attributes.Value(semconv.TokenKindKey)
						switch kind.AsString() {
						case semconv.TokenKindInput:
							f.Prompt += dp.Value
						case semconv.TokenKindOutput:
							f.Completion += dp.Value
						case semconv.TokenKindCacheRead:
							f.CacheRead += dp.Value
						case semconv.TokenKindReasoning:
							f.Reasoning += dp.Value
						}
					case semconv.CacheTokensSavedName:
						f.Saved += dp.Value
					default:
						continue
					}
					out[model(dp.Attributes)] = f
				}
			case metricdata.Sum[float64]:
				if m.Name != semconv.CostName {
					continue
				}
				for _, dp := range data.DataPoints {
					f := out[model(dp.Attributes)]
					f.Cost += dp.Value
					out[model(dp.Attributes)] = f
				}
			}
		}
	}
	return out
}

// assertSameFigures compares two per-model breakdowns: counts exactly, costs to rounding.
func assertSameFigures(t *testing.T, want, got map[string]modelFigures, view string) {
	t.Helper()
	for name := range got {
		if _, ok := want[name]; !ok {
			assert.Failf(t, "extra row", "%s: %q: %+v", view, name, got[name])
		}
	}
	for name, w := range want {
		g := got[name]
		assert.InDelta(t, w.Cost, g.Cost, 1e-12, "%s: model %q cost", view, name)
		w.Cost, g.Cost = 0, 0
		assert.Equal(t, w, g, "%s: model %q", view, name)
	}
}

// TestModelFiguresAgree runs one scenario and checks that Stats().Models, the report by model
// over the trace file, the report by model over the SaveTrace summary and the otelagent.*
// metrics give the same invocations, errors, hits, tokens and cost per model, and that the
// model rows add up to the totals as the agent rows do.
func TestModelFiguresAgree(t *testing.T) {
	tr, tracePath, rm := runModelScenario(t)
	stats := tr.Stats()
	want := figuresOfStats(stats.Models)
	// Stats keeps in-flight counts by requested model; a group with nothing else is no row.
	for _, requested := range []string{"gpt-4o-mini", "claude-sonnet-4"} {
		assert.Equal(t, modelFigures{}, want[requested])
		delete(want, requested)
	}

	// The model of each invocation, by the package's rule.
	wantInvocations := map[string]int64{
		"gpt-4o-2024-08-06":      3, // two misses answered by the snapshot, the hit naming it
		"gpt-4o":                 3, // the hit naming the family, the failure, the agent whose chat came late
		"gpt-4o-mini-2024-07-18": 2, // the agent reporting usage, the chat outside any agent
		"":                       2, // chats that disagree; no model at all
	}
	for name, n := range wantInvocations {
		assert.Equal(t, n, want[name].Invocations, "Stats().Models[%q].Invocations", name)
	}
	assert.Equal(t, int64(1), want["gpt-4o-2024-08-06"].Hits)
	assert.Equal(t, int64(2), want["gpt-4o-2024-08-06"].Misses)
	assert.Equal(t, int64(13), want["claude-sonnet-4-20250514"].Prompt, "tokens count under the model that answered")

	saved := filepath.Join(t.TempDir(), "summary.json")
	require.NoError(t, tr.SaveTrace(saved))

	for _, src := range []struct{ name, path string }{{"report over the trace file", tracePath}, {"report over the SaveTrace summary", saved}} {
		byModel, err := Build([]string{src.path}, nil, Options{By: ByModel})
		require.NoError(t, err)
		assertSameFigures(t, want, figuresOfRows(byModel.Rows), src.name)

		byAgent, err := Build([]string{src.path}, nil, Options{By: ByAgent})
		require.NoError(t, err)
		assertSameFigures(t, figuresOfStats(stats.Agents), figuresOfRows(byAgent.Rows), src.name+" by agent")

		var sum Row
		for _, r := range byModel.Rows {
			sum.Invocations += r.Invocations
			sum.Errors += r.Errors
			sum.CacheHits += r.CacheHits
			sum.CacheMisses += r.CacheMisses
			sum.Usage.add(r.Usage)
			sum.TokensSaved += r.TokensSaved
		}
		total := byModel.Total
		assert.Equal(t, total.Invocations, sum.Invocations, "%s: model rows add up to the total invocations", src.name)
		assert.Equal(t, total.Errors, sum.Errors, "%s: errors", src.name)
		assert.Equal(t, total.CacheHits, sum.CacheHits, "%s: hits", src.name)
		assert.Equal(t, total.CacheMisses, sum.CacheMisses, "%s: misses", src.name)
		assert.Equal(t, total.Usage, sum.Usage, "%s: usage", src.name)
		assert.Equal(t, total.TokensSaved, sum.TokensSaved, "%s: tokens saved", src.name)
	}
	assertSameFigures(t, want, figuresOfMetrics(t, rm), "otelagent.* metrics")
}
