// Package tracefile reads the files the command line takes as input: OTLP/JSON trace and
// metric files as the file exporters (and the OpenTelemetry Collector's file exporter) write
// them, one request per line, gzip included, and the command-line arguments naming them
// (globs, rotated backups, "-" for standard input).
//
// ReadTraces is the one policy of report, validate trace and replay for damaged input: a bad
// line is skipped with a warning naming its file and line, and counted; a metrics file is
// skipped with a note.
//
// # Memory
//
// The readers stream one line at a time: a line is at most exporters.MaxLineBytes once
// decompressed, and before a line is decoded its spans, JSON objects and nesting are counted
// and bounded (MaxRecordSpans, MaxRecordObjects, MaxRecordDepth), since what decoding builds,
// not the line's bytes, is what costs memory.
package tracefile // import "github.com/agenttrace/otelagent/internal/tracefile"
