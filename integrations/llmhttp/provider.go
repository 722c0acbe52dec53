package llmhttp

import (
	"strings"

	"github.com/agenttrace/otelagent/semconv"
)

// hostProviders maps the API hosts of providers the conventions list to their
// gen_ai.provider.name.
var hostProviders = map[string]string{
	"api.openai.com":                    semconv.ProviderOpenAI,
	"api.anthropic.com":                 semconv.ProviderAnthropic,
	"api.groq.com":                      semconv.ProviderGroq,
	"api.mistral.ai":                    semconv.ProviderMistralAI,
	"api.deepseek.com":                  semconv.ProviderDeepSeek,
	"api.perplexity.ai":                 semconv.ProviderPerplexity,
	"api.x.ai":                          semconv.ProviderXAI,
	"generativelanguage.googleapis.com": semconv.ProviderGCPGemini,
}

// providerOf returns the provider of a call to host in the wire format of api: the host's
// provider when it is known, else the format's.
func providerOf(host string, api api) string {
	if p, ok := hostProviders[host]; ok {
		return p
	}
	if strings.HasSuffix(host, ".openai.azure.com") {
		return semconv.ProviderAzureOpenAI
	}
	if api == apiAnthropicMessages {
		return semconv.ProviderAnthropic
	}
	return semconv.ProviderOpenAI
}
