// Package goopenai traces the model calls of a github.com/sashabaranov/go-openai client with
// otelagent: one line where the client is built,
//
//	client := openai.NewClientWithConfig(goopenai.WrapConfig(openai.DefaultConfig(key)))
//
// and every chat completion (plain or streamed) becomes a chat span with its usage, child of
// the otelagent invocation in the request's context. See package llmhttp for what is recorded.
package goopenai // import "github.com/agenttrace/otelagent/integrations/goopenai"
