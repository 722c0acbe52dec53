// Package semcheck checks spans against the OpenTelemetry GenAI semantic conventions, read from
// the conventions' own YAML models (registry.yaml, registry-deprecated.yaml, spans.yaml): known
// gen_ai.* keys and their types, the attributes each operation's span requires, and deprecated
// names.
package semcheck // import "github.com/agenttrace/otelagent/internal/semcheck"
