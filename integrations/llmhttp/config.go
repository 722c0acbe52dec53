package llmhttp

import (
	"go.opentelemetry.io/otel/metric"

	"github.com/agenttrace/otelagent/otelagent"
)

// config is the Transport's configuration, filled by newConfig.
type config struct {
	tracer        *otelagent.Tracer
	meterProvider metric.MeterProvider
	providerName  string
}

func newConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	return c
}

// Option configures a Transport.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithTracer sets the Tracer chat spans are recorded with. A nil Tracer is ignored. The
// default is otelagent.New() on the global providers.
func WithTracer(t *otelagent.Tracer) Option {
	return optionFunc(func(c *config) {
		if t != nil {
			c.tracer = t
		}
	})
}

// WithMeterProvider sets the MeterProvider of the streaming metrics
// (gen_ai.client.operation.time_to_first_chunk and time_per_output_chunk). A nil provider is
// ignored. The default is the global provider.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return optionFunc(func(c *config) {
		if mp != nil {
			c.meterProvider = mp
		}
	})
}

// WithProviderName sets gen_ai.provider.name of every call, e.g. "ollama" for a local server.
// The default is taken from the endpoint's host (api.openai.com is "openai", api.groq.com is
// "groq", ...), else from the wire format ("openai" for the OpenAI APIs, "anthropic" for the
// messages API). An empty name is ignored.
func WithProviderName(name string) Option {
	return optionFunc(func(c *config) {
		if name != "" {
			c.providerName = name
		}
	})
}
