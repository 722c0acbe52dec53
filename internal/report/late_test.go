package report

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agenttrace/otelagent/semconv"
)

// lateChat is a chat span that completed after its agent: its own usage is 100/40 tokens, of
// which it counted 50/20 beyond its agent's span (the agent showed 50/20 of its own).
func lateChat(trace, id, parent uint64, start time.Duration) spec {
	return spec{trace: trace, id: id, parent: parent, op: semconv.OperationChat, name: "chat gpt-4o", model: "gpt-4o",
		conv: "c1", start: start, dur: time.Second, in: 100, out: 40, hasCost: true, cost: 0.004,
		extra: map[string]any{
			string(semconv.RollupLateKey):                            true,
			string(semconv.RollupCountedInputTokensKey):              int64(50),
			string(semconv.RollupCountedOutputTokensKey):             int64(20),
			string(semconv.RollupCountedCacheReadInputTokensKey):     int64(0),
			string(semconv.RollupCountedCacheCreationInputTokensKey): int64(0),
			string(semconv.RollupCountedReasoningOutputTokensKey):    int64(0),
			string(semconv.RollupCountedTotalTokensKey):              int64(70),
			string(semconv.RollupCountedCostUSDKey):                  0.002,
			string(semconv.RollupCountedCostSavedUSDKey):             0.0,
		}}
}

func lateAgent(trace, id, parent uint64) spec {
	return spec{trace: trace, id: id, parent: parent, op: semconv.OperationInvokeAgent, name: "invoke_agent planner",
		agent: "planner", model: "gpt-4o", conv: "c1", dur: 500 * time.Millisecond, in: 50, out: 20, hit: ptr(false),
		hasCost: true, cost: 0.002}
}

// TestSummarizerLateChatStaysWithItsAgent checks every order a late chat can meet its agent in:
// its tokens are counted once, under the agent, whatever comes first.
func TestSummarizerLateChatStaysWithItsAgent(t *testing.T) {
	tool := spec{trace: 1, id: 3, parent: 2, op: semconv.OperationExecuteTool, name: "execute_tool search", start: 0, dur: 2 * time.Second}
	workflow := spec{trace: 1, id: 1, op: semconv.OperationInvokeWorkflow, name: "invoke_workflow w", dur: 3 * time.Second}
	tests := []struct {
		name  string
		spans []spec
	}{
		{name: "after its agent", spans: []spec{lateAgent(1, 2, 1), lateChat(1, 4, 2, 0), workflow}},
		{name: "after its agent and the tool it ran in", spans: []spec{tool, lateAgent(1, 2, 1), lateChat(1, 4, 3, 0), workflow}},
		{name: "after its agent, before the tool it ran in", spans: []spec{lateAgent(1, 2, 1), lateChat(1, 4, 3, 0), tool, workflow}},
		{name: "before its agent in the file", spans: []spec{lateChat(1, 4, 2, 0), lateAgent(1, 2, 1), workflow}},
		{name: "agent is the root", spans: []spec{lateAgent(1, 2, 0), lateChat(1, 4, 2, 0)}},
		{name: "in separate records", spans: []spec{lateAgent(1, 2, 1), workflow, lateChat(1, 4, 2, 0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, by := range []string{ByAgent, ByModel, ByConversation} {
				var r *Report
				if tt.name == "in separate records" {
					r = summarize(t, Options{By: by}, tracesOf(tt.spans[:2]...), tracesOf(tt.spans[2:]...))
				} else {
					r = summarize(t, Options{By: by}, tracesOf(tt.spans...))
				}
				require.Len(t, r.Rows, 1, "by %s: one row, no %q: %v", by, NoAgent, r.Rows)
				row := r.Rows[0]
				assert.Equal(t, map[string]string{ByAgent: "planner", ByModel: "gpt-4o", ByConversation: "c1"}[by], row.Name)
				for _, got := range []Row{row, r.Total} {
					assert.EqualValues(t, 1, got.Invocations, "by %s: the late chat is no invocation of its own", by)
					assert.EqualValues(t, 100, got.Prompt, "by %s: the agent's 50 and the 50 the chat counted", by)
					assert.EqualValues(t, 40, got.Completion)
					assert.EqualValues(t, 140, got.Total)
					assert.InDelta(t, 0.004, got.CostUSD, 1e-12)
					assert.EqualValues(t, 1, got.CacheMisses)
				}
				var sum int64
				for _, iv := range r.Intervals {
					sum += iv.Prompt
				}
				assert.EqualValues(t, 100, sum, "by %s: the intervals add up", by)
			}
		})
	}
}

// TestSummarizerLateChatWithoutItsAgent counts a late chat whose agent is not in the input as
// a chat with no agent ancestor: its own usage, under NoAgent.
func TestSummarizerLateChatWithoutItsAgent(t *testing.T) {
	r := summarize(t, Options{}, tracesOf(lateChat(1, 4, 2, 0)))
	row := rowNamed(t, r.Rows, NoAgent)
	assert.EqualValues(t, 1, row.Invocations)
	assert.EqualValues(t, 100, row.Prompt)
	assert.EqualValues(t, 140, row.Total)
}
