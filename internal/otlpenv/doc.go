// Package otlpenv reads OTLP settings the same way wherever the module needs them, so that the
// exporters and the replay command agree on what they mean: the values of the
// OTEL_EXPORTER_OTLP_*_HEADERS variables (ParseHeaders) and endpoints (ParseEndpoint,
// EndpointFromEnv, Endpoint.SignalURL).
package otlpenv // import "github.com/agenttrace/otelagent/internal/otlpenv"
