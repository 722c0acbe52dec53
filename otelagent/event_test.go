package otelagent

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"

	"github.com/agenttrace/otelagent/semconv"
)

func TestRecordEvent(t *testing.T) {
	h := newHarness(t)
	ctx, inv := h.Invoke(t.Context(), "planner", nil)
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	h.RecordEvent(ctx, Event{Name: "plan.ready", Time: at, Attributes: []attribute.KeyValue{attribute.Int("steps", 3)}})
	require.NoError(t, inv.Complete(nil))

	s := h.span(t, "invoke_agent planner")
	require.Len(t, s.Events(), 1)
	assert.Equal(t, "plan.ready", s.Events()[0].Name)
	assert.Equal(t, at, s.Events()[0].Time)
	assert.Equal(t, []attribute.KeyValue{attribute.Int("steps", 3)}, s.Events()[0].Attributes)

	events := h.Events()
	require.Len(t, events, 2)
	assert.Equal(t, "plan.ready", events[0].Name)
	assert.Equal(t, "planner", events[0].Agent, "filled from ctx")
	assert.Equal(t, s.SpanContext().SpanID().String(), events[0].SpanID)
	assert.Equal(t, semconv.EventOperationCompleted, events[1].Name)
	assert.Equal(t, "invoke_agent", events[1].Operation)
	assert.Equal(t, s.SpanContext().SpanID().String(), events[1].SpanID, "completion events name their span")
	assert.Equal(t, s.SpanContext().TraceID().String(), events[1].TraceID)
}

func TestEventLogCapacity(t *testing.T) {
	tests := []struct {
		name     string
		capacity int
		record   int
		want     []string
	}{
		{"off", 0, 3, nil},
		{"under capacity", 5, 3, []string{"e0", "e1", "e2"}},
		{"wraps, oldest dropped first", 3, 7, []string{"e4", "e5", "e6"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, WithEventLog(tt.capacity))
			for i := range tt.record {
				h.RecordEvent(t.Context(), Event{Name: "e" + string(rune('0'+i))})
			}
			var names []string
			for _, e := range h.Events() {
				names = append(names, e.Name)
			}
			assert.Equal(t, tt.want, names)
		})
	}
}

func TestSaveTrace(t *testing.T) {
	h := newHarness(t, WithPricing(testPricing))
	_, inv := h.Invoke(t.Context(), "a", nil)
	require.NoError(t, inv.Complete(nil, WithUsage(TokenUsage{PromptTokens: 10, CompletionTokens: 2, Model: "gpt-4o"}), WithError(errors.New("boom"))))
	h.RecordEvent(t.Context(), Event{Name: "note", Attributes: []attribute.KeyValue{attribute.Bool("ok", true)}})

	path := filepath.Join(t.TempDir(), "trace.json")
	require.NoError(t, os.WriteFile(path, []byte("old"), 0o644))
	require.NoError(t, h.SaveTrace(path))
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left behind")

	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var doc struct {
		CacheStatistics CacheStatistics `json:"cache_statistics"`
		Stats           Stats           `json:"stats"`
		Events          []map[string]any
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	assert.Equal(t, h.CacheStatistics(), doc.CacheStatistics)
	assert.Equal(t, int64(1), doc.Stats.Agents["a"].Errors)
	require.Len(t, doc.Events, 2)
	assert.Equal(t, "boom", doc.Events[0]["error"])
	assert.Equal(t, map[string]any{"ok": true}, doc.Events[1]["attributes"])
}

func TestSaveTraceErrors(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	err := h.SaveTrace(filepath.Join(dir, "missing-dir", "trace.json"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "missing-dir")

	// A directory in the way of the rename: the error is returned, nothing is left behind.
	target := filepath.Join(dir, "taken")
	require.NoError(t, os.Mkdir(target, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(target, "keep"), nil, 0o600))
	require.Error(t, h.SaveTrace(target))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1)
}

func TestToolEventsNameTheTool(t *testing.T) {
	h := newHarness(t)
	ctx, agent := h.Invoke(t.Context(), "a", nil)
	tctx, tool := h.StartTool(ctx, "search")
	h.RecordEvent(tctx, Event{Name: "retry"})
	require.NoError(t, tool.Complete(nil))
	require.NoError(t, agent.Complete(nil))
	events := h.Events()
	require.Len(t, events, 3)
	assert.Equal(t, "search", events[0].Tool, "an event recorded inside the tool")
	assert.Equal(t, semconv.OperationExecuteTool, events[1].Operation)
	assert.Equal(t, "search", events[1].Tool)
	assert.Equal(t, "a", events[1].Agent)
	assert.Empty(t, events[2].Tool)
}
