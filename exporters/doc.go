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
// logger) from one configuration file and the standard OTEL_* environment variables.
package exporters // import "github.com/agenttrace/otelagent/exporters"
