package langchaingo

import (
	"context"
	"sync"

	"github.com/agenttrace/otelagent/otelagent"
)

type frameKind uint8

const (
	chainFrame frameKind = iota
	chatFrame
	toolFrame
)

// frame is one open chain, model call or tool of a run.
type frame struct {
	kind    frameKind
	ctx     context.Context       // parent context of operations opened inside this frame
	inv     *otelagent.Invocation // nil for a chain nested in another
	started bool                  // a tool that reported HandleToolStart
	wrapped bool                  // a chat opened by WrapModel
	claimed bool                  // a wrapped chat whose model reported its start too
}

// run is the stack of open frames of one run context.
type run struct {
	h    *Handler
	ctx  context.Context
	stop func() bool // stops the cancellation watch

	mu     sync.Mutex // guards the fields below
	frames []*frame
	gone   bool // forgotten by the Handler
}

func (r *run) top() *frame {
	if len(r.frames) == 0 {
		return nil
	}
	return r.frames[len(r.frames)-1]
}

// parent is the context new operations of the run start from: the innermost frame's, else the
// callback's own.
func (r *run) parent(ctx context.Context) context.Context {
	if top := r.top(); top != nil {
		return top.ctx
	}
	if ctx == nil {
		return context.Background()
	}
	return ctx
}

func (r *run) hasChain() bool {
	for _, f := range r.frames {
		if f.kind == chainFrame {
			return true
		}
	}
	return false
}

func (r *run) push(f *frame) { r.frames = append(r.frames, f) }

// index returns the position of f in the stack, or -1.
func (r *run) index(f *frame) int {
	for i := len(r.frames) - 1; i >= 0; i-- {
		if r.frames[i] == f {
			return i
		}
	}
	return -1
}

// endStaleChat ends a model call left open on top of the stack: a model call does not start
// inside another, so its end was never reported.
func (r *run) endStaleChat() {
	if top := r.top(); top != nil && top.kind == chatFrame {
		r.pop(nil, otelagent.WithError(errNoEnd{"model call"}))
	}
}

// pop completes the top frame.
func (r *run) pop(outputs []otelagent.Message, opts ...otelagent.CompleteOption) {
	f := r.top()
	r.frames = r.frames[:len(r.frames)-1]
	_ = f.inv.Complete(outputs, opts...) // usage comes from UsageOf, which is always valid
}

// endTools ends the tool frames on top of the stack: all of them when the agent has moved on
// (all), else only those whose tool never reported HandleToolStart, which have returned when
// anything else happens in the run.
func (r *run) endTools(all bool) {
	for {
		top := r.top()
		if top == nil || top.kind != toolFrame || (top.started && !all) {
			return
		}
		r.pop(nil)
	}
}

// endChain completes the innermost chain frame and everything above it; err, when set, marks
// them all.
func (r *run) endChain(outputs []otelagent.Message, err error) {
	i := len(r.frames) - 1
	for i >= 0 && r.frames[i].kind != chainFrame {
		i--
	}
	if i < 0 {
		return
	}
	var opts []otelagent.CompleteOption
	if err != nil {
		opts = append(opts, otelagent.WithError(err))
	}
	for len(r.frames) > i+1 {
		r.pop(nil, opts...)
	}
	r.pop(outputs, opts...)
}

// abandon ends every open frame with err; the run is already forgotten.
func (r *run) abandon(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gone = true
	for len(r.frames) > 0 {
		r.pop(nil, otelagent.WithError(err))
	}
	if r.stop != nil {
		r.stop()
	}
}
