package exporters

import (
	"context"
	"log/slog"

	"go.opentelemetry.io/otel/trace"
)

// Log attribute names of the span that was current when a record was logged.
const (
	logKeyTraceID = "trace_id"
	logKeySpanID  = "span_id"
)

// traceContextHandler wraps a slog.Handler and adds logKeyTraceID and logKeySpanID (hex)
// to every record logged with a context that carries a valid span, so that log lines can be
// joined to traces. Inside WithGroup the two attributes belong to the group, as any attribute
// added at that point does. It is safe for concurrent use when the wrapped handler is.
type traceContextHandler struct {
	next slog.Handler
}

var _ slog.Handler = traceContextHandler{}

// newTraceContextHandler returns next wrapped; a nil next is replaced by slog.DiscardHandler.
func newTraceContextHandler(next slog.Handler) traceContextHandler {
	if next == nil {
		next = slog.DiscardHandler
	}
	return traceContextHandler{next: next}
}

// Enabled reports whether the wrapped handler handles level.
func (h traceContextHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

// Handle adds the span's IDs, when ctx has a valid span, and passes r on.
func (h traceContextHandler) Handle(ctx context.Context, r slog.Record) error {
	if ctx != nil {
		if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
			r = r.Clone()
			r.AddAttrs(slog.String(logKeyTraceID, sc.TraceID().String()), slog.String(logKeySpanID, sc.SpanID().String()))
		}
	}
	return h.next.Handle(ctx, r)
}

// WithAttrs wraps the wrapped handler's WithAttrs.
func (h traceContextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return traceContextHandler{next: h.next.WithAttrs(attrs)}
}

// WithGroup wraps the wrapped handler's WithGroup.
func (h traceContextHandler) WithGroup(name string) slog.Handler {
	return traceContextHandler{next: h.next.WithGroup(name)}
}
