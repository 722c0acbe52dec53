// Package otelopenai traces the model calls of a github.com/openai/openai-go/v3 client with
// otelagent: one option where the client is built,
//
//	client := openai.NewClient(otelopenai.Option())
//
// and every chat completion or response (plain or streamed) becomes a chat span with its
// usage, cached prompt and reasoning tokens, child of the otelagent invocation in the
// request's context. See package llmhttp for what is recorded.
package otelopenai // import "github.com/agenttrace/otelagent/integrations/otelopenai"
