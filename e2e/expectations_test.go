package e2e

import (
	"cmp"
	"encoding/json"

	"github.com/agenttrace/otelagent/otelagent"
	"github.com/agenttrace/otelagent/semconv"
	"go.opentelemetry.io/otel/attribute"
)

// The expectations below follow the design's accounting rules from the
// scenario's description alone; they share no code with the otelagent package.

// wantSpan is what one operation of the scenario must look like in Jaeger.
type wantSpan struct {
	step    string // the e2e.step tag
	name    string
	parent  string // the parent's step, "" for the root
	kind    string // span.kind tag as Jaeger shows it
	errType string // "" for a span without error
	tags    map[attribute.Key]any
}

// usageSum is the counting of tokens the expectations need.
type usageSum struct {
	prompt, completion, cacheRead, cacheCreation, reasoning int64
}

func (u *usageSum) add(t otelagent.TokenUsage) {
	u.prompt += t.PromptTokens
	u.completion += t.CompletionTokens
	u.cacheRead += t.CacheReadTokens
	u.cacheCreation += t.CacheCreationTokens
	u.reasoning += t.ReasoningTokens
}

func (u usageSum) total() int64 { return u.prompt + u.completion }

// priceOf is the USD cost of u at its model's price, and what its provider
// cache reads saved against full input price.
func priceOf(u otelagent.TokenUsage) (cost, cacheReadSaving float64) {
	p := pricing[u.Model]
	read, write := cmp.Or(p.CacheRead, p.Input), cmp.Or(p.CacheWrite, p.Input)
	plain := u.PromptTokens - u.CacheReadTokens - u.CacheCreationTokens
	cost = (float64(plain)*p.Input + float64(u.CacheReadTokens)*read + float64(u.CacheCreationTokens)*write +
		float64(u.CompletionTokens)*p.Output) / 1e6
	return cost, float64(u.CacheReadTokens) * (p.Input - read) / 1e6
}

func usageTags(tags map[attribute.Key]any, u usageSum) {
	tags[semconv.GenAIUsageInputTokensKey] = u.prompt
	tags[semconv.GenAIUsageOutputTokensKey] = u.completion
	tags[semconv.GenAIUsageCacheReadInputTokensKey] = u.cacheRead
	tags[semconv.GenAIUsageCacheCreationInputTokensKey] = u.cacheCreation
	tags[semconv.GenAIUsageReasoningOutputTokensKey] = u.reasoning
	tags[semconv.UsageTotalTokensKey] = u.total()
}

// expectedSpans lists every span of one scenario run.
func expectedSpans() []wantSpan {
	reasons, _ := json.Marshal([]string{finishReason})
	spans := []wantSpan{{
		step: "workflow", name: semconv.OperationInvokeWorkflow + " " + workflowName, kind: "internal",
		tags: map[attribute.Key]any{
			semconv.GenAIOperationNameKey:  semconv.OperationInvokeWorkflow,
			semconv.GenAIProviderNameKey:   providerName,
			semconv.GenAIWorkflowNameKey:   workflowName,
			semconv.GenAIConversationIDKey: conversation,
		},
	}}
	for _, tr := range scenarioTurns {
		agent := wantSpan{
			step: tr.label, parent: "workflow", name: semconv.OperationInvokeAgent + " " + tr.agent, kind: "internal",
			tags: map[attribute.Key]any{
				semconv.GenAIOperationNameKey:  semconv.OperationInvokeAgent,
				semconv.GenAIProviderNameKey:   providerName,
				semconv.GenAIAgentNameKey:      tr.agent,
				semconv.GenAIAgentIDKey:        tr.agent + "-1",
				semconv.GenAIConversationIDKey: conversation,
				semconv.GenAIRequestModelKey:   tr.requestModel,
				semconv.CacheHitKey:            tr.cacheHit,
			},
		}
		if tr.err != nil {
			agent.errType = errTypeOf(tr.err)
		}
		var rolled usageSum
		var cost, saved float64
		for _, st := range tr.steps {
			if st.chat == nil {
				s := wantSpan{
					step: st.label, parent: tr.label, name: semconv.OperationExecuteTool + " " + st.tool, kind: "internal",
					tags: map[attribute.Key]any{
						semconv.GenAIOperationNameKey:  semconv.OperationExecuteTool,
						semconv.GenAIProviderNameKey:   providerName,
						semconv.GenAIToolNameKey:       st.tool,
						semconv.GenAIConversationIDKey: conversation,
					},
				}
				if st.err != nil {
					s.errType = errTypeOf(st.err)
				}
				spans = append(spans, s)
				continue
			}
			var u usageSum
			u.add(*st.chat)
			rolled.add(*st.chat)
			c, s := priceOf(*st.chat)
			cost += c
			saved += s
			tags := map[attribute.Key]any{
				semconv.GenAIOperationNameKey:         semconv.OperationChat,
				semconv.GenAIProviderNameKey:          providerName,
				semconv.GenAIRequestModelKey:          st.chat.Model,
				semconv.GenAIResponseModelKey:         st.chat.Model,
				semconv.GenAIConversationIDKey:        conversation,
				semconv.GenAIResponseFinishReasonsKey: string(reasons),
				semconv.CostUSDKey:                    c,
				semconv.CostSavedUSDKey:               s,
			}
			usageTags(tags, u)
			spans = append(spans, wantSpan{step: st.label, parent: tr.label,
				name: semconv.OperationChat + " " + st.chat.Model, kind: "client", tags: tags})
		}
		if tr.cacheHit {
			full, _ := priceOf(tr.avoided)
			agent.tags[semconv.CacheTokensSavedKey] = tr.avoided.PromptTokens + tr.avoided.CompletionTokens
			agent.tags[semconv.GenAIResponseModelKey] = tr.avoided.Model
			agent.tags[semconv.CostUSDKey] = 0.0
			agent.tags[semconv.CostSavedUSDKey] = full
		} else {
			usageTags(agent.tags, rolled)
			agent.tags[semconv.CostUSDKey] = cost
			agent.tags[semconv.CostSavedUSDKey] = saved
		}
		spans = append(spans, agent)
	}
	return spans
}

