package otelagent

import (
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/agenttrace/otelagent/semconv"
)

// operation is a kind of operation and the behaviour that depends on it, chosen once when the
// operation starts so that starting and completing never compare operation names.
type operation struct {
	name  string // gen_ai.operation.name
	index int    // position in Tracer.lastProfile
	// kindOption is trace.WithSpanKind of the operation's span kind, boxed once.
	kindOption trace.SpanStartOption
	// nameKey is the attribute the name argument sets; nameAlways sets it even when empty.
	nameKey    attribute.Key
	nameAlways bool
	// isAgent marks invoke_agent: a cache event, a Stats agent group, the target of roll-ups,
	// and the only kind that takes gen_ai.agent.id.
	isAgent bool
	// isChat marks a model call: its name is the request model and its usage rolls up into
	// the enclosing agent.
	isChat bool
	// isTool marks execute_tool: gen_ai.tool.call.id, arguments and a result rather than
	// output messages.
	isTool bool
}

// operationKinds is the number of operations below.
const operationKinds = 4

var (
	opInvokeAgent = &operation{name: semconv.OperationInvokeAgent, index: 0, kindOption: trace.WithSpanKind(trace.SpanKindInternal),
		nameKey: semconv.GenAIAgentNameKey, isAgent: true}
	opChat        = &operation{name: semconv.OperationChat, index: 1, kindOption: trace.WithSpanKind(trace.SpanKindClient), isChat: true}
	opExecuteTool = &operation{name: semconv.OperationExecuteTool, index: 2, kindOption: trace.WithSpanKind(trace.SpanKindInternal),
		nameKey: semconv.GenAIToolNameKey, nameAlways: true, isTool: true}
	opInvokeWorkflow = &operation{name: semconv.OperationInvokeWorkflow, index: 3, kindOption: trace.WithSpanKind(trace.SpanKindInternal),
		nameKey: semconv.GenAIWorkflowNameKey}
)
