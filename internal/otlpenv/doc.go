// Package otlpenv reads the values of the standard OTEL_EXPORTER_OTLP_* variables the same way
// wherever the module needs them, so that the exporters and the replay command agree on what a
// variable means.
package otlpenv // import "github.com/agenttrace/otelagent/internal/otlpenv"
