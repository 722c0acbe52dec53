package llmhttp

// ScopeName is the instrumentation scope name of the meter this package uses.
const ScopeName = "github.com/agenttrace/otelagent/integrations/llmhttp"

// Version is the version of this instrumentation library, set as the scope version.
const Version = "0.1.0"
