package exporters

import (
	"context"
	"log/slog"

	"go.opentelemetry.io/otel/trace"
)

// Log attribute names of the span that was current when a record was logged.
const (
	LogKeyTraceID = "trace_id"
	LogKeySpanID  = "span_id"
)

// TraceContextHandler wraps a slog.Handler and adds LogKeyTraceID and LogKeySpanID (hex)
// to every record logged with a context that carries a valid span, so that log lines can be
// joined to traces. Inside WithGroup the two attributes belong to the group, as any attribute
// added at that point does. It is safe for concurrent use when the wrapped handler is.
type TraceContextHandler struct {
	next slog.Handler
}

var _ slog.Handler = TraceContextHandler{}

// NewTraceContextHandler returns next wrapped; a nil next is replaced by slog.DiscardHandler.
func NewTraceContextHandler(next slog.Handler) TraceContextHandler {
	if next == nil {
		next = slog.DiscardHandler
	}
	return TraceContextHandler{next: next}
}

// Enabled reports whether the wrapped handler handles level.
func (h TraceContextHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

// Handle adds the span's IDs, when ctx has a valid span, and passes r on.
func (h TraceContextHandler) Handle(ctx context.Context, r slog.Record) error {
	if ctx != nil {
		if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
			r = r.Clone()
			r.AddAttrs(slog.String(LogKeyTraceID, sc.TraceID().String()), slog.String(LogKeySpanID, sc.SpanID().String()))
		}
	}
	return h.next.Handle(ctx, r)
}

// WithAttrs wraps the wrapped handler's WithAttrs.
func (h TraceContextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return TraceContextHandler{next: h.next.WithAttrs(attrs)}
}

// WithGroup wraps the wrapped handler's WithGroup.
func (h TraceContextHandler) WithGroup(name string) slog.Handler {
	return TraceContextHandler{next: h.next.WithGroup(name)}
}
