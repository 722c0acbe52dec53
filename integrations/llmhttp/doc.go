// Package llmhttp traces model calls made over HTTP: an http.RoundTripper (and the same logic
// as an SDK middleware) that recognises the OpenAI chat completions and responses APIs and the
// Anthropic messages API, JSON and SSE streaming, and records each request as a chat span of an
// otelagent.Tracer, with the request parameters, the response id, model and finish reasons,
// the token usage (which rolls up into the enclosing otelagent.Invocation, counted once) and,
// for streams, the time to the first chunk and the time per chunk.
//
// Any client that takes an *http.Client can be instrumented:
//
//	client := &http.Client{Transport: llmhttp.NewTransport(nil)}
//
// Requests the transport does not recognise (other paths, other methods) pass through
// untouched. Each round trip is one chat span, so a client's retries are separate spans.
//
// Streams are parsed as they pass, never buffered: usage is read from the final chunk (OpenAI
// chat completions, where stream_options.include_usage is requested when the caller did not
// set stream_options), from response.completed (responses API) or from message_start and
// message_delta (Anthropic). The span ends exactly once: at the end of the body, when the body
// is closed, or when the request context is done.
//
// When the Tracer captures content (otelagent.WithContentCapture), the request's messages
// (chat completions messages, responses input, Anthropic messages) are recorded as
// gen_ai.input.messages, the instructions an API takes apart from the conversation (responses
// instructions, Anthropic system, one text part per block) as gen_ai.system_instructions, and
// the response text as gen_ai.output.messages, all through the Tracer's redactor and byte limit: text parts are joined by newlines, tool calls
// and tool results appear as their JSON text, images, audio, files and reasoning are left out.
// Of a stream at most otelagent.DefaultMaxContentBytes of text is kept. Without capture
// neither the request's messages nor the response text are decoded or kept.
package llmhttp // import "github.com/agenttrace/otelagent/integrations/llmhttp"
