package semcheck

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agenttrace/otelagent/semconv"
)

func loadModel(t *testing.T) *Model {
	t.Helper()
	m, err := LoadShipped()
	require.NoError(t, err)
	return m
}

func TestLoadResolvesSpans(t *testing.T) {
	m := loadModel(t)
	chat, ok := m.spanDef(semconv.OperationChat, ptrace.SpanKindClient)
	require.True(t, ok)
	assert.Equal(t, "span.gen_ai.inference.client", chat.ID)
	assert.Equal(t, []string{string(semconv.GenAIOperationNameKey), string(semconv.GenAIProviderNameKey)}, chat.Required,
		"operation name inherited through extends, provider added by the span")
	assert.Contains(t, chat.OnError, string(semconv.ErrorTypeKey))

	agent, ok := m.spanDef(semconv.OperationInvokeAgent, ptrace.SpanKindInternal)
	require.True(t, ok)
	assert.Equal(t, "span.gen_ai.invoke_agent.internal", agent.ID)
	tool, ok := m.spanDef(semconv.OperationExecuteTool, ptrace.SpanKindInternal)
	require.True(t, ok)
	assert.Contains(t, tool.Required, string(semconv.GenAIToolNameKey))

	assert.Equal(t, "int", m.Attributes[string(semconv.GenAIUsageInputTokensKey)].Type)
	assert.Equal(t, "enum", m.Attributes[string(semconv.GenAIOperationNameKey)].Type)
	assert.Equal(t, "renamed to gen_ai.usage.input_tokens", m.Attributes["gen_ai.usage.prompt_tokens"].Deprecated)
}

func span(op string, kind ptrace.SpanKind, attrs map[string]any) ptrace.Span {
	sp := ptrace.NewSpan()
	sp.SetName(op + " x")
	sp.SetKind(kind)
	sp.SetSpanID(pcommon.SpanID{1, 2, 3, 4, 5, 6, 7, 8})
	if op != "" {
		sp.Attributes().PutStr(string(semconv.GenAIOperationNameKey), op)
	}
	if err := sp.Attributes().FromRaw(mergeRaw(sp.Attributes().AsRaw(), attrs)); err != nil {
		panic(err)
	}
	return sp
}

func mergeRaw(a, b map[string]any) map[string]any {
	for k, v := range b {
		a[k] = v
	}
	return a
}

func TestCheckSpan(t *testing.T) {
	m := loadModel(t)
	provider := string(semconv.GenAIProviderNameKey)
	failed := span("invoke_agent", ptrace.SpanKindInternal, map[string]any{provider: "openai"})
	failed.Status().SetCode(ptrace.StatusCodeError)
	tests := []struct {
		name string
		span ptrace.Span
		want []Finding
	}{
		{name: "good chat", span: span("chat", ptrace.SpanKindClient, map[string]any{provider: "openai", string(semconv.GenAIUsageInputTokensKey): 3})},
		{name: "not GenAI", span: span("", ptrace.SpanKindServer, map[string]any{"http.method": "GET"})},
		{name: "missing provider", span: span("chat", ptrace.SpanKindClient, nil), want: []Finding{
			{Severity: SeverityError, Key: provider, Message: "required attribute is missing (span.gen_ai.inference.client)"}}},
		{name: "tool without name", span: span("execute_tool", ptrace.SpanKindInternal, nil), want: []Finding{
			{Severity: SeverityError, Key: string(semconv.GenAIToolNameKey), Message: "required attribute is missing (span.gen_ai.execute_tool.internal)"}}},
		{name: "no operation", span: span("", ptrace.SpanKindClient, map[string]any{provider: "openai"}), want: []Finding{
			{Severity: SeverityError, Key: string(semconv.GenAIOperationNameKey), Message: "required attribute is missing"}}},
		{name: "wrong type", span: span("chat", ptrace.SpanKindClient, map[string]any{provider: "openai", string(semconv.GenAIUsageInputTokensKey): "3"}), want: []Finding{
			{Severity: SeverityError, Key: string(semconv.GenAIUsageInputTokensKey), Message: "has type str, the registry says int"}}},
		{name: "deprecated and unknown", span: span("chat", ptrace.SpanKindClient, map[string]any{provider: "openai", "gen_ai.usage.prompt_tokens": 3, "gen_ai.made_up": true}), want: []Finding{
			{Severity: SeverityWarning, Key: "gen_ai.made_up", Message: "not a key of the GenAI conventions registry"},
			{Severity: SeverityWarning, Key: "gen_ai.usage.prompt_tokens", Message: "deprecated (renamed to gen_ai.usage.input_tokens)"}}},
		{name: "unknown operation", span: span("summarize", ptrace.SpanKindClient, nil), want: []Finding{
			{Severity: SeverityWarning, Key: string(semconv.GenAIOperationNameKey), Message: `no span definition for operation "summarize"; only keys and types checked`}}},
		{name: "error without error.type", span: failed, want: []Finding{
			{Severity: SeverityError, Key: string(semconv.ErrorTypeKey), Message: "required when the operation ended in an error (span.gen_ai.invoke_agent.internal)"}}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := m.CheckSpan(tt.span)
			for i := range got {
				assert.Equal(t, tt.span.Name(), got[i].Span)
				assert.Equal(t, "0102030405060708", got[i].SpanID)
				got[i].Span, got[i].SpanID = "", ""
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestLoadErrors(t *testing.T) {
	empty := t.TempDir()
	broken := t.TempDir()
	for _, f := range []string{RegistryFile, DeprecatedRegistryFile, SpansFile} {
		require.NoError(t, os.WriteFile(filepath.Join(broken, f), []byte("groups: [\n"), 0o600))
	}
	noGroups := t.TempDir()
	for _, f := range []string{RegistryFile, DeprecatedRegistryFile, SpansFile} {
		require.NoError(t, os.WriteFile(filepath.Join(noGroups, f), []byte("other: 1\n"), 0o600))
	}
	tests := []struct{ name, dir, want string }{
		{"missing", empty, "registry.yaml: no such file"},
		{"broken", broken, "registry.yaml: yaml:"},
		{"no groups", noGroups, "no groups: not a semantic conventions model"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.dir)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// TestShippedModels checks that the built-in models are the version semconv is pinned to,
// that they load as a directory does, and that their licence travels with them.
func TestShippedModels(t *testing.T) {
	assert.Equal(t, semconv.SchemaVersion, ShippedVersion)
	shippedModel, err := LoadShipped()
	require.NoError(t, err)
	assert.Equal(t, "built-in GenAI conventions v"+ShippedVersion, shippedModel.Dir)
	fromDir, err := Load(filepath.Join("model", "v"+ShippedVersion))
	require.NoError(t, err)
	assert.Equal(t, fromDir.Attributes, shippedModel.Attributes)
	assert.Equal(t, fromDir.Spans, shippedModel.Spans)
	license, err := shipped.ReadFile(shippedDir + "/LICENSE")
	require.NoError(t, err)
	assert.Contains(t, string(license), "Apache License")
}
