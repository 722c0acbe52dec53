// Package report summarises otelagent traces: per agent, model or conversation it counts
// invocations, errors, tokens by kind, cache hits and savings, cost and latency percentiles,
// optionally per time interval, and renders the result as a table, JSON, CSV, Markdown or a
// self-contained HTML page.
//
// # Counting tokens once
//
// otelagent rolls the usage of a chat span up into the span attributes of its nearest
// enclosing invoke_agent span. A Summarizer therefore sums usage, tokens saved and cost from
// invoke_agent spans, plus chat spans that have no invoke_agent ancestor. Spans end (and are
// exported) children first, so whether a chat span has such an ancestor is known only once its
// ancestors have been read: until then its usage waits in a pending table keyed by the nearest
// unresolved ancestor, which an execute_tool or invoke_workflow span passes on to its own
// parent. The table holds the chat spans of traces still open at the current point of the
// input, so its size follows concurrency, not file size; it is capped (MaxPending) and what
// remains at the end (an ancestor never seen) counts as having no invoke_agent ancestor.
// A chat span marked otelagent.rollup.late ended after its agent, whose span could not show
// it: it adds its otelagent.rollup.counted.* figures to that agent (no invocation of its own),
// found through the spans read lately (at most 2*MaxRemembered are remembered) or, when the
// agent comes later in the input, through the pending table.
// Cache hits and misses count invoke_agent spans only.
//
// # Models
//
// The model of an operation is its gen_ai.response.model, else its gen_ai.request.model, else
// "(unknown)": otelagent sets the response model of an invoke_agent from its chats when its
// own usage names none, and groups its statistics and metrics by the same rule. By model, a
// row counts the invocations of that model, and the tokens and cost spent by operations of it:
// the usage of a chat inside an agent moves from the agent's model to the chat's. Model rows,
// like agent rows, add up to the totals, and a SaveTrace summary gives the same rows.
//
// # Memory
//
// State is kept per group (at most MaxGroups per dimension, the rest pooled under "_OTHER")
// and per interval (at most MaxIntervals), never per span: latency percentiles come from the bounded log-linear
// histogram of internal/loghist (within 3.1%), the one the Tracer's Stats use, so both give the
// same percentiles for the same run.
package report // import "github.com/agenttrace/otelagent/internal/report"
