package exporters

import (
	"context"
	"errors"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// OTLP span flags above the W3C trace flags: whether the parent's remoteness is known, and
// whether it is remote.
const (
	spanFlagsHasIsRemote uint32 = 0x100
	spanFlagsIsRemote    uint32 = 0x200
)

// FileExporter is an sdktrace.SpanExporter that appends spans to a file as OTLP/JSON: one
// ExportTraceServiceRequest per line, spans grouped by resource and instrumentation scope,
// encoded as the OpenTelemetry Collector's file exporter encodes them (hex trace and span IDs,
// enums as numbers, 64-bit integers as strings). The Collector's otlpjsonfile receiver and
// the otelagent command (report, validate, replay) read the file back.
//
// Each ExportSpans call ends with its lines handed to the operating system, and every line is
// written whole by a single write, so a rotation never splits one. All methods are safe for
// concurrent use.
//
// A rotated file is never replaced: each backup gets a name of its own, later than the last,
// even when the clock stands still or goes back. Compressing and removing backups runs in a
// goroutine that Shutdown waits for.
type FileExporter struct {
	fileSink
	marshaler ptrace.JSONMarshaler
}

var _ sdktrace.SpanExporter = (*FileExporter)(nil)

// NewFileExporter returns a FileExporter that appends to path, creating the file with mode
// 0600 and missing directories with mode 0700. An existing file keeps its mode, as does the
// file that replaces it at each rotation. A symbolic link, a named pipe or any other file that
// is not a regular file is refused, without following or blocking on it. The file is
// rotated by size (WithMaxSizeMB, default 100 MB) and rotated files are kept, aged and
// compressed as WithMaxBackups, WithMaxAgeDays and WithCompress say. A path that cannot be
// appended to (a directory, a file under a regular file, a read-only location) is an error
// naming the path, returned here rather than at the first export.
func NewFileExporter(path string, opts ...FileOption) (*FileExporter, error) {
	f, _, err := openFileSink(path, opts)
	if err != nil {
		return nil, err
	}
	return &FileExporter{fileSink: fileSink{file: f}}, nil
}

// ExportSpans appends spans to the file as one line, or as several lines when one would
// exceed the size limit. Nil spans are skipped and an empty batch writes nothing. It returns
// ctx.Err() if ctx is already done, and ErrExporterShutdown after Shutdown.
func (e *FileExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	return e.export(ctx, func() error { return e.writeSpans(spans) })
}

// writeSpans encodes spans and writes them, halving batches whose line would not fit.
func (e *FileExporter) writeSpans(spans []sdktrace.ReadOnlySpan) error {
	td := spansToTraces(spans)
	if td.SpanCount() == 0 {
		return nil
	}
	line, err := e.marshaler.MarshalTraces(td)
	if err != nil {
		return err
	}
	if !e.file.fits(len(line)) && len(spans) > 1 {
		half := len(spans) / 2
		return errors.Join(e.writeSpans(spans[:half]), e.writeSpans(spans[half:]))
	}
	return e.file.writeLine(line)
}

// spansToTraces converts spans to pdata, grouped by resource and then by instrumentation
// scope, both in order of first appearance so that the output is deterministic.
func spansToTraces(spans []sdktrace.ReadOnlySpan) ptrace.Traces {
	td := ptrace.NewTraces()
	type scopeKey struct {
		resource attribute.Distinct
		scope    instrumentation.Scope
	}
	resources := make(map[attribute.Distinct]ptrace.ResourceSpans)
	scopes := make(map[scopeKey]ptrace.SpanSlice)
	for _, sd := range spans {
		if sd == nil {
			continue
		}
		res := sd.Resource()
		rk := res.Equivalent()
		rs, ok := resources[rk]
		if !ok {
			rs = td.ResourceSpans().AppendEmpty()
			rs.SetSchemaUrl(res.SchemaURL())
			setResource(rs.Resource(), res)
			resources[rk] = rs
		}
		scope := sd.InstrumentationScope()
		sk := scopeKey{resource: rk, scope: scope}
		ss, ok := scopes[sk]
		if !ok {
			scopeSpans := rs.ScopeSpans().AppendEmpty()
			scopeSpans.SetSchemaUrl(scope.SchemaURL)
			setScope(scopeSpans.Scope(), scope)
			ss = scopeSpans.Spans()
			scopes[sk] = ss
		}
		setSpan(ss.AppendEmpty(), sd)
	}
	return td
}

// setSpan copies sd into dst, as the OTLP exporters of the Go SDK do.
func setSpan(dst ptrace.Span, sd sdktrace.ReadOnlySpan) {
	sc := sd.SpanContext()
	dst.SetTraceID(pcommon.TraceID(sc.TraceID()))
	dst.SetSpanID(pcommon.SpanID(sc.SpanID()))
	dst.TraceState().FromRaw(sc.TraceState().String())
	parent := sd.Parent()
	if parent.SpanID().IsValid() {
		dst.SetParentSpanID(pcommon.SpanID(parent.SpanID()))
	}
	dst.SetFlags(spanFlags(sc.TraceFlags(), parent))
	dst.SetName(sd.Name())
	dst.SetKind(pdataSpanKind(sd.SpanKind()))
	dst.SetStartTimestamp(pdataTimestamp(sd.StartTime()))
	dst.SetEndTimestamp(pdataTimestamp(sd.EndTime()))
	putAttributes(dst.Attributes(), sd.Attributes())
	dst.SetDroppedAttributesCount(clampUint32(sd.DroppedAttributes()))

	if events := sd.Events(); len(events) > 0 {
		dst.Events().EnsureCapacity(len(events))
		for _, ev := range events {
			de := dst.Events().AppendEmpty()
			de.SetName(ev.Name)
			de.SetTimestamp(pdataTimestamp(ev.Time))
			putAttributes(de.Attributes(), ev.Attributes)
			de.SetDroppedAttributesCount(clampUint32(ev.DroppedAttributeCount))
		}
	}
	dst.SetDroppedEventsCount(clampUint32(sd.DroppedEvents()))

	if links := sd.Links(); len(links) > 0 {
		dst.Links().EnsureCapacity(len(links))
		for _, l := range links {
			dl := dst.Links().AppendEmpty()
			dl.SetTraceID(pcommon.TraceID(l.SpanContext.TraceID()))
			dl.SetSpanID(pcommon.SpanID(l.SpanContext.SpanID()))
			dl.TraceState().FromRaw(l.SpanContext.TraceState().String())
			dl.SetFlags(spanFlags(l.SpanContext.TraceFlags(), l.SpanContext))
			putAttributes(dl.Attributes(), l.Attributes)
			dl.SetDroppedAttributesCount(clampUint32(l.DroppedAttributeCount))
		}
	}
	dst.SetDroppedLinksCount(clampUint32(sd.DroppedLinks()))

	status := sd.Status()
	switch status.Code {
	case codes.Ok:
		dst.Status().SetCode(ptrace.StatusCodeOk)
	case codes.Error:
		dst.Status().SetCode(ptrace.StatusCodeError)
	default:
		dst.Status().SetCode(ptrace.StatusCodeUnset)
	}
	dst.Status().SetMessage(status.Description)
}

// spanFlags returns the OTLP flags: the W3C trace flags, and whether the context that
// remote describes (the parent of a span, the target of a link) is remote.
func spanFlags(tf trace.TraceFlags, remote trace.SpanContext) uint32 {
	flags := uint32(tf) | spanFlagsHasIsRemote
	if remote.IsRemote() {
		flags |= spanFlagsIsRemote
	}
	return flags
}

func pdataSpanKind(k trace.SpanKind) ptrace.SpanKind {
	switch k {
	case trace.SpanKindInternal:
		return ptrace.SpanKindInternal
	case trace.SpanKindServer:
		return ptrace.SpanKindServer
	case trace.SpanKindClient:
		return ptrace.SpanKindClient
	case trace.SpanKindProducer:
		return ptrace.SpanKindProducer
	case trace.SpanKindConsumer:
		return ptrace.SpanKindConsumer
	default:
		return ptrace.SpanKindUnspecified
	}
}

// pdataTimestamp converts t to pdata; the zero time and times before 1970 become 0, "unset" in
// OTLP.
func pdataTimestamp(t time.Time) pcommon.Timestamp {
	if t.IsZero() || t.Unix() < 0 {
		return 0
	}
	return pcommon.Timestamp(t.UnixNano())
}
