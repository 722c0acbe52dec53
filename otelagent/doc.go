// Package otelagent traces LLM agents with OpenTelemetry, following the GenAI semantic
// conventions v1.41.1.
//
// An agent calls [Tracer.Invoke] when it starts handling messages and [Invocation.Complete]
// when it is done. Between the two an invoke_agent span is open; Complete sets token usage,
// cache and cost attributes on it and records the module's counters and histograms. Model calls
// ([Tracer.StartChat]), tool calls ([Tracer.StartTool]) and multi-agent workflows
// ([Tracer.StartWorkflow]) get spans of their own, nested through the context.
//
// The package uses only the OpenTelemetry API: it records into whatever TracerProvider and
// MeterProvider it is given, or the global ones. The exporters package builds an SDK pipeline.
//
// # Counting tokens once
//
// Usage reported on a chat span counts once, as spent, and also rolls up into the span
// attributes of the nearest enclosing invoke_agent. When an invocation reports usage of its own
// as well, that usage is taken as the invocation's total: per token kind the larger of its own
// figure and its chat children's sum goes on its span, and only the excess over the children
// is counted as new. Nothing else rolls up: nested agents and workflows keep their own figures.
// A reader summing spans therefore counts invoke_agent spans plus chat spans that have no
// invoke_agent ancestor.
//
// The rule holds whatever the order of completion. A chat that completes after its
// invoke_agent (a late chat) counts only what it raises the agent's figure by: per token kind,
// max(own, children's sum) after it minus before it. Its tokens still belong to that agent in
// [Tracer.Stats]. The agent's span has ended and cannot show them, so the late chat's span
// carries otelagent.rollup.late=true and, under otelagent.rollup.counted.*, the tokens and
// cost it counted; a reader summing spans adds those to the agent's figures.
//
// # The model of an operation
//
// One rule names the model of an operation for the model groups of [Tracer.Stats], the span's
// gen_ai.response.model, the model label of the otelagent.* metrics, the event log and the
// report command: the response model its usage named ([TokenUsage].Model); for an
// invoke_agent whose own usage named none, the response model its chat calls' usage named, if
// they all named the same one; else the model it requested ([WithRequestModel], or the model
// given to [Tracer.StartChat]); else none (the "" group, no model label). An invoke_agent
// whose model came from its chats shows it as gen_ai.response.model on its span; chats that
// complete after it cannot change it.
//
// Model groups count the invocations agent groups count: invoke_agent operations and chat
// calls outside any agent (a chat inside an agent is part of its invocation), so their
// invocations, errors and cache hits add up to the same totals. Tokens and costs count under
// the model of the operation that spent them: an agent's figures include its chats', while a
// chat's count under its own model even when its agent's differs. A cache hit counts under
// the model its usage names, so record a hit with the usage of the response it replays.
//
// # Prices
//
// Costs come from [DefaultPricing], an embedded table of OpenAI and Anthropic list prices dated
// in [Stats].PricingAsOf, with the entries of [WithPricing] merged over it model by model. A
// model is priced by its exact name, else by its family (the name without a provider prefix
// or a snapshot suffix such as a date or "-latest"), else by the longest [WithPricing] entry
// that prefixes it. A model with no price gets no cost attribute, is listed in
// [Stats].UnpricedModels and is logged once through the default slog logger.
//
// A cache hit ([WithCacheHit]) means the application answered from its response cache and no
// model was called: the usage given describes the avoided call and counts as saved, never spent.
//
// # Strings
//
// Every string the package records (names, IDs, models, finish reasons, error text, the string
// values of WithAttributes and RecordEvent attributes) is made valid UTF-8 where it enters,
// each invalid byte sequence replaced by U+FFFD, since OTLP rejects a whole batch over one
// invalid byte. Statistics are keyed by the same cleaned names as the metrics.
package otelagent // import "github.com/agenttrace/otelagent/otelagent"
