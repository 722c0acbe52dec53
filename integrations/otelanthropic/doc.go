// Package otelanthropic traces the model calls of a github.com/anthropics/anthropic-sdk-go/v2
// client with otelagent: one option where the client is built,
//
//	client := anthropic.NewClient(otelanthropic.Option())
//
// and every message call (plain or streamed) becomes a chat span with its usage, cache reads
// and cache writes, child of the otelagent invocation in the request's context. See package
// llmhttp for what is recorded.
//
// The SDK records a chat span of its own through the global TracerProvider. Option turns it
// off, so that each call has exactly one chat span and its usage is counted once, in the
// enclosing invocation; an option given after it that turns the SDK's spans back on
// (option.WithOpenTelemetryTraces(true)) brings the second span back.
package otelanthropic // import "github.com/agenttrace/otelagent/integrations/otelanthropic"
