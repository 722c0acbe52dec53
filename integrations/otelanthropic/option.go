package otelanthropic

import (
	"github.com/anthropics/anthropic-sdk-go/v2/option"

	"github.com/agenttrace/otelagent/integrations/llmhttp"
)

// Option returns a request option that records each request of the client through an
// llmhttp.Transport configured by opts, used as a middleware, and turns off the SDK's own
// OpenTelemetry spans (option.WithoutOpenTelemetry). Give it to NewClient once.
func Option(opts ...llmhttp.Option) option.RequestOption {
	t := llmhttp.NewTransport(nil, opts...)
	return both(option.WithoutOpenTelemetry(), option.WithMiddleware(t.Middleware))
}

// pair applies two request options in order. The SDK's option interface takes a type of an
// internal package, which a type parameter names here.
type pair[C any] struct{ first, second applier[C] }

type applier[C any] interface{ Apply(C) error }

func (p pair[C]) Apply(c C) error {
	if err := p.first.Apply(c); err != nil {
		return err
	}
	return p.second.Apply(c)
}

func pairOf[C any](first, second applier[C]) pair[C] { return pair[C]{first, second} }

func both(first, second option.RequestOption) option.RequestOption { return pairOf(first, second) }
