package otelagent

import (
	"fmt"
	"math"
)

// TokenUsage is the token count of one model call or one operation.
type TokenUsage struct {
	PromptTokens        int64  `json:"prompt_tokens"`         // all input tokens, cached ones included
	CompletionTokens    int64  `json:"completion_tokens"`     // all output tokens, reasoning included
	TotalTokens         int64  `json:"total_tokens"`          // 0 means PromptTokens+CompletionTokens
	CacheReadTokens     int64  `json:"cache_read_tokens"`     // part of PromptTokens read from a provider prompt cache
	CacheCreationTokens int64  `json:"cache_creation_tokens"` // part of PromptTokens written to a provider prompt cache
	ReasoningTokens     int64  `json:"reasoning_tokens"`      // part of CompletionTokens
	Model               string `json:"model,omitempty"`       // the model that answered
}

// Total returns TotalTokens, or PromptTokens+CompletionTokens when TotalTokens is 0.
func (u TokenUsage) Total() int64 {
	if u.TotalTokens != 0 {
		return u.TotalTokens
	}
	return u.PromptTokens + u.CompletionTokens
}

// IsZero reports whether u carries no counts and no model.
func (u TokenUsage) IsZero() bool { return u == TokenUsage{} }

// Validate reports negative counts, sums that overflow int64 (prompt plus completion, cache
// reads plus cache writes), and parts larger than their whole: cache reads plus cache writes
// above the prompt tokens, reasoning above the completion tokens, or an explicit total below
// prompt plus completion. The error wraps ErrInvalidUsage and names every problem.
func (u TokenUsage) Validate() error {
	var problems []string
	for _, f := range []struct {
		name string
		v    int64
	}{
		{"prompt_tokens", u.PromptTokens},
		{"completion_tokens", u.CompletionTokens},
		{"total_tokens", u.TotalTokens},
		{"cache_read_tokens", u.CacheReadTokens},
		{"cache_creation_tokens", u.CacheCreationTokens},
		{"reasoning_tokens", u.ReasoningTokens},
	} {
		if f.v < 0 {
			problems = append(problems, fmt.Sprintf("%s is negative (%d)", f.name, f.v))
		}
	}
	if len(problems) == 0 {
		if u.PromptTokens > math.MaxInt64-u.CompletionTokens {
			problems = append(problems, fmt.Sprintf("prompt_tokens+completion_tokens overflow int64 (%d+%d)", u.PromptTokens, u.CompletionTokens))
		}
		if u.CacheReadTokens > math.MaxInt64-u.CacheCreationTokens {
			problems = append(problems, fmt.Sprintf("cache_read_tokens+cache_creation_tokens overflow int64 (%d+%d)", u.CacheReadTokens, u.CacheCreationTokens))
		}
	}
	if len(problems) == 0 {
		if c := u.CacheReadTokens + u.CacheCreationTokens; c > u.PromptTokens {
			problems = append(problems, fmt.Sprintf("cache_read_tokens+cache_creation_tokens (%d) exceed prompt_tokens (%d)", c, u.PromptTokens))
		}
		if u.ReasoningTokens > u.CompletionTokens {
			problems = append(problems, fmt.Sprintf("reasoning_tokens (%d) exceed completion_tokens (%d)", u.ReasoningTokens, u.CompletionTokens))
		}
		if s := u.PromptTokens + u.CompletionTokens; u.TotalTokens != 0 && u.TotalTokens < s {
			problems = append(problems, fmt.Sprintf("total_tokens (%d) is below prompt_tokens+completion_tokens (%d)", u.TotalTokens, s))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	msg := problems[0]
	for _, p := range problems[1:] {
		msg += "; " + p
	}
	return fmt.Errorf("%w: %s", ErrInvalidUsage, msg)
}

// counts is TokenUsage with the total always explicit, for the arithmetic of counting once.
type counts struct {
	prompt, completion, total, cacheRead, cacheCreation, reasoning int64
}

func countsOf(u TokenUsage) counts {
	return counts{u.PromptTokens, u.CompletionTokens, u.Total(), u.CacheReadTokens, u.CacheCreationTokens, u.ReasoningTokens}
}

func (c counts) isZero() bool { return c == counts{} }

// add sums c and d per kind, saturating at math.MaxInt64: totals stay exact until they would
// wrap, and then stay at the largest count instead of turning negative.
func (c counts) add(d counts) counts {
	return counts{satAdd(c.prompt, d.prompt), satAdd(c.completion, d.completion), satAdd(c.total, d.total),
		satAdd(c.cacheRead, d.cacheRead), satAdd(c.cacheCreation, d.cacheCreation), satAdd(c.reasoning, d.reasoning)}
}

func (c counts) sub(d counts) counts {
	return counts{c.prompt - d.prompt, c.completion - d.completion, c.total - d.total,
		c.cacheRead - d.cacheRead, c.cacheCreation - d.cacheCreation, c.reasoning - d.reasoning}
}

// merge returns, per token kind, the larger of own and children: an invocation's own usage is
// its total, and its children's sum is a floor under it. The total never falls below the
// merged prompt plus completion.
func (c counts) merge(children counts) counts {
	m := counts{
		prompt:        max(c.prompt, children.prompt),
		completion:    max(c.completion, children.completion),
		cacheRead:     max(c.cacheRead, children.cacheRead),
		cacheCreation: max(c.cacheCreation, children.cacheCreation),
		reasoning:     max(c.reasoning, children.reasoning),
	}
	m.total = max(c.total, children.total, satAdd(m.prompt, m.completion))
	return m
}

// satAdd returns a+b for non-negative counts, or math.MaxInt64 where the sum would overflow.
func satAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}
