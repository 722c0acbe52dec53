package report

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agenttrace/otelagent/semconv"
)

// base is the start of the synthetic traces.
var base = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// spec describes one synthetic span.
type spec struct {
	trace, id, parent uint64
	op, name          string
	agent, model      string
	conv              string
	start, dur        time.Duration
	in, out           int64
	cacheRead         int64
	reasoning         int64
	hit               *bool
	saved             int64
	cost, costSaved   float64
	hasCost           bool
	err               bool
	extra             map[string]any
}

func traceID(n uint64) pcommon.TraceID {
	var t pcommon.TraceID
	binary.BigEndian.PutUint64(t[8:], n)
	t[0] = 0xab
	return t
}

func spanID(n uint64) pcommon.SpanID {
	var s pcommon.SpanID
	if n == 0 {
		return s
	}
	binary.BigEndian.PutUint64(s[:], n)
	return s
}

func ptr[T any](v T) *T { return &v }

// tracesOf builds one record holding the spans, in order, under one resource.
func tracesOf(specs ...spec) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "synthetic")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	for _, s := range specs {
		sp := spans.AppendEmpty()
		sp.SetTraceID(traceID(s.trace))
		sp.SetSpanID(spanID(s.id))
		sp.SetParentSpanID(spanID(s.parent))
		sp.SetName(s.name)
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(base.Add(s.start)))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(base.Add(s.start + s.dur)))
		a := sp.Attributes()
		if s.op != "" {
			a.PutStr(string(semconv.GenAIOperationNameKey), s.op)
			a.PutStr(string(semconv.GenAIProviderNameKey), "openai")
		}
		if s.agent != "" {
			a.PutStr(string(semconv.GenAIAgentNameKey), s.agent)
		}
		if s.model != "" {
			a.PutStr(string(semconv.GenAIResponseModelKey), s.model)
		}
		if s.conv != "" {
			a.PutStr(string(semconv.GenAIConversationIDKey), s.conv)
		}
		if s.in+s.out > 0 {
			a.PutInt(string(semconv.GenAIUsageInputTokensKey), s.in)
			a.PutInt(string(semconv.GenAIUsageOutputTokensKey), s.out)
			a.PutInt(string(semconv.GenAIUsageCacheReadInputTokensKey), s.cacheRead)
			a.PutInt(string(semconv.GenAIUsageReasoningOutputTokensKey), s.reasoning)
			a.PutInt(string(semconv.UsageTotalTokensKey), s.in+s.out)
		}
		if s.hit != nil {
			a.PutBool(string(semconv.CacheHitKey), *s.hit)
		}
		if s.saved > 0 {
			a.PutInt(string(semconv.CacheTokensSavedKey), s.saved)
		}
		if s.hasCost {
			a.PutDouble(string(semconv.CostUSDKey), s.cost)
			a.PutDouble(string(semconv.CostSavedUSDKey), s.costSaved)
		}
		if s.err {
			sp.Status().SetCode(ptrace.StatusCodeError)
			a.PutStr(string(semconv.ErrorTypeKey), "timeout")
		}
		for k, v := range s.extra {
			if err := a.PutEmpty(k).FromRaw(v); err != nil {
				panic(err) // a test's own bad value
			}
		}
	}
	return td
}

// jsonLines encodes records as OTLP/JSON lines.
func jsonLines(t testing.TB, records ...ptrace.Traces) []byte {
	t.Helper()
	var buf bytes.Buffer
	var m ptrace.JSONMarshaler
	for _, td := range records {
		b, err := m.MarshalTraces(td)
		require.NoError(t, err)
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

// scenario is a day of synthetic traffic: two agents under a workflow, tools, chat calls
// inside and outside agents, cache hits, errors and a span of another library. Spans come
// children first, as exporters write them.
func scenario() []ptrace.Traces {
	var out []ptrace.Traces
	for i := range uint64(6) {
		at := time.Duration(i) * 50 * time.Minute
		tr := 100 + i
		conv := []string{"conv-a", "conv-b"}[i%2]
		hit := i%3 == 2
		out = append(out, tracesOf(
			// planner: a chat inside a tool inside the agent (rolled up), and its own figures.
			spec{trace: tr, id: 4, parent: 3, op: semconv.OperationChat, name: "chat gpt-4o", model: "gpt-4o", conv: conv,
				start: at + 20*time.Millisecond, dur: 300 * time.Millisecond, in: 100, out: 40, cacheRead: 50, hasCost: true, cost: 0.0006},
			spec{trace: tr, id: 3, parent: 2, op: semconv.OperationExecuteTool, name: "execute_tool search", conv: conv,
				start: at + 10*time.Millisecond, dur: 400 * time.Millisecond},
			spec{trace: tr, id: 2, parent: 1, op: semconv.OperationInvokeAgent, name: "invoke_agent planner", agent: "planner", model: "gpt-4o", conv: conv,
				start: at, dur: 500 * time.Millisecond, in: 100, out: 40, cacheRead: 50, hit: ptr(false), hasCost: true, cost: 0.0006},
			// writer: a cache hit every third time, else a miss with reasoning; an error at i=4.
			spec{trace: tr, id: 6, parent: 1, op: semconv.OperationInvokeAgent, name: "invoke_agent writer", agent: "writer", model: "gpt-4o-mini", conv: conv,
				start: at + time.Second, dur: time.Duration(1+i) * 100 * time.Millisecond,
				in: map[bool]int64{true: 0, false: 200}[hit], out: map[bool]int64{true: 0, false: 80}[hit], reasoning: map[bool]int64{true: 0, false: 30}[hit],
				hit: ptr(hit), saved: map[bool]int64{true: 280, false: 0}[hit], err: i == 4},
			// a chat straight under the workflow: no agent ancestor, counts on its own.
			spec{trace: tr, id: 7, parent: 1, op: semconv.OperationChat, name: "chat claude-sonnet-4", model: "claude-sonnet-4", conv: conv,
				start: at + 2*time.Second, dur: 700 * time.Millisecond, in: 60, out: 20},
			spec{trace: tr, id: 8, parent: 1, name: "HTTP GET", start: at + 3*time.Second, dur: time.Millisecond},
			spec{trace: tr, id: 1, op: semconv.OperationInvokeWorkflow, name: "invoke_workflow support", conv: conv,
				start: at, dur: 3 * time.Second},
		))
	}
	// A root chat span and one whose parent never shows up.
	out = append(out, tracesOf(
		spec{trace: 200, id: 1, op: semconv.OperationChat, name: "chat gpt-4o", model: "gpt-4o", start: 5 * time.Hour, dur: 250 * time.Millisecond, in: 10, out: 5},
		spec{trace: 201, id: 2, parent: 99, op: semconv.OperationChat, name: "chat gpt-4o", model: "gpt-4o", start: 5 * time.Hour, dur: 150 * time.Millisecond, in: 20, out: 10},
	))
	return out
}
