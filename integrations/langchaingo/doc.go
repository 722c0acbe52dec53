// Package langchaingo traces github.com/tmc/langchaingo applications with otelagent: a
// callbacks.Handler that turns chain, agent, model and tool callbacks into invoke_agent, chat
// and execute_tool spans of an [otelagent.Tracer], with token usage read from each model
// response's generation info. Usage rolls up into the enclosing invocation and the Tracer's
// CacheStatistics and Stats, priced like any other usage.
//
// Give the same Handler to every component that accepts one:
//
//	h := langchaingo.NewHandler(tracer, langchaingo.WithModel("gpt-4o"))
//	llm, _ := openai.New(openai.WithCallback(h))
//	agent := agents.NewOneShotAgent(llm, tools, agents.WithCallbacksHandler(h))
//	executor := agents.NewExecutor(agent, agents.WithCallbacksHandler(h))
//
// Models that report no callbacks, or not all of them, go through [Handler.WrapModel]:
// langchaingo v0.1.14's Anthropic model never reports the end of a successful call, so without
// the wrapper its usage is lost; its fake LLM reports nothing.
//
// # Mapping
//
//   - The outermost chain of a run (HandleChainStart, for example an agents.Executor or an
//     LLMChain run through chains.Call) is an invoke_agent span. Chains nested in it (the
//     agent's own LLMChain, a chain a tool runs) get no span of their own: their model calls
//     are the agent's, and their usage rolls up into it.
//   - A model call (HandleLLMGenerateContentStart to HandleLLMGenerateContentEnd or
//     HandleLLMError, or a call through WrapModel) is a chat span, child of the run's innermost
//     open span; see [UsageOf] for the usage read from the response.
//   - An agent action (HandleAgentAction) opens an execute_tool span named after the action's
//     tool; the tool's own HandleToolStart/End/Error, when it reports them, complete it. A tool
//     called outside an agent opens its span at HandleToolStart, without a name.
//
// When the Tracer captures content, a model call's messages are recorded as
// gen_ai.input.messages (text parts joined by newlines, tool calls and tool responses as their
// JSON text, images and binary parts left out) and its response text as
// gen_ai.output.messages, through the Tracer's redactor and byte limit; without capture the
// messages are not converted at all.
//
// # Runs, and spans that always end
//
// langchaingo's callbacks carry the caller's context and no run identity, and the handler
// cannot hand a new context back. The Handler therefore keeps one stack of open spans per
// context value: the context given to chains.Call (or to the model, for a bare model call)
// identifies a run. Concurrent runs must use distinct contexts; any context derived with
// context.WithCancel, WithTimeout or WithValue is distinct, context.Background() is not.
//
// Every span the Handler opens ends exactly once, also when langchaingo omits the end
// callback (several models return errors without HandleLLMError; the bundled calculator tool
// skips HandleToolEnd on a bad expression): a chain's end or error ends everything opened
// inside it (with the chain's error); a new model call ends a model call left open; an agent
// action or finish ends the tool spans of the previous step; a cancelled run context ends the
// run's spans with the context's error; and [Handler.Close] ends whatever is still open.
//
// A Handler is safe for concurrent use.
package langchaingo // import "github.com/agenttrace/otelagent/integrations/langchaingo"
