package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/agenttrace/otelagent/otelagent"
)

// errModelTimeout is the failure the fake model produces for prompts that mention "timeout".
var errModelTimeout = modelError{"upstream model timed out"}

// modelError carries a low-cardinality error.type, as a real client's errors should.
type modelError struct{ msg string }

func (e modelError) Error() string     { return e.msg }
func (e modelError) ErrorType() string { return "timeout" }

// fakeModel stands in for an LLM API: deterministic answers and token counts, a provider prompt
// cache for the shared system prompt, and a short delay. No network.
type fakeModel struct {
	name   string
	system string
}

func (m fakeModel) complete(ctx context.Context, prompt string) (string, otelagent.TokenUsage, error) {
	select {
	case <-time.After(time.Duration(5+len(prompt)%20) * time.Millisecond):
	case <-ctx.Done():
		return "", otelagent.TokenUsage{}, ctx.Err()
	}
	if strings.Contains(prompt, "timeout") {
		return "", otelagent.TokenUsage{}, errModelTimeout
	}
	answer := fmt.Sprintf("Answer to %q, in %d words.", prompt, 8+len(prompt)%7)
	system := tokens(m.system)
	usage := otelagent.TokenUsage{
		PromptTokens:     system + tokens(prompt),
		CompletionTokens: tokens(answer) + 12, // 12 reasoning tokens the caller never sees
		CacheReadTokens:  system,              // the provider served the shared system prompt from its cache
		ReasoningTokens:  12,
		Model:            m.name + "-2024-08-06",
	}
	return answer, usage, nil
}

// tokens approximates a tokenizer: one token per four bytes, at least one.
func tokens(s string) int64 { return max(int64(len(s))/4, 1) }

// responseCache is the application's cache of whole answers: a hit means no model call at all.
type responseCache struct {
	mu      sync.Mutex
	answers map[string]cached
}

type cached struct {
	answer string
	usage  otelagent.TokenUsage // what the call that produced it cost, i.e. what a hit saves
}

func (c *responseCache) get(prompt string) (cached, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	a, ok := c.answers[prompt]
	return a, ok
}

func (c *responseCache) put(prompt string, a cached) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.answers == nil {
		c.answers = make(map[string]cached)
	}
	c.answers[prompt] = a
}

// agent answers questions through the cache, the model and, for order questions, a tool.
type agent struct {
	name   string
	model  fakeModel
	cache  *responseCache
	tracer *otelagent.Tracer
}

func (a *agent) handle(ctx context.Context, conversation, question string) (string, error) {
	ctx, inv := a.tracer.Invoke(ctx, a.name, []otelagent.Message{{Role: "user", Content: question}},
		otelagent.WithRequestModel(a.model.name), otelagent.WithConversationID(conversation))

	if hit, ok := a.cache.get(question); ok {
		return hit.answer, inv.Complete([]otelagent.Message{{Role: "assistant", Content: hit.answer}},
			otelagent.WithCacheHit(true), otelagent.WithUsage(hit.usage))
	}

	prompt := question
	if strings.Contains(question, "order") {
		status, err := a.lookupOrder(ctx, question)
		if err != nil {
			return "", errors.Join(err, inv.Complete(nil, otelagent.WithError(err)))
		}
		prompt += " (order status: " + status + ")"
	}

	chatCtx, chat := a.tracer.StartChat(ctx, a.model.name)
	answer, usage, err := a.model.complete(chatCtx, prompt)
	if err != nil {
		_ = chat.Complete(nil, otelagent.WithError(err))
		return "", errors.Join(err, inv.Complete(nil, otelagent.WithError(err)))
	}
	out := []otelagent.Message{{Role: "assistant", Content: answer}}
	if err := chat.Complete(out, otelagent.WithUsage(usage), otelagent.WithFinishReasons("stop")); err != nil {
		return "", err
	}
	a.cache.put(question, cached{answer: answer, usage: usage})
	// The chat's usage rolls up into this invocation's span; nothing is counted twice.
	return answer, inv.Complete(out, otelagent.WithFinishReasons("stop"))
}

func (a *agent) lookupOrder(ctx context.Context, question string) (string, error) {
	_, tool := a.tracer.StartTool(ctx, "lookup_order", otelagent.WithToolCallID(fmt.Sprintf("call_%d", len(question))))
	time.Sleep(2 * time.Millisecond)
	status := "shipped"
	return status, tool.Complete([]otelagent.Message{{Role: "tool", Content: status}})
}
