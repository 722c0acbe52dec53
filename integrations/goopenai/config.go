package goopenai

import (
	"net/http"

	openai "github.com/sashabaranov/go-openai"

	"github.com/agenttrace/otelagent/integrations/llmhttp"
)

// WrapConfig returns cfg with its HTTP client instrumented by an llmhttp.Transport configured
// by opts. An *http.Client is copied with its transport wrapped (nil meaning
// http.DefaultTransport); any other HTTPDoer is wrapped as a whole; a nil one becomes an
// instrumented http.Client. cfg itself is not modified.
func WrapConfig(cfg openai.ClientConfig, opts ...llmhttp.Option) openai.ClientConfig {
	switch c := cfg.HTTPClient.(type) {
	case nil:
		cfg.HTTPClient = &http.Client{Transport: llmhttp.NewTransport(nil, opts...)}
	case *http.Client:
		wrapped := *c
		wrapped.Transport = llmhttp.NewTransport(c.Transport, opts...)
		cfg.HTTPClient = &wrapped
	default:
		cfg.HTTPClient = &doer{t: llmhttp.NewTransport(nil, opts...), next: c}
	}
	return cfg
}

// doer instruments an HTTPDoer that is not an *http.Client.
type doer struct {
	t    *llmhttp.Transport
	next openai.HTTPDoer
}

func (d *doer) Do(req *http.Request) (*http.Response, error) { return d.t.Middleware(req, d.next.Do) }
