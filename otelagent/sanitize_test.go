package otelagent

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/agenttrace/otelagent/semconv"
)

type badErrorType struct{}

func (badErrorType) Error() string     { return "failed \xff here" }
func (badErrorType) ErrorType() string { return "bad\xfe" }

// assertValidValue fails for every string in v that is not valid UTF-8.
func assertValidValue(t *testing.T, where string, v attribute.Value) {
	t.Helper()
	switch v.Type() {
	case attribute.STRING:
		assert.True(t, utf8.ValidString(v.AsString()), "%s: %q", where, v.AsString())
	case attribute.STRINGSLICE:
		for _, s := range v.AsStringSlice() {
			assert.True(t, utf8.ValidString(s), "%s: %q", where, s)
		}
	}
}

func assertValidSet(t *testing.T, where string, set attribute.Set) {
	t.Helper()
	for _, kv := range set.ToSlice() {
		assert.True(t, utf8.ValidString(string(kv.Key)), "%s: key %q", where, kv.Key)
		assertValidValue(t, where+" "+string(kv.Key), kv.Value)
	}
}

func TestInvalidUTF8NeverRecorded(t *testing.T) {
	const bad = "bad\xff"
	h := newHarness(t, WithProviderName("prov\xc3"), WithContentCapture(true))
	ctx, wf := h.StartWorkflow(t.Context(), "wf"+bad, WithConversationID("conv"+bad))
	actx, agent := h.Invoke(ctx, bad, []Message{{Role: "user", Content: "hi" + bad}},
		WithAgentID("id"+bad), WithRequestModel("model"+bad),
		WithAttributes(attribute.String("k"+bad, "v"+bad), attribute.StringSlice("ks", []string{"ok", "x" + bad}), attribute.Int("n", 1)))
	_, chat := h.StartChat(actx, "chat"+bad, WithProviderName("p"+bad))
	require.NoError(t, chat.Complete([]Message{{Content: bad}}, WithUsage(TokenUsage{PromptTokens: 3, CompletionTokens: 1, Model: "resp" + bad}),
		WithFinishReasons("stop"+bad)))
	_, tool := h.StartTool(actx, "tool"+bad, WithToolCallID("call"+bad), WithToolArguments(`{"q":"`+bad+`"}`))
	require.NoError(t, tool.Complete([]Message{{Content: "result" + bad}}, WithError(badErrorType{})))
	h.RecordEvent(actx, Event{Name: "ev" + bad, Model: "m" + bad, Error: "e" + bad,
		Attributes: []attribute.KeyValue{attribute.String("a", bad), attribute.StringSlice("s", []string{bad})}})
	require.NoError(t, agent.Complete(nil, WithUsage(TokenUsage{PromptTokens: 5, CompletionTokens: 1, Model: "resp" + bad}),
		WithError(errors.New("boom"+bad))))
	require.NoError(t, wf.Complete(nil))
	require.NoError(t, h.OnMessagesComplete(h.OnMessagesInvoke(t.Context(), "seed"+bad, nil, TokenUsage{}, false), "seed"+bad, nil, TokenUsage{}, false),
		"the callback pair finds its invocation by the cleaned name")

	spans := h.spans.Ended()
	require.Len(t, spans, 5)
	for _, s := range spans {
		assert.True(t, utf8.ValidString(s.Name()), "span name %q", s.Name())
		assert.True(t, utf8.ValidString(s.Status().Description), "status %q", s.Status().Description)
		assertValidSet(t, s.Name(), attribute.NewSet(s.Attributes()...))
		for _, e := range s.Events() {
			assert.True(t, utf8.ValidString(e.Name), "event name %q", e.Name)
			assertValidSet(t, s.Name()+" event", attribute.NewSet(e.Attributes...))
		}
	}
	for name, m := range h.metrics(t) {
		switch d := m.Data.(type) {
		case metricdata.Sum[int64]:
			for _, dp := range d.DataPoints {
				assertValidSet(t, name, dp.Attributes)
			}
		case metricdata.Sum[float64]:
			for _, dp := range d.DataPoints {
				assertValidSet(t, name, dp.Attributes)
			}
		case metricdata.Histogram[int64]:
			for _, dp := range d.DataPoints {
				assertValidSet(t, name, dp.Attributes)
			}
		case metricdata.Histogram[float64]:
			for _, dp := range d.DataPoints {
				assertValidSet(t, name, dp.Attributes)
			}
		default:
			t.Errorf("%s: unexpected data %T", name, m.Data)
		}
	}
	// Statistics use the same cleaned names as the metrics, so the two can be joined.
	st := h.Stats()
	assert.Contains(t, st.Agents, "bad\uFFFD")
	assert.Contains(t, st.Models, "respbad\uFFFD")
	assert.Contains(t, st.Models, "modelbad\uFFFD", "the requested model's in-flight count")
	m := h.metrics(t)
	assert.Equal(t, st.Agents["bad\uFFFD"].TotalTokens,
		sumInt(t, m[semconv.TokensName], semconv.GenAIAgentName("bad\uFFFD")))
	for k := range st.Agents {
		assert.True(t, utf8.ValidString(k), "stats key %q", k)
	}
	for k := range st.Models {
		assert.True(t, utf8.ValidString(k), "stats key %q", k)
	}

	path := filepath.Join(t.TempDir(), "trace.json")
	require.NoError(t, h.SaveTrace(path))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.True(t, utf8.Valid(data), "SaveTrace writes valid UTF-8")
	assert.NotContains(t, string(data), `\ufffd`, "cleaned before encoding, not escaped by it")
	for _, e := range h.Events() {
		for _, s := range []string{e.Name, e.Operation, e.Agent, e.Model, e.Usage.Model, e.Error, e.TraceID, e.SpanID} {
			assert.True(t, utf8.ValidString(s), "event field %q", s)
		}
		assertValidSet(t, "event log", attribute.NewSet(e.Attributes...))
	}
}

func TestValidUTF8FastPathAllocatesNothing(t *testing.T) {
	s := "already valid ✓"
	kvs := []attribute.KeyValue{attribute.String("k", s), attribute.Int("n", 1)}
	allocs := testing.AllocsPerRun(100, func() {
		_ = validUTF8(s)
		validAttrs(kvs)
	})
	assert.Zero(t, allocs)
}
