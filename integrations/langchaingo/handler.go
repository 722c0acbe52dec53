package langchaingo

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"sort"
	"sync"

	"github.com/tmc/langchaingo/callbacks"
	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/schema"

	"github.com/agenttrace/otelagent/otelagent"
)

// ErrClosed ends the spans that Close finds open.
var ErrClosed = errors.New("langchaingo: handler closed with the operation still open")

// errNoEnd ends a model call or tool that langchaingo never reported the end of.
type errNoEnd struct{ what string }

func (e errNoEnd) Error() string     { return "langchaingo: " + e.what + " reported no end" }
func (e errNoEnd) ErrorType() string { return "no_end_callback" }

// Handler is a callbacks.Handler that records langchaingo runs as otelagent spans. Create it
// with NewHandler. It is safe for concurrent use.
type Handler struct {
	tracer *otelagent.Tracer
	cfg    config

	mu   sync.Mutex // guards runs
	runs map[any]*run
}

var _ callbacks.Handler = (*Handler)(nil)

// NewHandler returns a Handler recording into tracer. A nil tracer records nothing.
func NewHandler(tracer *otelagent.Tracer, opts ...Option) *Handler {
	return &Handler{tracer: tracer, cfg: newConfig(opts), runs: make(map[any]*run)}
}

// Close ends every span still open, with ErrClosed, and forgets all runs. Use it when a program
// stops while runs may be in flight. The Handler stays usable. Safe for concurrent use.
func (h *Handler) Close() {
	h.mu.Lock()
	runs := make([]*run, 0, len(h.runs))
	for key, r := range h.runs {
		runs = append(runs, r)
		delete(h.runs, key)
	}
	h.mu.Unlock()
	for _, r := range runs {
		r.abandon(ErrClosed)
	}
}

// runKey identifies the run of a callback: its context value when that can be a map key.
func runKey(ctx context.Context) any {
	if ctx == nil {
		return sharedRun{}
	}
	if reflect.ValueOf(ctx).Comparable() {
		return ctx
	}
	if done := ctx.Done(); done != nil {
		return done
	}
	return sharedRun{}
}

// sharedRun is the key of contexts that cannot tell runs apart.
type sharedRun struct{}

// with runs f on the run of ctx, under the run's lock. With create false and no run open, f is
// not called. A run whose stack empties is forgotten.
func (h *Handler) with(ctx context.Context, create bool, f func(r *run)) {
	if h == nil {
		return
	}
	key := runKey(ctx)
	for {
		h.mu.Lock()
		r := h.runs[key]
		if r == nil {
			if !create {
				h.mu.Unlock()
				return
			}
			r = &run{h: h, ctx: ctx}
			h.runs[key] = r
			if ctx != nil && ctx.Done() != nil {
				r.stop = context.AfterFunc(ctx, func() { h.cancel(key, r) })
			}
		}
		h.mu.Unlock()

		r.mu.Lock()
		if r.gone {
			r.mu.Unlock()
			continue // forgotten meanwhile: take the current one
		}
		f(r)
		empty := len(r.frames) == 0
		if empty {
			r.gone = true
		}
		r.mu.Unlock()
		if empty {
			h.forget(key, r)
		}
		return
	}
}

func (h *Handler) forget(key any, r *run) {
	h.mu.Lock()
	if h.runs[key] == r {
		delete(h.runs, key)
	}
	h.mu.Unlock()
	if r.stop != nil {
		r.stop()
	}
}

// cancel ends the spans of a run whose context was cancelled.
func (h *Handler) cancel(key any, r *run) {
	h.mu.Lock()
	if h.runs[key] == r {
		delete(h.runs, key)
	}
	h.mu.Unlock()
	r.abandon(context.Cause(r.ctx))
}

// HandleChainStart opens an invoke_agent span for the outermost chain of a run; nested chains
// only mark their place.
func (h *Handler) HandleChainStart(ctx context.Context, inputs map[string]any) {
	h.with(ctx, true, func(r *run) {
		r.endTools(false)
		f := &frame{kind: chainFrame}
		if !r.hasChain() {
			opts := append([]otelagent.InvokeOption{otelagent.WithRequestModel(h.cfg.model)}, h.cfg.invokeOpts...)
			f.ctx, f.inv = h.tracer.Invoke(r.parent(ctx), h.cfg.agentName, messagesOf(inputs, "user"), opts...)
		} else {
			f.ctx = r.parent(ctx)
		}
		r.push(f)
	})
}

// HandleChainEnd completes the chain's span, if it has one, and ends what it left open.
func (h *Handler) HandleChainEnd(ctx context.Context, outputs map[string]any) {
	h.with(ctx, false, func(r *run) { r.endChain(messagesOf(outputs, "assistant"), nil) })
}

// HandleChainError completes the chain's span, if it has one, with err, and ends what it left
// open with err.
func (h *Handler) HandleChainError(ctx context.Context, err error) {
	h.with(ctx, false, func(r *run) { r.endChain(nil, orUnknown(err)) })
}

// HandleLLMGenerateContentStart opens a chat span.
func (h *Handler) HandleLLMGenerateContentStart(ctx context.Context, msgs []llms.MessageContent) {
	h.with(ctx, true, func(r *run) {
		if top := r.top(); top != nil && top.wrapped && !top.claimed {
			top.claimed = true // the model reports the call WrapModel opened
			return
		}
		r.endTools(false)
		r.endStaleChat()
		r.push(h.startChat(r.parent(ctx), msgs))
	})
}

