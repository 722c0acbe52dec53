package langchaingo

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tmc/langchaingo/callbacks"
	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/fake"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/agenttrace/otelagent/otelagent"
)

// harness is a Tracer recording into an in-memory span recorder, and a Handler on it.
type harness struct {
	tracer  *otelagent.Tracer
	handler *Handler
	spans   *tracetest.SpanRecorder
	ended   chan sdktrace.ReadOnlySpan // every ended span, in order
}

func newHarness(t *testing.T, opts ...Option) *harness {
	t.Helper()
	return newHarnessCapture(t, true, opts...)
}

// newHarnessCapture is newHarness with the Tracer's content capture set to capture.
func newHarnessCapture(t *testing.T, capture bool, opts ...Option) *harness {
	t.Helper()
	h := &harness{spans: tracetest.NewSpanRecorder(), ended: make(chan sdktrace.ReadOnlySpan, 1024)}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(h.spans), sdktrace.WithSpanProcessor(notify(h.ended)))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	h.tracer = otelagent.New(otelagent.WithTracerProvider(tp), otelagent.WithContentCapture(capture))
	h.handler = NewHandler(h.tracer, opts...)
	return h
}

// notify is a span processor sending every ended span on ch.
type notify chan sdktrace.ReadOnlySpan

func (n notify) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (n notify) OnEnd(s sdktrace.ReadOnlySpan)                   { n <- s }
func (n notify) Shutdown(context.Context) error                  { return nil }
func (n notify) ForceFlush(context.Context) error                { return nil }

// span returns the one ended span named name.
func (h *harness) span(t *testing.T, name string) sdktrace.ReadOnlySpan {
	t.Helper()
	found := h.named(name)
	require.Len(t, found, 1, "spans named %q", name)
	return found[0]
}

func (h *harness) named(name string) []sdktrace.ReadOnlySpan {
	var found []sdktrace.ReadOnlySpan
	for _, s := range h.spans.Ended() {
		if s.Name() == name {
			found = append(found, s)
		}
	}
	return found
}

// allEnded checks that every span started has ended.
func (h *harness) allEnded(t *testing.T) {
	t.Helper()
	require.Len(t, h.spans.Ended(), len(h.spans.Started()), "every span started has ended")
}

func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := make(map[attribute.Key]attribute.Value)
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

func childOf(child, parent sdktrace.ReadOnlySpan) bool {
	return child.Parent().SpanID() == parent.SpanContext().SpanID() &&
		child.SpanContext().TraceID() == parent.SpanContext().TraceID()
}

// reportingLLM is langchaingo's fake LLM reporting callbacks and generation info the way the
// OpenAI provider does; with fail set it returns an error without HandleLLMError, as that
// provider does too.
type reportingLLM struct {
	*fake.LLM
	handler callbacks.Handler
	info    map[string]any
	fail    error
}

func newReportingLLM(h callbacks.Handler, info map[string]any, responses ...string) *reportingLLM {
	return &reportingLLM{LLM: fake.NewFakeLLM(responses), handler: h, info: info}
}

func (l *reportingLLM) GenerateContent(ctx context.Context, msgs []llms.MessageContent, opts ...llms.CallOption) (*llms.ContentResponse, error) {
	l.handler.HandleLLMGenerateContentStart(ctx, msgs)
	if l.fail != nil {
		return nil, l.fail
	}
	res, err := l.LLM.GenerateContent(ctx, msgs, opts...)
	if err != nil {
		l.handler.HandleLLMError(ctx, err)
		return nil, err
	}
	for _, c := range res.Choices {
		c.GenerationInfo = l.info
		c.StopReason = "stop"
	}
	l.handler.HandleLLMGenerateContentEnd(ctx, res)
	return res, nil
}

func (l *reportingLLM) Call(ctx context.Context, prompt string, opts ...llms.CallOption) (string, error) {
	return llms.GenerateFromSinglePrompt(ctx, l, prompt, opts...)
}

// openAIUsage is the generation info langchaingo's OpenAI provider writes.
func openAIUsage(prompt, completion, cached, reasoning int) map[string]any {
	return map[string]any{
		"PromptTokens": prompt, "CompletionTokens": completion, "TotalTokens": prompt + completion,
		"ReasoningTokens": reasoning, "PromptCachedTokens": cached, "CompletionReasoningTokens": reasoning,
		"ThinkingTokens": reasoning,
	}
}
