package firsthour

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agenttrace/otelagent/internal/report"
	"github.com/agenttrace/otelagent/otelagent"
	"github.com/agenttrace/otelagent/semconv"
)

// deskConfig is the user's configuration: files under out/, the user's prices, content capture.
const deskConfig = `service_name: desk
exporters:
  file:
    path: out/agent_trace.jsonl
    metrics_path: out/agent_metrics.jsonl
content:
  capture: true
pricing: pricing.json
logging:
  level: INFO
  format: json
`

// deskPricing differs from the built-in list prices, so a cost shows which table priced it.
const deskPricing = `{
  "gpt-4o-mini": {"input": 1, "output": 4, "cache_read": 0.5},
  "claude-sonnet-4-5": {"input": 10, "output": 50, "cache_read": 1, "cache_write": 12.5}
}`

// The desk's model calls priced at deskPricing, in USD.
const (
	triageChatCost       = (200*1 + 1000*0.5 + 80*4) / 1e6 // 1000 of 1200 prompt tokens read from the cache
	writerChatCost       = (500*10 + 1500*12.5 + 500*50) / 1e6
	researcherOpenAICost = (400*1 + 100*4) / 1e6
	researcherClaudeCost = (400*10 + 100*50) / 1e6
	deskCostSpent        = triageChatCost + writerChatCost + researcherOpenAICost + researcherClaudeCost
	// The cache hit avoided a 1200+80 token call; the triage chat read 1000 tokens at half price.
	deskCostSaved = (1200*1+80*4)/1e6 + 1000*(1-0.5)/1e6
)

// deskSpans are the spans of one desk run, by name, with the provider each must carry.
var deskSpans = map[string][]string{
	"invoke_workflow support-desk": {semconv.ProviderOther},
	"invoke_agent triage":          {"openai", "openai"},
	"chat gpt-4o-mini":             {"openai", "openai"},
	"execute_tool lookup_order":    {"openai"},
	"invoke_agent writer":          {"anthropic"},
	"chat claude-sonnet-4-5":       {"anthropic", "anthropic"},
	"invoke_agent researcher":      {"openai"},
}

const deskSpanCount = 10

