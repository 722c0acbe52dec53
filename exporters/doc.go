// Package exporters is the SDK side of otelagent: it turns the spans and metrics that the
// otelagent package records into files and network exports.
//
// FileExporter and MetricFileExporter write OTLP/JSON lines, one ExportTraceServiceRequest or
// ExportMetricsServiceRequest per line, in the encoding the OpenTelemetry Collector's file
// exporter uses (hex trace and span IDs, enums as numbers, 64-bit integers as strings), so the
// Collector's otlpjsonfile receiver and any OTLP/JSON tool read them. Files are created with mode
// 0600, appended to, and rotated by size, count and age; every line is whole on disk.
// The otelagent command reads such files back (report, validate, replay), gzip included.
//
// Config, LoadConfig and Setup build a complete pipeline (TracerProvider, MeterProvider and
// logger) from one configuration file and the standard OTEL_* environment variables, and
// Telemetry.Tracer an otelagent.Tracer with the file's pricing and content settings.
//
// The defaults are chosen so that nothing is lost silently and exit stays quick:
//
//   - The local files are always written, also while exporting over OTLP, unless
//     exporters.file.enabled is false: a copy that survives a collector outage.
//   - The file keeps every span: a span's End waits for room in its queue rather than drop.
//   - The OTLP queue (2048 spans by default) applies backpressure while the collector keeps
//     accepting batches: when it is full, a span's End waits for room, so a burst loses
//     nothing. When no export has succeeded for 2s (the collector is down, hung or failing) it
//     drops instead, until an export succeeds again; a failed export is retried for at most
//     15s. Every span it loses is counted on the otelagent.spans.dropped counter
//     (otelagent.exporter, otelagent.drop.reason: queue_full, export_failed, shutdown) and in a
//     warning logged at most every 10s with the count since the previous one.
//   - Telemetry.Shutdown takes at most shutdown_timeout (5s by default) or the context's
//     deadline, whichever is first. The files are flushed first, without waiting for the
//     network; the spans the collector did not get by then are counted in the error.
//   - Every OTEL_* variable Setup honours is checked like its config key; OTLP header values
//     never appear in an error or a log line, and URLs there have their credentials and query
//     values replaced by REDACTED.
package exporters // import "github.com/agenttrace/otelagent/exporters"
