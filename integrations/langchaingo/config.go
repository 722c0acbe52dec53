package langchaingo

import "github.com/agenttrace/otelagent/otelagent"

// DefaultAgentName is the agent name of invoke_agent spans when WithAgentName is not given.
const DefaultAgentName = "langchaingo"

type config struct {
	agentName  string
	model      string
	invokeOpts []otelagent.InvokeOption
}

func newConfig(opts []Option) config {
	c := config{agentName: DefaultAgentName}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	return c
}

// Option configures a Handler.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithAgentName names the invoke_agent spans of the Handler's runs (gen_ai.agent.name). The
// default is DefaultAgentName; an empty name is ignored.
func WithAgentName(name string) Option {
	return optionFunc(func(c *config) {
		if name != "" {
			c.agentName = name
		}
	})
}

// WithModel sets the model the Handler's model calls ask for: the chat span's name and
// gen_ai.request.model, and the model usage is priced by when the response does not name one.
// langchaingo's callbacks do not report the model; without this option chat spans are named
// "chat" and their usage is unpriced.
func WithModel(model string) Option {
	return optionFunc(func(c *config) { c.model = model })
}

// WithProviderName sets gen_ai.provider.name ("openai", "anthropic", ...) on the Handler's
// spans. The default is the Tracer's.
func WithProviderName(name string) Option {
	return optionFunc(func(c *config) {
		if name != "" {
			c.invokeOpts = append(c.invokeOpts, otelagent.WithProviderName(name))
		}
	})
}
