package otelagent

import (
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/agenttrace/otelagent/semconv"
)

// attrSetCache keeps the metric attribute sets already built, as ready measurement options, so
// the hot path of Complete neither sorts and allocates a set nor boxes an option per point. The
// number of entries is bounded by maxCachedSets; past it options are built on each call, which
// is slower but bounded in memory.
type attrSetCache struct {
	m syncMap[setKey, measureOpts]
	n atomic.Int64
}

// measureOpts are the options recording one attribute set, for Add and for Record; the SDK does
// not keep the slices, so they are shared by every call.
type measureOpts struct {
	add []metric.AddOption
	rec []metric.RecordOption
}

const maxCachedSets = 4096

// setKey identifies one attribute set; which fields are used depends on the instrument.
type setKey struct {
	instrument byte
	provider   string // gen_ai.provider.name of the conventions' metrics, else ""
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

func (c *attrSetCache) get(k setKey, build func() []attribute.KeyValue) measureOpts {
	if o, ok := c.m.Load(k); ok {
		return o
	}
	opt := metric.WithAttributeSet(attribute.NewSet(build()...))
	o := measureOpts{add: []metric.AddOption{opt}, rec: []metric.RecordOption{opt}}
	if c.n.Load() < maxCachedSets {
		if _, loaded := c.m.LoadOrStore(k, o); !loaded {
			c.n.Add(1)
		}
	}
	return o
}

// operation is the set of gen_ai.client.operation.duration.
func (c *attrSetCache) operation(op, provider string, reqModel, respModel, errType string) measureOpts {
	return c.get(setKey{instOperation, provider, op, reqModel, respModel, errType, 0}, func() []attribute.KeyValue {
		kv := genAIMetricAttrs(op, provider, reqModel, respModel)
		if errType != "" {
			kv = append(kv, semconv.ErrorType(errType))
		}
		return kv
	})
}

// tokenUsage is the set of gen_ai.client.token.usage.
func (c *attrSetCache) tokenUsage(op, provider string, reqModel, respModel, tokenType string) measureOpts {
	return c.get(setKey{instTokenUsage, provider, op, reqModel, respModel, tokenType, 0}, func() []attribute.KeyValue {
		return append(genAIMetricAttrs(op, provider, reqModel, respModel), semconv.GenAITokenType(tokenType))
	})
}

func genAIMetricAttrs(op, provider, reqModel, respModel string) []attribute.KeyValue {
	kv := append(make([]attribute.KeyValue, 0, 6), semconv.GenAIOperationName(op), semconv.GenAIProviderName(provider))
	kv = appendNonEmpty(kv, semconv.GenAIRequestModelKey, reqModel)
	return appendNonEmpty(kv, semconv.GenAIResponseModelKey, respModel)
}

// appendNonEmpty appends key=value unless value is empty: an empty label says nothing and only
// splits series.
func appendNonEmpty(kv []attribute.KeyValue, key attribute.Key, value string) []attribute.KeyValue {
	if value == "" {
		return kv
	}
	return append(kv, key.String(value))
}

// invocation is the set of otelagent.invocations; otelagent.cache.hit only on agent invocations.
func (c *attrSetCache) invocation(agent, op, model string, isAgent, hit bool, errType string) measureOpts {
	var flag byte
	if isAgent {
		flag = 1
		if hit {
			flag = 2
		}
	}
	return c.get(setKey{instInvocation, "", agent, op, errType, model, flag}, func() []attribute.KeyValue {
		kv := appendNonEmpty([]attribute.KeyValue{semconv.GenAIOperationName(op)}, semconv.GenAIAgentNameKey, agent)
		kv = appendNonEmpty(kv, semconv.GenAIResponseModelKey, model)
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
func (c *attrSetCache) active(agent, op string) measureOpts {
	return c.get(setKey{instActive, "", agent, op, "", "", 0}, func() []attribute.KeyValue {
		return appendNonEmpty([]attribute.KeyValue{semconv.GenAIOperationName(op)}, semconv.GenAIAgentNameKey, agent)
	})
}

// tokens is the set of otelagent.tokens.
func (c *attrSetCache) tokens(agent, model, kind string) measureOpts {
	return c.get(setKey{instTokens, "", agent, model, kind, "", 0}, func() []attribute.KeyValue {
		kv := appendNonEmpty([]attribute.KeyValue{semconv.TokenKind(kind)}, semconv.GenAIAgentNameKey, agent)
		return appendNonEmpty(kv, semconv.GenAIResponseModelKey, model)
	})
}

// agentModel is the set of otelagent.cache.tokens_saved, otelagent.cost and otelagent.cost.saved.
func (c *attrSetCache) agentModel(agent, model string) measureOpts {
	return c.get(setKey{instAgentModel, "", agent, model, "", "", 0}, func() []attribute.KeyValue {
		return appendNonEmpty(appendNonEmpty(nil, semconv.GenAIAgentNameKey, agent), semconv.GenAIResponseModelKey, model)
	})
}

// spanBuf is the scratch space of a span start or end: the attribute list and the start
// options. The SDK copies what it is given, so the buffer is reused once the call returns.
type spanBuf struct {
	attrs []attribute.KeyValue
	start [2]trace.SpanStartOption
}

var spanBufPool = sync.Pool{New: func() any { return &spanBuf{attrs: make([]attribute.KeyValue, 0, 24)} }}

func getSpanBuf() *spanBuf { return spanBufPool.Get().(*spanBuf) }

func putSpanBuf(b *spanBuf) {
	if cap(b.attrs) > 256 { // a caller's huge WithAttributes list: let it go
		return
	}
	clear(b.attrs) // drop references to strings so they can be collected
	b.attrs = b.attrs[:0]
	b.start = [2]trace.SpanStartOption{}
	spanBufPool.Put(b)
}

// spanName is "{operation} {name}", or the operation alone without a name.
func spanName(op *operation, name string) string {
	if name == "" {
		return op.name
	}
	return op.name + " " + name
}
