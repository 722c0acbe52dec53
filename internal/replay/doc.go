// Package replay sends OTLP/JSON trace files to an OTLP endpoint, over gRPC or HTTP/protobuf,
// as they were recorded: trace and span IDs, timestamps, resources and scopes are kept. Spans
// go in batches, each request retried with exponential backoff while the receiver answers with
// a retryable status.
package replay // import "github.com/agenttrace/otelagent/internal/replay"