// TestFirstHour builds a program in a module of its own, as a new user does from the README,
// and runs it and the otelagent command as the user would.
func TestFirstHour(t *testing.T) {
	h := newHarness(t)

	// The user's run: config with pricing and content, files under out/.
	deskDir := t.TempDir()
	writeFiles(t, deskDir, map[string]string{"otelagent.yaml": deskConfig, "pricing.json": deskPricing})
	desk := run(t, deskDir, nil, h.desk, "-config", "otelagent.yaml")
	require.Equal(t, 0, desk.code, "desk: %s", desk.stderr)
	out := decodeDesk(t, desk)
	tracePath := filepath.Join(deskDir, "out", "agent_trace.jsonl")
	metricsPath := filepath.Join(deskDir, "out", "agent_metrics.jsonl")
	spans := readSpans(t, tracePath)
	require.Len(t, spans, deskSpanCount)

	t.Run("config pricing and content reach tel.Tracer", func(t *testing.T) {
		assert.InDelta(t, deskCostSpent, out.Cache.CostSpent, 1e-12)
		assert.InDelta(t, deskCostSaved, out.Cache.CostSaved, 1e-12)
		assert.Equal(t, int64(1), out.Cache.Hits)
		assert.Empty(t, out.Stats.UnpricedModels)

		var chatCosts []float64
		for _, s := range spans {
			if s.op == "chat" {
				cost, ok := s.attrs[string(semconv.CostUSDKey)].(float64)
				assert.True(t, ok, "%s has no %s", s.name, semconv.CostUSDKey)
				chatCosts = append(chatCosts, cost)
			}
			if s.name == "invoke_agent writer" {
				assert.Contains(t, s.attrs[string(semconv.GenAIInputMessagesKey)], "Where is my order 1042?", "content.capture: true")
				assert.Contains(t, s.attrs[string(semconv.GenAIOutputMessagesKey)], "left the warehouse")
			}
		}
		assert.InDeltaSlice(t, []float64{triageChatCost, writerChatCost, researcherOpenAICost, researcherClaudeCost}, chatCosts, 1e-12)
		assert.Zero(t, countLines(desk.stderr, "Telemetry.Tracer"), "tel.Tracer needs no hint: %s", desk.stderr)
	})

	t.Run("plain otelagent.New after Setup with config pricing logs a hint once", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"otelagent.yaml": deskConfig, "pricing.json": deskPricing})
		r := run(t, dir, nil, h.desk, "-config", "otelagent.yaml", "-plain")
		require.Equal(t, 0, r.code, r.stderr)
		assert.Equal(t, 1, countLines(r.stderr, "build it with Telemetry.Tracer"), "stderr: %s", r.stderr)
		assert.Contains(t, r.stderr, `"pricing":"pricing.json"`)
	})

	t.Run("the README's Setup snippet prices with the config file", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"otelagent.yaml": deskConfig, "pricing.json": deskPricing})
		r := run(t, dir, nil, h.readme)
		require.Equal(t, 0, r.code, r.stderr)
		var cache otelagent.CacheStatistics
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &cache), r.stdout)
		assert.InDelta(t, (1000*1+100*4)/1e6, cache.CostSpent, 1e-12, "gpt-4o-mini at the config's prices")
		assert.Zero(t, countLines(r.stderr, "Telemetry.Tracer"), "stderr: %s", r.stderr)
	})

	t.Run("one Tracer, two providers: spans and metrics carry each call's provider", func(t *testing.T) {
		got := map[string][]string{}
		for _, s := range spans {
			got[s.name] = append(got[s.name], s.provider)
		}
		assert.Equal(t, deskSpans, got)

		points := readPoints(t, metricsPath, semconv.GenAIClientTokenUsageName, semconv.GenAIClientOperationDurationName)
		require.NotEmpty(t, points)
		providers := map[string]map[string]bool{} // request model -> providers
		for _, p := range points {
			model, _ := p.attrs[string(semconv.GenAIRequestModelKey)].(string)
			provider, _ := p.attrs[string(semconv.GenAIProviderNameKey)].(string)
			if p.attrs[string(semconv.GenAIOperationNameKey)] == "chat" {
				if providers[model] == nil {
					providers[model] = map[string]bool{}
				}
				providers[model][provider] = true
			}
			if agent := p.attrs[string(semconv.GenAIAgentNameKey)]; agent == "writer" {
				assert.Equal(t, "anthropic", provider, "%s point of the writer agent", p.metric)
			}
		}
		assert.Equal(t, map[string]map[string]bool{
			"gpt-4o-mini":       {"openai": true},
			"claude-sonnet-4-5": {"anthropic": true},
		}, providers, "providers of the chat points by model")
	})

	t.Run("per-model figures: Stats and report --by model agree", func(t *testing.T) {
		r := run(t, deskDir, nil, h.cli, "report", "--by", "model", "--format", "json", "out/agent_trace.jsonl")
		require.Equal(t, 0, r.code, r.stderr)
		var rep report.Report
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep))
		fromReport := map[string]modelFigures{}
		for _, row := range rep.Rows {
			name := row.Name
			if name == report.UnknownModel {
				name = ""
			}
			fromReport[name] = modelFigures{row.Invocations, row.Errors, row.CacheHits, row.CacheMisses,
				row.Prompt, row.Completion, row.CacheRead, row.CacheCreation, row.CostUSD}
		}
		fromStats := map[string]modelFigures{}
		for name, g := range out.Stats.Models {
			fromStats[name] = modelFigures{g.Invocations, g.Errors, g.CacheHits, g.CacheMisses,
				g.PromptTokens, g.CompletionTokens, g.CacheReadTokens, g.CacheCreationTokens, g.CostSpent}
		}
		assert.Equal(t, fromStats, fromReport)
		// The triage agent's miss and its hit both count under the snapshot its model answered with.
		snapshot := fromReport["gpt-4o-mini-2024-07-18"]
		assert.Equal(t, [2]int64{1, 1}, [2]int64{snapshot.CacheHits, snapshot.CacheMisses}, "hits and misses of the snapshot")
	})

	t.Run("validate trace needs nothing beside the repository", func(t *testing.T) {
		r := run(t, deskDir, nil, h.cli, "validate", "trace", "out/agent_trace.jsonl")
		assert.Equal(t, 0, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
		assert.Contains(t, r.stdout, "10 spans (10 GenAI): 0 errors")
	})

	t.Run("the README's glob with the metrics file beside the trace", func(t *testing.T) {
		const glob = "out/*.jsonl*"
		note := filepath.Join("out", "agent_metrics.jsonl") + " holds OTLP/JSON metrics, not traces; skipped"
		for _, tc := range []struct {
			args   []string
			stdout string
		}{
			{[]string{"report", glob}, "total"},
			{[]string{"validate", "trace", glob}, "10 spans (10 GenAI): 0 errors"},
			{[]string{"replay", "--dry-run", glob}, "dry run: 10 spans in 1 files would be sent"},
		} {
			t.Run(tc.args[0], func(t *testing.T) {
				r := run(t, deskDir, nil, h.cli, tc.args...)
				assert.Equal(t, 0, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
				assert.Contains(t, r.stdout, tc.stdout)
				assert.Contains(t, r.stderr, note)
			})
		}
	})

	t.Run("config type and value errors in one pass", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"otelagent.yaml": `service_name: desk
content:
  capture: yes please
  max_bytes: 16KB
exporters:
  otlp:
    protocol: http
pricing: prices.json
`})
		want := []string{"content.capture (line 3)", "content.max_bytes (line 4)", "exporters.otlp.protocol", "pricing"}
		r := run(t, dir, nil, h.desk, "-config", "otelagent.yaml")
		assert.Equal(t, 1, r.code)
		for _, w := range want {
			assert.Contains(t, r.stderr, w)
		}
		r = run(t, dir, nil, h.cli, "validate", "config", "otelagent.yaml")
		assert.Equal(t, 1, r.code)
		for _, w := range want {
			assert.Contains(t, r.stdout+r.stderr, w)
		}
		assert.Contains(t, r.stderr, "4 problems")
	})

	t.Run("install from a checkout with the README's replace", func(t *testing.T) {
		mod := h.goCmd(t, h.userModule, "-mod=mod", "list", "-m", "-f", "{{.Version}} {{.Replace.Dir}}", modulePath)
		assert.Equal(t, "v0.0.0 "+h.root, strings.TrimSpace(mod))
		// The README's import block names the packages the program imports.
		readme, err := os.ReadFile(filepath.Join(h.root, "README.md"))
		require.NoError(t, err)
		imports := h.goCmd(t, h.userModule, "-mod=mod", "list", "-f", `{{join .Imports "\n"}}`, ".")
		for imp := range strings.Lines(imports) {
			if imp = strings.TrimSpace(imp); strings.HasPrefix(imp, modulePath) {
				assert.Contains(t, string(readme), `"`+imp+`"`)
			}
		}
	})

	t.Run("the quickstart run twice leaves one run's spans", func(t *testing.T) {
		dir := t.TempDir()
		for range 2 {
			r := run(t, dir, nil, h.quickstart)
			require.Equal(t, 0, r.code, r.stderr)
		}
		spans := readSpans(t, filepath.Join(dir, "agent_trace.jsonl"))
		assert.Len(t, spans, 16)
		traces := map[string]bool{}
		for _, s := range spans {
			traces[s.traceID] = true
		}
		assert.Len(t, traces, 1, "the quickstart's one workflow")
		r := run(t, dir, nil, h.cli, "report", "--format", "json", "agent_trace.jsonl")
		require.Equal(t, 0, r.code, r.stderr)
		var rep report.Report
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep))
		assert.Equal(t, int64(16), rep.Spans)
		assert.Equal(t, int64(9), rep.Total.Invocations)
	})

	t.Run("a dead collector: the file keeps every span, Shutdown counts the unsent", func(t *testing.T) {
		for _, protocol := range []string{"grpc", "http/protobuf"} {
			t.Run(protocol, func(t *testing.T) {
				dir := t.TempDir()
				// No file section: the files are on because nothing turns them off. No export
				// before Shutdown (schedule_delay), so every span waits for the collector there.
				writeFiles(t, dir, map[string]string{"otelagent.yaml": `service_name: desk
shutdown_timeout: 1s
batch: {schedule_delay: 1h}
metrics: {export_interval: 1h}
logging: {level: INFO, format: json}
`})
				r := run(t, dir, []string{"OTEL_EXPORTER_OTLP_ENDPOINT=http://" + deadCollector(t), "OTEL_EXPORTER_OTLP_PROTOCOL=" + protocol},
					h.desk, "-config", "otelagent.yaml")
				assert.Equal(t, 1, r.code, "stderr: %s", r.stderr)
				decodeDesk(t, r)
				assert.Contains(t, r.stderr, "otlp: 10 spans not exported at shutdown")
				assert.Len(t, readSpans(t, filepath.Join(dir, "agent_trace.jsonl")), deskSpanCount)
				assert.NotEmpty(t, readPoints(t, filepath.Join(dir, "agent_metrics.jsonl"), semconv.GenAIClientTokenUsageName))
			})
		}
	})
}

// modelFigures are the figures of one model that Stats and the report both give.
type modelFigures struct {
	Invocations, Errors, CacheHits, CacheMisses  int64
	Prompt, Completion, CacheRead, CacheCreation int64
	Cost                                         float64
}
