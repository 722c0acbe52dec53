package exporters_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agenttrace/otelagent/exporters"
	"github.com/agenttrace/otelagent/otelagent"
)

// setupWithPricing runs Setup as a user would, from a config file naming a pricing file and
// content settings; logs go to a file the test reads.
func setupWithPricing(t *testing.T) (*exporters.Telemetry, string) {
	t.Helper()
	for _, k := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SDK_DISABLED", "OTEL_TRACES_SAMPLER"} {
		t.Setenv(k, "")
		require.NoError(t, os.Unsetenv(k))
	}
	dir := t.TempDir()
	t.Chdir(dir)
	require.NoError(t, os.WriteFile("pricing.json", []byte(`{"gpt-4o-mini": {"input": 0.15, "output": 0.6}}`), 0o600))
	require.NoError(t, os.WriteFile("config.yaml", []byte(`
pricing: pricing.json
content: {capture: true, max_bytes: 64}
logging: {console: false, file: agent.log, format: json}
`), 0o600))
	cfg, err := exporters.LoadConfig("config.yaml")
	require.NoError(t, err)
	tel, err := exporters.Setup(t.Context(), cfg)
	require.NoError(t, err)
	return tel, filepath.Join(dir, "agent.log")
}

func chat(tracer *otelagent.Tracer) {
	_, c := tracer.StartChat(context.Background(), "gpt-4o-mini")
	_ = c.Complete([]otelagent.Message{{Role: "assistant", Content: "hi"}},
		otelagent.WithUsage(otelagent.TokenUsage{PromptTokens: 1_000_000, CompletionTokens: 1_000_000, Model: "gpt-4o-mini"}))
}

func TestTelemetryTracerAppliesConfig(t *testing.T) {
	tel, logFile := setupWithPricing(t)
	tracer := tel.Tracer(otelagent.WithProviderName("openai"))
	chat(tracer)
	require.NoError(t, tel.Shutdown(t.Context()))

	assert.InDelta(t, 0.75, tracer.CacheStatistics().CostSpent, 1e-9, "the config's pricing reached the Tracer")
	logs, err := os.ReadFile(logFile)
	require.NoError(t, err)
	assert.NotContains(t, string(logs), "Telemetry.Tracer", "no hint for a Tracer built the right way")
}

func TestTelemetryTracerOptionsWin(t *testing.T) {
	tel, _ := setupWithPricing(t)
	tracer := tel.Tracer(otelagent.WithPricing(otelagent.Pricing{"gpt-4o-mini": {Input: 1, Output: 1}}))
	chat(tracer)
	require.NoError(t, tel.Shutdown(t.Context()))
	assert.InDelta(t, 2.0, tracer.CacheStatistics().CostSpent, 1e-9)
}

// A Tracer from plain otelagent.New misses the config's pricing: the log says so, once.
func TestPlainNewWithConfigPricingIsLoggedOnce(t *testing.T) {
	tel, logFile := setupWithPricing(t)
	chat(otelagent.New())
	chat(otelagent.New())
	require.NoError(t, tel.Shutdown(t.Context()))

	logs, err := os.ReadFile(logFile)
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(string(logs), "build it with Telemetry.Tracer"), string(logs))
	assert.Contains(t, string(logs), `"pricing":"pricing.json"`)
}

func TestNilTelemetryTracer(t *testing.T) {
	var tel *exporters.Telemetry
	tracer := tel.Tracer()
	require.NotNil(t, tracer)
	chat(tracer)
}
