// Package semconv holds every attribute key, attribute value and metric name that otelagent
// emits, pinned to the OpenTelemetry GenAI semantic conventions v1.41.1.
//
// Keys defined by the conventions keep their gen_ai.* names; the module's own additions use the
// otelagent.* prefix and never gen_ai.*. No other package of the module spells these strings.
package semconv // import "github.com/agenttrace/otelagent/semconv"
