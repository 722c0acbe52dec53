package otelopenai

import (
	"github.com/openai/openai-go/v3/option"

	"github.com/agenttrace/otelagent/integrations/llmhttp"
)

// Option returns a request option that records each request of the client through an
// llmhttp.Transport configured by opts, used as a middleware: each attempt, retries included,
// is one chat span. Give it to NewClient once.
func Option(opts ...llmhttp.Option) option.RequestOption {
	return option.WithMiddleware(llmhttp.NewTransport(nil, opts...).Middleware)
}
