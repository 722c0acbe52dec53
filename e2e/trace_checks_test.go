package e2e

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/agenttrace/otelagent/semconv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tags Jaeger derives from a span's status and kind.
const (
	jaegerErrorTag      = "error"
	jaegerStatusCodeTag = "otel.status_code"
	jaegerSpanKindTag   = "span.kind"
)

// checkScenarioTrace compares the one trace of a scenario run, as Jaeger
// returns it, with the expected spans: names, kinds, parents, tags with their
// types and values, error status.
func checkScenarioTrace(t *testing.T, traces []jaegerTrace, service string) {
	t.Helper()
	require.Len(t, traces, 1, "one workflow, one trace")
	tr := traces[0]
	want := expectedSpans()
	require.Len(t, tr.Spans, len(want), "spans in the trace")

	byStep := map[string]jaegerSpan{}
	for _, s := range tr.Spans {
		tag, ok := s.tag(string(stepKey))
		require.True(t, ok, "span %s %q has no %s tag", s.SpanID, s.OperationName, stepKey)
		step := fmt.Sprint(tag.Value)
		require.NotContains(t, byStep, step, "two spans of step %s", step)
		byStep[step] = s
		assert.Equal(t, tr.TraceID, s.TraceID, "step %s: trace id", step)
		assert.Equal(t, service, tr.Processes[s.ProcessID].ServiceName, "step %s: service", step)
	}

	for _, w := range want {
		s, ok := byStep[w.step]
		if !assert.True(t, ok, "no span for step %s (%s)", w.step, w.name) {
			continue
		}
		assert.Equal(t, w.name, s.OperationName, "step %s: name", w.step)
		if w.parent == "" {
			assert.Empty(t, s.parentID(), "step %s: root span has a parent", w.step)
		} else {
			assert.Equal(t, byStep[w.parent].SpanID, s.parentID(), "step %s: parent should be step %s", w.step, w.parent)
		}
		assertTag(t, s, jaegerSpanKindTag, w.kind)
		for key, value := range w.tags {
			assertTag(t, s, string(key), value)
		}
		if w.errType != "" {
			assertTag(t, s, string(semconv.ErrorTypeKey), w.errType)
			assertTag(t, s, jaegerErrorTag, true)
			assertTag(t, s, jaegerStatusCodeTag, "ERROR")
		} else {
			for _, key := range []string{string(semconv.ErrorTypeKey), jaegerErrorTag} {
				_, has := s.tag(key)
				assert.False(t, has, "step %s: unexpected %s tag", w.step, key)
			}
		}
	}
}

// assertTag checks that span s has tag key of value want, with the Jaeger type
// matching want's Go type.
func assertTag(t *testing.T, s jaegerSpan, key string, want any) {
	t.Helper()
	got, ok := s.tag(key)
	if !assert.True(t, ok, "span %q: no tag %s", s.OperationName, key) {
		return
	}
	switch w := want.(type) {
	case string:
		assert.Equal(t, "string", got.Type, "span %q: type of %s", s.OperationName, key)
		assert.Equal(t, w, got.Value, "span %q: %s", s.OperationName, key)
	case bool:
		assert.Equal(t, "bool", got.Type, "span %q: type of %s", s.OperationName, key)
		assert.Equal(t, w, got.Value, "span %q: %s", s.OperationName, key)
	case int64:
		assert.Equal(t, "int64", got.Type, "span %q: type of %s", s.OperationName, key)
		assert.Equal(t, json.Number(fmt.Sprint(w)), got.Value, "span %q: %s", s.OperationName, key)
	case float64:
		assert.Equal(t, "float64", got.Type, "span %q: type of %s", s.OperationName, key)
		n, isNum := got.Value.(json.Number)
		if assert.True(t, isNum, "span %q: %s is %T", s.OperationName, key, got.Value) {
			v, err := n.Float64()
			require.NoError(t, err)
			assert.InDelta(t, w, v, 1e-9*math.Max(1, math.Abs(w)), "span %q: %s", s.OperationName, key)
		}
	default:
		t.Fatalf("assertTag: unsupported expected type %T for %s", want, key)
	}
}

// assertSameSpans checks that two reads of the same spans agree on everything
// the spans carry: ids, names, parents, times, tags, service and resource.
func assertSameSpans(t *testing.T, want, got []jaegerTrace) {
	t.Helper()
	index := func(traces []jaegerTrace) map[string]jaegerSpan {
		m := map[string]jaegerSpan{}
		for _, tr := range traces {
			for _, s := range tr.Spans {
				s.ProcessID = processKey(tr.Processes[s.ProcessID])
				m[s.TraceID+"/"+s.SpanID] = s
			}
		}
		return m
	}
	w, g := index(want), index(got)
	require.NotEmpty(t, w)
	assert.Len(t, g, len(w), "span count")
	for id, ws := range w {
		gs, ok := g[id]
		if !assert.True(t, ok, "span %s (%s) missing", id, ws.OperationName) {
			continue
		}
		assert.Equal(t, ws.OperationName, gs.OperationName, "span %s: name", id)
		assert.Equal(t, ws.parentID(), gs.parentID(), "span %s: parent", id)
		assert.Equal(t, ws.StartTime, gs.StartTime, "span %s: start", id)
		assert.Equal(t, ws.Duration, gs.Duration, "span %s: duration", id)
		assert.ElementsMatch(t, ws.Tags, gs.Tags, "span %s: tags", id)
		assert.Equal(t, ws.ProcessID, gs.ProcessID, "span %s: service and resource", id)
	}
}

// processKey renders a process (service and resource attributes) independently
// of tag order.
func processKey(p jaegerProcess) string {
	tags := make([]string, len(p.Tags))
	for i, t := range p.Tags {
		tags[i] = fmt.Sprintf("%s:%s=%v", t.Key, t.Type, t.Value)
	}
	slices.Sort(tags)
	return p.ServiceName + "{" + strings.Join(tags, ",") + "}"
}
