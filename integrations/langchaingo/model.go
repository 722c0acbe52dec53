package langchaingo

import (
	"context"

	"github.com/tmc/langchaingo/llms"

	"github.com/agenttrace/otelagent/otelagent"
)

// WrapModel returns m with each GenerateContent call recorded as a chat span by h itself, for
// models that report no callbacks (langchaingo's fake LLM, many community models) or report
// them only in part: langchaingo v0.1.14's Anthropic model never reports the end of a
// successful call, so its usage reaches the Handler only through the wrapper, and its OpenAI
// model reports no error. A model that reports callbacks to h as well still gets one chat span
// per call: the wrapper's span is the one the model's callbacks complete. A nil h returns m.
func (h *Handler) WrapModel(m llms.Model) llms.Model {
	if h == nil || m == nil {
		return m
	}
	return &wrappedModel{model: m, h: h}
}

type wrappedModel struct {
	model llms.Model
	h     *Handler
}

// GenerateContent calls the wrapped model inside a chat span.
func (w *wrappedModel) GenerateContent(ctx context.Context, msgs []llms.MessageContent, opts ...llms.CallOption) (*llms.ContentResponse, error) {
	f := w.h.openChat(ctx, msgs)
	res, err := w.model.GenerateContent(ctx, msgs, opts...)
	w.h.closeChat(ctx, f, res, err)
	return res, err
}

// Call calls GenerateContent with one human message.
func (w *wrappedModel) Call(ctx context.Context, prompt string, opts ...llms.CallOption) (string, error) {
	return llms.GenerateFromSinglePrompt(ctx, w, prompt, opts...)
}

func (h *Handler) openChat(ctx context.Context, msgs []llms.MessageContent) *frame {
	var f *frame
	h.with(ctx, true, func(r *run) {
		r.endTools(false)
		r.endStaleChat()
		f = h.startChat(r.parent(ctx), msgs)
		f.wrapped = true
		r.push(f)
	})
	return f
}

// closeChat completes f, unless the model's own callbacks already did.
func (h *Handler) closeChat(ctx context.Context, f *frame, res *llms.ContentResponse, err error) {
	h.with(ctx, false, func(r *run) {
		i := r.index(f)
		if i < 0 {
			return
		}
		for len(r.frames) > i+1 {
			r.pop(nil, otelagent.WithError(errNoEnd{"operation inside a model call"}))
		}
		if err != nil {
			r.pop(nil, otelagent.WithError(err))
			return
		}
		outputs, reasons := outputsOf(res)
		r.pop(outputs, otelagent.WithUsage(UsageOf(res)), otelagent.WithFinishReasons(reasons...))
	})
}
