package otelagent

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// OnMessagesInvoke starts an agent invocation like Invoke, for code written as a pair of
// callbacks (on invoke, on complete) rather than around an Invocation. usage is provisional: OnMessagesComplete's usage, when non-zero,
// replaces it, never adds to it. cacheHit is ignored here; OnMessagesComplete's decides. The
// returned context carries the invocation.
func (t *Tracer) OnMessagesInvoke(ctx context.Context, agent string, messages []Message, usage TokenUsage, cacheHit bool) context.Context {
	_ = cacheHit
	agent = validUTF8(agent)
	ctx, inv := t.Invoke(ctx, agent, messages)
	if inv == nil {
		return ctx
	}
	inv.fromCallbacks = true
	inv.provisional = usage
	t.open.push(agent, inv)
	return ctx
}

// OnMessagesComplete completes the invocation that ctx carries for agent, else the most recent
// open one of agent started by OnMessagesInvoke. usage, when non-zero, replaces the provisional
// usage given to OnMessagesInvoke; cacheHit marks a response-cache hit. With no open invocation
// of agent it returns an error wrapping ErrNoOpenInvocation and records nothing.
func (t *Tracer) OnMessagesComplete(ctx context.Context, agent string, outputs []Message, usage TokenUsage, cacheHit bool) error {
	if t == nil {
		return ErrNilTracer
	}
	agent = validUTF8(agent)
	if ctx != nil {
		for inv := invocationFromContext(ctx); inv != nil; inv = inv.parent {
			if inv.op.isAgent && inv.agentName == agent && !inv.done.Load() {
				return inv.Complete(outputs, callbackCompleteOptions(inv, usage, cacheHit)...)
			}
		}
	}
	// Another goroutine may complete the latest open invocation first; then take the next.
	for {
		inv := t.open.latest(agent)
		if inv == nil {
			return fmt.Errorf("%w for agent %q", ErrNoOpenInvocation, agent)
		}
		err := inv.Complete(outputs, callbackCompleteOptions(inv, usage, cacheHit)...)
		if !errors.Is(err, ErrAlreadyCompleted) {
			return err
		}
		t.open.remove(inv)
	}
}

func callbackCompleteOptions(inv *Invocation, usage TokenUsage, cacheHit bool) []CompleteOption {
	if usage.IsZero() {
		usage = inv.provisional
	}
	return []CompleteOption{WithUsage(usage), WithCacheHit(cacheHit)}
}

// openInvocations indexes the open invocations started by OnMessagesInvoke, per agent, most
// recent last.
type openInvocations struct {
	mu      sync.Mutex
	byAgent map[string][]*Invocation
}

func (o *openInvocations) push(agent string, inv *Invocation) {
	o.mu.Lock()
	if o.byAgent == nil {
		o.byAgent = make(map[string][]*Invocation)
	}
	o.byAgent[agent] = append(o.byAgent[agent], inv)
	o.mu.Unlock()
}

func (o *openInvocations) latest(agent string) *Invocation {
	o.mu.Lock()
	defer o.mu.Unlock()
	list := o.byAgent[agent]
	if len(list) == 0 {
		return nil
	}
	return list[len(list)-1]
}

func (o *openInvocations) remove(inv *Invocation) {
	o.mu.Lock()
	defer o.mu.Unlock()
	list := o.byAgent[inv.agentName]
	for k := len(list) - 1; k >= 0; k-- {
		if list[k] == inv {
			list = append(list[:k], list[k+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(o.byAgent, inv.agentName)
	} else {
		o.byAgent[inv.agentName] = list
	}
}
