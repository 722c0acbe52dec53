package e2e

import (
	"context"
	"fmt"

	"github.com/agenttrace/otelagent/exporters"
	"github.com/agenttrace/otelagent/otelagent"
	"go.opentelemetry.io/otel/attribute"
)

// The scenario: a support-desk workflow that hands a customer's messages to two
// agents in turn. Misses call models (chat spans) and tools; hits are answered
// from the application's response cache; one turn fails in a tool. Everything
// the tests expect in Jaeger and Prometheus is computed from this description.

// stepKey tags every span of the scenario with its place in it, so the tests
// can match spans read back from Jaeger without relying on timing or order.
const stepKey = attribute.Key("e2e.step")

const (
	providerName = "openai"
	workflowName = "support-desk"
	conversation = "conv-e2e-0001"
	finishReason = "stop"
)

var pricing = otelagent.Pricing{
	"gpt-4o":      {Input: 2.5, Output: 10, CacheRead: 1.25},
	"gpt-4o-mini": {Input: 0.15, Output: 0.6, CacheRead: 0.075, CacheWrite: 0.1875},
}

// scenarioError is a failure with a fixed error.type.
type scenarioError struct{ kind, msg string }

func (e *scenarioError) Error() string     { return e.msg }
func (e *scenarioError) ErrorType() string { return e.kind }

var errRefundRejected = &scenarioError{kind: "refund_rejected", msg: "refund rejected: order already refunded"}

// step is one operation inside an agent turn: a model call or a tool call.
type step struct {
	chat  *otelagent.TokenUsage // a chat with this usage (Model is the model called)
	tool  string                // else a tool of this name
	err   error                 // the tool's failure
	label string
}

// turn is one agent invocation of the workflow.
type turn struct {
	agent        string
	requestModel string
	cacheHit     bool
	avoided      otelagent.TokenUsage // for a hit: the model call the cache avoided
	steps        []step
	err          error
	label        string
}

func chat(label string, u otelagent.TokenUsage) step { return step{chat: &u, label: label} }
func tool(label, name string, err error) step        { return step{tool: name, err: err, label: label} }

var scenarioTurns = []turn{
	{
		label: "t1", agent: "triage", requestModel: "gpt-4o-mini",
		steps: []step{
			chat("t1.chat", otelagent.TokenUsage{PromptTokens: 1200, CompletionTokens: 150, CacheReadTokens: 800, Model: "gpt-4o-mini"}),
			tool("t1.tool", "lookup_order", nil),
		},
	},
	{
		label: "t2", agent: "resolver", requestModel: "gpt-4o",
		steps: []step{
			chat("t2.chat1", otelagent.TokenUsage{PromptTokens: 2400, CompletionTokens: 600, CacheReadTokens: 1024,
				ReasoningTokens: 128, Model: "gpt-4o"}),
			tool("t2.tool", "issue_refund", nil),
			chat("t2.chat2", otelagent.TokenUsage{PromptTokens: 3000, CompletionTokens: 200, CacheCreationTokens: 512,
				Model: "gpt-4o-mini"}),
		},
	},
	{
		label: "t3", agent: "triage", requestModel: "gpt-4o-mini", cacheHit: true,
		avoided: otelagent.TokenUsage{PromptTokens: 1100, CompletionTokens: 140, Model: "gpt-4o-mini"},
	},
	{
		label: "t4", agent: "resolver", requestModel: "gpt-4o", cacheHit: true,
		avoided: otelagent.TokenUsage{PromptTokens: 2500, CompletionTokens: 500, Model: "gpt-4o"},
	},
	{
		label: "t5", agent: "resolver", requestModel: "gpt-4o", err: errRefundRejected,
		steps: []step{
			chat("t5.chat", otelagent.TokenUsage{PromptTokens: 900, CompletionTokens: 60, CacheReadTokens: 512, Model: "gpt-4o"}),
			tool("t5.tool", "issue_refund", errRefundRejected),
		},
	},
}

// newScenarioTracer instruments the scenario with the pipeline tel.
func newScenarioTracer(tel *exporters.Telemetry) *otelagent.Tracer {
	return otelagent.New(otelagent.WithTracerProvider(tel.TracerProvider()), otelagent.WithMeterProvider(tel.MeterProvider()),
		otelagent.WithProviderName(providerName), otelagent.WithPricing(pricing))
}

// runScenario drives the scenario through tracer, as an application would.
func runScenario(ctx context.Context, tracer *otelagent.Tracer) error {
	ctx, wf := tracer.StartWorkflow(ctx, workflowName, otelagent.WithConversationID(conversation),
		otelagent.WithAttributes(stepKey.String("workflow")))
	for _, tr := range scenarioTurns {
		if err := runTurn(ctx, tracer, tr); err != nil {
			return err
		}
	}
	return wf.Complete(nil)
}

func runTurn(ctx context.Context, tracer *otelagent.Tracer, tr turn) error {
	input := []otelagent.Message{{Role: "user", Content: "Where is my refund for order 1042?"}}
	ctx, inv := tracer.Invoke(ctx, tr.agent, input, otelagent.WithRequestModel(tr.requestModel),
		otelagent.WithAgentID(tr.agent+"-1"), otelagent.WithAttributes(stepKey.String(tr.label)))
	for _, st := range tr.steps {
		var err error
		if st.chat != nil {
			_, c := tracer.StartChat(ctx, st.chat.Model, otelagent.WithAttributes(stepKey.String(st.label)))
			err = c.Complete(nil, otelagent.WithUsage(*st.chat), otelagent.WithFinishReasons(finishReason))
		} else {
			_, c := tracer.StartTool(ctx, st.tool, otelagent.WithAttributes(stepKey.String(st.label)))
			err = c.Complete(nil, otelagent.WithError(st.err))
		}
		if err != nil {
			return fmt.Errorf("%s: %w", st.label, err)
		}
	}
	opts := []otelagent.CompleteOption{otelagent.WithError(tr.err)}
	if tr.cacheHit {
		opts = append(opts, otelagent.WithCacheHit(true), otelagent.WithUsage(tr.avoided))
	}
	if err := inv.Complete([]otelagent.Message{{Role: "assistant", Content: "Your refund is on its way."}}, opts...); err != nil {
		return fmt.Errorf("%s: %w", tr.label, err)
	}
	return nil
}