// HandleLLMGenerateContentEnd completes the chat span with the response's usage (UsageOf),
// outputs and finish reasons. A response without a start still gets a chat span.
func (h *Handler) HandleLLMGenerateContentEnd(ctx context.Context, res *llms.ContentResponse) {
	outputs, reasons := outputsOf(res)
	opts := []otelagent.CompleteOption{otelagent.WithUsage(UsageOf(res)), otelagent.WithFinishReasons(reasons...)}
	h.with(ctx, true, func(r *run) {
		if top := r.top(); top == nil || top.kind != chatFrame {
			r.push(h.startChat(r.parent(ctx), nil))
		}
		r.pop(outputs, opts...)
	})
}

// HandleLLMError completes the chat span with err.
func (h *Handler) HandleLLMError(ctx context.Context, err error) {
	h.with(ctx, true, func(r *run) {
		if top := r.top(); top == nil || top.kind != chatFrame {
			r.push(h.startChat(r.parent(ctx), nil))
		}
		r.pop(nil, otelagent.WithError(orUnknown(err)))
	})
}

// HandleAgentAction opens an execute_tool span for the action's tool, ending the tool spans
// of the previous step.
func (h *Handler) HandleAgentAction(ctx context.Context, action schema.AgentAction) {
	h.with(ctx, true, func(r *run) {
		r.endTools(true)
		opts := append([]otelagent.InvokeOption{otelagent.WithToolCallID(action.ToolID),
			otelagent.WithToolArguments(jsonString(action.ToolInput))}, h.cfg.invokeOpts...)
		f := &frame{kind: toolFrame}
		f.ctx, f.inv = h.tracer.StartTool(r.parent(ctx), action.Tool, opts...)
		r.push(f)
	})
}

// HandleAgentFinish ends the tool spans of the last step.
func (h *Handler) HandleAgentFinish(ctx context.Context, _ schema.AgentFinish) {
	h.with(ctx, false, func(r *run) { r.endTools(true) })
}

// HandleToolStart marks the tool span of the current action as reported by the tool, or opens
// an unnamed execute_tool span for a tool called outside an agent.
func (h *Handler) HandleToolStart(ctx context.Context, input string) {
	h.with(ctx, true, func(r *run) {
		if top := r.top(); top != nil && top.kind == toolFrame && !top.started {
			top.started = true
			return
		}
		r.endTools(false)
		opts := append([]otelagent.InvokeOption{otelagent.WithToolArguments(jsonString(input))}, h.cfg.invokeOpts...)
		f := &frame{kind: toolFrame, started: true}
		f.ctx, f.inv = h.tracer.StartTool(r.parent(ctx), "", opts...)
		r.push(f)
	})
}

// HandleToolEnd completes the tool span with the tool's output.
func (h *Handler) HandleToolEnd(ctx context.Context, output string) {
	h.with(ctx, false, func(r *run) {
		if top := r.top(); top != nil && top.kind == toolFrame {
			r.pop([]otelagent.Message{{Role: "tool", Content: output}})
		}
	})
}

// HandleToolError completes the tool span with err.
func (h *Handler) HandleToolError(ctx context.Context, err error) {
	h.with(ctx, false, func(r *run) {
		if top := r.top(); top != nil && top.kind == toolFrame {
			r.pop(nil, otelagent.WithError(orUnknown(err)))
		}
	})
}

// HandleText does nothing.
func (h *Handler) HandleText(context.Context, string) {}

// HandleLLMStart does nothing: langchaingo's models report HandleLLMGenerateContentStart.
func (h *Handler) HandleLLMStart(context.Context, []string) {}

// HandleRetrieverStart does nothing.
func (h *Handler) HandleRetrieverStart(context.Context, string) {}

// HandleRetrieverEnd does nothing.
func (h *Handler) HandleRetrieverEnd(context.Context, string, []schema.Document) {}

// HandleStreamingFunc does nothing.
func (h *Handler) HandleStreamingFunc(context.Context, []byte) {}

// startChat opens a chat span; the prompt msgs are converted only when the Tracer captures
// content.
func (h *Handler) startChat(parent context.Context, msgs []llms.MessageContent) *frame {
	f := &frame{kind: chatFrame}
	opts := h.cfg.invokeOpts
	if len(msgs) > 0 && h.tracer.CapturesContent() {
		opts = append(slices.Clip(opts), otelagent.WithInputMessages(promptOf(msgs)...))
	}
	f.ctx, f.inv = h.tracer.StartChat(parent, h.cfg.model, opts...)
	return f
}

// messagesOf turns a chain's string values into messages, in key order; other values (memory,
// intermediate steps) are left out.
func messagesOf(values map[string]any, role string) []otelagent.Message {
	keys := make([]string, 0, len(values))
	for k, v := range values {
		if _, ok := v.(string); ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	msgs := make([]otelagent.Message, 0, len(keys))
	for _, k := range keys {
		msgs = append(msgs, otelagent.Message{Role: role, Content: values[k].(string)})
	}
	return msgs
}

func outputsOf(res *llms.ContentResponse) ([]otelagent.Message, []string) {
	if res == nil {
		return nil, nil
	}
	var msgs []otelagent.Message
	var reasons []string
	for _, c := range res.Choices {
		if c == nil {
			continue
		}
		msgs = append(msgs, otelagent.Message{Role: "assistant", Content: c.Content})
		if c.StopReason != "" {
			reasons = append(reasons, c.StopReason)
		}
	}
	return msgs, reasons
}

func jsonString(s string) string {
	b, _ := json.Marshal(s) // a string always encodes
	return string(b)
}

func orUnknown(err error) error {
	if err == nil {
		return errors.New("langchaingo: error callback without an error")
	}
	return err
}
