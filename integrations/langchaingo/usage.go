package langchaingo

import (
	"encoding/json"
	"math"

	"github.com/tmc/langchaingo/llms"

	"github.com/agenttrace/otelagent/otelagent"
)

// UsageOf reads the token usage of a model response from the generation info of its first
// choice that has any: providers copy the usage of the whole call into every choice, so the
// choices are not summed. It understands the keys langchaingo's providers write:
//
//   - OpenAI, Ollama, Google AI, Maritaca: PromptTokens (cached tokens included),
//     CompletionTokens, TotalTokens, ReasoningTokens / CompletionReasoningTokens /
//     ThinkingTokens, and PromptCachedTokens / CachedTokens / CacheReadInputTokens;
//   - Anthropic: InputTokens, OutputTokens, CacheReadInputTokens and CacheCreationInputTokens,
//     where InputTokens excludes the cached tokens and the conventions' input total is the sum
//     of the three;
//   - Bedrock and Google AI's snake case: input_tokens, output_tokens, total_tokens.
//
// A string "model" key (Mistral) becomes Model. Parts larger than their whole are capped, so the
// result always passes TokenUsage.Validate. A nil response or one without usage gives the zero
// TokenUsage.
func UsageOf(res *llms.ContentResponse) otelagent.TokenUsage {
	if res == nil {
		return otelagent.TokenUsage{}
	}
	for _, c := range res.Choices {
		if c == nil || len(c.GenerationInfo) == 0 {
			continue
		}
		if u := usageOfInfo(c.GenerationInfo); !u.IsZero() {
			return u
		}
	}
	return otelagent.TokenUsage{}
}

func usageOfInfo(info map[string]any) otelagent.TokenUsage {
	var u otelagent.TokenUsage
	if m, ok := info["model"].(string); ok {
		u.Model = m
	}
	if prompt, ok := intOf(info, "PromptTokens"); ok {
		u.PromptTokens = prompt
		u.CompletionTokens, _ = first(info, "CompletionTokens", "output_tokens")
		u.CacheReadTokens, _ = first(info, "PromptCachedTokens", "CachedTokens", "CacheReadInputTokens")
	} else if input, ok := intOf(info, "InputTokens"); ok {
		u.CacheReadTokens, _ = intOf(info, "CacheReadInputTokens")
		u.CacheCreationTokens, _ = intOf(info, "CacheCreationInputTokens")
		u.PromptTokens = input + u.CacheReadTokens + u.CacheCreationTokens
		u.CompletionTokens, _ = first(info, "OutputTokens", "output_tokens")
	} else {
		u.PromptTokens, _ = intOf(info, "input_tokens")
		u.CompletionTokens, _ = first(info, "CompletionTokens", "OutputTokens", "output_tokens")
	}
	u.ReasoningTokens, _ = first(info, "ReasoningTokens", "CompletionReasoningTokens", "ThinkingTokens")
	if total, ok := first(info, "TotalTokens", "total_tokens"); ok && total >= u.PromptTokens+u.CompletionTokens {
		u.TotalTokens = total
	}
	// Cap parts at their whole: generation info is the provider's, and one inconsistent field
	// must not make the whole usage invalid.
	u.CacheReadTokens = min(u.CacheReadTokens, u.PromptTokens)
	u.CacheCreationTokens = min(u.CacheCreationTokens, u.PromptTokens-u.CacheReadTokens)
	u.ReasoningTokens = min(u.ReasoningTokens, u.CompletionTokens)
	if u.TotalTokens == u.PromptTokens+u.CompletionTokens {
		u.TotalTokens = 0
	}
	return u
}

// first returns the value of the first of keys present in info.
func first(info map[string]any, keys ...string) (int64, bool) {
	for _, k := range keys {
		if v, ok := intOf(info, k); ok {
			return v, true
		}
	}
	return 0, false
}

// intOf returns info[key] as a non-negative count, whatever numeric type the provider used.
func intOf(info map[string]any, key string) (int64, bool) {
	var n int64
	switch v := info[key].(type) {
	case int:
		n = int64(v)
	case int32:
		n = int64(v)
	case int64:
		n = v
	case uint:
		n = int64(min(uint64(v), math.MaxInt64))
	case uint32:
		n = int64(v)
	case uint64:
		n = int64(min(v, math.MaxInt64))
	case float64:
		if math.IsNaN(v) || v < 0 || v > math.MaxInt64 {
			return 0, false
		}
		n = int64(v)
	case json.Number:
		i, err := v.Int64()
		if err != nil {
			return 0, false
		}
		n = i
	default:
		return 0, false
	}
	if n < 0 {
		return 0, false
	}
	return n, true
}
