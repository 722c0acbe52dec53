// Package tracefile reads the files the command line takes as input: OTLP/JSON trace and
// metric files as the file exporters (and the OpenTelemetry Collector's file exporter) write
// them, one request per line, gzip included, and the command-line arguments naming them
// (globs, rotated backups, "-" for standard input).
//
// The readers stream one line at a time; memory is bounded by the longest line
// (exporters.MaxLineBytes).
package tracefile // import "github.com/agenttrace/otelagent/internal/tracefile"
