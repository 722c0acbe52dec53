// Package loghist is the latency histogram of the module: the Tracer's Stats and the report
// compute percentiles with it, so the same run gives the same p50, p95 and p99 in both.
package loghist // import "github.com/agenttrace/otelagent/internal/loghist"