// errTypeOf is the error.type the scenario's errors declare.
func errTypeOf(err error) string { return err.(*scenarioError).kind }

// agentModel and the other keys index the expected metric totals the way the
// metrics are labelled.
type agentModel struct{ agent, model string }

type tokenKey struct{ agent, model, kind string }

type invocationKey struct {
	agent, operation, cacheHit, errType string // cacheHit "" where the metric has no such label
}

type opTokenKey struct{ operation, tokenType string }

// wantMetrics are the totals one scenario run adds to the metrics.
type wantMetrics struct {
	tokens        map[tokenKey]int64
	tokensSaved   map[agentModel]int64
	cost          map[agentModel]float64
	costSaved     map[agentModel]float64
	invocations   map[invocationKey]int64
	durationCount map[string]int64     // by operation
	tokenUsageSum map[opTokenKey]int64 // gen_ai.client.token.usage sum by operation and token type
	tokenUsageN   map[opTokenKey]int64 // and its count
}

func expectedMetrics() wantMetrics {
	w := wantMetrics{
		tokens: map[tokenKey]int64{}, tokensSaved: map[agentModel]int64{},
		cost: map[agentModel]float64{}, costSaved: map[agentModel]float64{},
		invocations: map[invocationKey]int64{}, durationCount: map[string]int64{},
		tokenUsageSum: map[opTokenKey]int64{}, tokenUsageN: map[opTokenKey]int64{},
	}
	w.invocations[invocationKey{operation: semconv.OperationInvokeWorkflow}]++
	w.durationCount[semconv.OperationInvokeWorkflow]++
	for _, tr := range scenarioTurns {
		w.durationCount[semconv.OperationInvokeAgent]++
		hit := "false"
		if tr.cacheHit {
			hit = "true"
			am := agentModel{tr.agent, tr.avoided.Model}
			w.tokensSaved[am] += tr.avoided.PromptTokens + tr.avoided.CompletionTokens
			full, _ := priceOf(tr.avoided)
			w.costSaved[am] += full
		}
		ik := invocationKey{agent: tr.agent, operation: semconv.OperationInvokeAgent, cacheHit: hit}
		if tr.err != nil {
			ik.errType = errTypeOf(tr.err)
		}
		w.invocations[ik]++
		var rolled usageSum
		for _, st := range tr.steps {
			if st.chat == nil {
				w.durationCount[semconv.OperationExecuteTool]++
				k := invocationKey{agent: tr.agent, operation: semconv.OperationExecuteTool}
				if st.err != nil {
					k.errType = errTypeOf(st.err)
				}
				w.invocations[k]++
				continue
			}
			u := *st.chat
			w.durationCount[semconv.OperationChat]++
			w.invocations[invocationKey{agent: tr.agent, operation: semconv.OperationChat}]++
			for kind, n := range map[string]int64{
				semconv.TokenKindInput: u.PromptTokens, semconv.TokenKindOutput: u.CompletionTokens,
				semconv.TokenKindCacheRead: u.CacheReadTokens, semconv.TokenKindCacheCreation: u.CacheCreationTokens,
				semconv.TokenKindReasoning: u.ReasoningTokens,
			} {
				if n != 0 {
					w.tokens[tokenKey{tr.agent, u.Model, kind}] += n
				}
			}
			am := agentModel{tr.agent, u.Model}
			c, s := priceOf(u)
			w.cost[am] += c
			if s != 0 {
				w.costSaved[am] += s
			}
			w.addTokenUsage(semconv.OperationChat, u.PromptTokens, u.CompletionTokens)
			rolled.add(u)
		}
		if rolled.total() != 0 {
			// An agent invocation records the usage its chats rolled up into its span.
			w.addTokenUsage(semconv.OperationInvokeAgent, rolled.prompt, rolled.completion)
		}
	}
	return w
}

func (w wantMetrics) addTokenUsage(op string, input, output int64) {
	for typ, n := range map[string]int64{semconv.TokenTypeInput: input, semconv.TokenTypeOutput: output} {
		k := opTokenKey{op, typ}
		w.tokenUsageSum[k] += n
		w.tokenUsageN[k]++
	}
}
