package otelagent

import (
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"

	"github.com/agenttrace/otelagent/semconv"
)

// attrSetCache keeps the metric attribute sets already built, so the hot path of Complete does
// not sort and allocate a set per point. The number of sets is bounded by maxCachedSets; past it
// sets are built on each call, which is slower but bounded in memory.
type attrSetCache struct {
	m syncMap[setKey, attribute.Set]
	n atomic.Int64
}

const maxCachedSets = 4096

// setKey identifies one attribute set; which fields are used depends on the instrument.
type setKey struct {
	instrument byte
	a, b, c, d string
	flag       byte
}

const (
	instOperation byte = iota
	instTokenUsage
	instInvocation
	instActive
	instTokens
	instAgentModel
)

func (c *attrSetCache) get(k setKey, build func() []attribute.KeyValue) attribute.Set {
	if s, ok := c.m.Load(k); ok {
		return s
	}
	s := attribute.NewSet(build()...)
	if c.n.Load() < maxCachedSets {
		if _, loaded := c.m.LoadOrStore(k, s); !loaded {
			c.n.Add(1)
		}
	}
	return s
}

// operation is the set of gen_ai.client.operation.duration.
func (c *attrSetCache) operation(op string, provider attribute.KeyValue, reqModel, respModel, errType string) attribute.Set {
	return c.get(setKey{instOperation, op, reqModel, respModel, errType, 0}, func() []attribute.KeyValue {
		kv := genAIMetricAttrs(op, provider, reqModel, respModel)
		if errType != "" {
			kv = append(kv, semconv.ErrorType(errType))
		}
		return kv
	})
}

// tokenUsage is the set of gen_ai.client.token.usage.
func (c *attrSetCache) tokenUsage(op string, provider attribute.KeyValue, reqModel, respModel, tokenType string) attribute.Set {
	return c.get(setKey{instTokenUsage, op, reqModel, respModel, tokenType, 0}, func() []attribute.KeyValue {
		return append(genAIMetricAttrs(op, provider, reqModel, respModel), semconv.GenAITokenType(tokenType))
	})
}

func genAIMetricAttrs(op string, provider attribute.KeyValue, reqModel, respModel string) []attribute.KeyValue {
	kv := make([]attribute.KeyValue, 0, 6)
	kv = append(kv, semconv.GenAIOperationName(op), provider)
	if reqModel != "" {
		kv = append(kv, semconv.GenAIRequestModel(reqModel))
	}
	if respModel != "" {
		kv = append(kv, semconv.GenAIResponseModel(respModel))
	}
	return kv
}

// invocation is the set of otelagent.invocations; otelagent.cache.hit only on agent invocations.
func (c *attrSetCache) invocation(agent, op string, isAgent, hit bool, errType string) attribute.Set {
	var flag byte
	if isAgent {
		flag = 1
		if hit {
			flag = 2
		}
	}
	return c.get(setKey{instInvocation, agent, op, errType, "", flag}, func() []attribute.KeyValue {
		kv := []attribute.KeyValue{semconv.GenAIAgentName(agent), semconv.GenAIOperationName(op)}
		if isAgent {
			kv = append(kv, semconv.CacheHit(hit))
		}
		if errType != "" {
			kv = append(kv, semconv.ErrorType(errType))
		}
		return kv
	})
}

// active is the set of otelagent.invocations.active.
func (c *attrSetCache) active(agent, op string) attribute.Set {
	return c.get(setKey{instActive, agent, op, "", "", 0}, func() []attribute.KeyValue {
		return []attribute.KeyValue{semconv.GenAIAgentName(agent), semconv.GenAIOperationName(op)}
	})
}

// tokens is the set of otelagent.tokens.
func (c *attrSetCache) tokens(agent, model, kind string) attribute.Set {
	return c.get(setKey{instTokens, agent, model, kind, "", 0}, func() []attribute.KeyValue {
		return []attribute.KeyValue{semconv.GenAIAgentName(agent), semconv.GenAIResponseModel(model), semconv.TokenType(kind)}
	})
}

// agentModel is the set of otelagent.cache.tokens_saved, otelagent.cost and otelagent.cost.saved.
func (c *attrSetCache) agentModel(agent, model string) attribute.Set {
	return c.get(setKey{instAgentModel, agent, model, "", "", 0}, func() []attribute.KeyValue {
		return []attribute.KeyValue{semconv.GenAIAgentName(agent), semconv.GenAIResponseModel(model)}
	})
}

// attrPool recycles the attribute slices built for span starts and ends: the SDK copies
// attributes it is given, so the slice can be reused once the call returns.
var attrPool = sync.Pool{New: func() any {
	s := make([]attribute.KeyValue, 0, 24)
	return &s
}}

func getAttrs() *[]attribute.KeyValue { return attrPool.Get().(*[]attribute.KeyValue) }

func putAttrs(p *[]attribute.KeyValue) {
	if cap(*p) > 256 { // a caller's huge WithAttributes list: let it go
		return
	}
	clear(*p) // drop references to strings so they can be collected
	*p = (*p)[:0]
	attrPool.Put(p)
}
