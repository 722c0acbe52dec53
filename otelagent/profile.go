package otelagent

import (
	"math/rand/v2"
	"sync/atomic"

	"github.com/agenttrace/otelagent/semconv"
)

// A profile is what starting and completing operations of one kind, name, agent, provider and
// request model look up: the span name, the statistics groups and the metric options. It is
// found once per operation, so the hot path does one map lookup where it would do a dozen.
type profile struct {
	key        profileKey
	spanName   string
	agentGroup *group // the statistics group of the agent of an invoke_agent; nil for others
	modelGroup *group // the statistics group of the request model; nil without one
	active     measureOpts
	// lastModel is the statistics group of the model the last completion counted under.
	lastModel atomic.Pointer[group]
	// byModel are the options that also depend on the models a completion names, for the last
	// models seen: an operation kind usually answers with one model.
	byModel atomic.Pointer[modelOpts]
}

// modelOpts are the metric options of one response model (as the conventions' metrics name
// it, "" for none) and one model of the module's counters (modelOf, "" for none). The options of the module's
// counters are built only once needed: most operations count no tokens and save nothing.
type modelOpts struct {
	respModel, model  string
	duration          measureOpts // without error
	usageIn, usageOut measureOpts
	invocation        measureOpts // otelagent.invocations without error; of a miss for invoke_agent
	invHit            measureOpts // of a cache hit, invoke_agent only
	hasTokens         bool
	tokens            [5]measureOpts // input, output, cache read, cache creation, reasoning
	hasAgentModel     bool
	agentModel        measureOpts
}

type profileKey struct {
	op                                  *operation
	name, agent, provider, requestModel string
}

// profileCache keeps profiles, at most maxCachedSets; past that each operation builds its own.
type profileCache struct {
	m syncMap[profileKey, *profile]
	n atomic.Int64
}

func (t *Tracer) profile(op *operation, name, agent, provider, requestModel string) *profile {
	k := profileKey{op, name, agent, provider, requestModel}
	// The profile of the last operation of the kind first: a service usually repeats one, and
	// comparing four strings touches less memory than hashing them into the map.
	last := &t.lastProfile[op.index]
	if p := last.Load(); p != nil && p.key == k {
		return p
	}
	p, ok := t.profiles.m.Load(k)
	if !ok {
		p = t.newProfile(k)
	}
	// Replacing the last profile writes a cache line every core reads: it is done by the
	// first operation, then by one miss in 16, so cores running different profiles do not
	// take the line from each other on every operation, and the profile used most tends to
	// hold the place.
	if last.Load() == nil || rand.Uint32()%16 == 0 {
		last.Store(p)
	}
	return p
}

// newProfile builds the profile of k and keeps it, up to maxCachedSets profiles.
func (t *Tracer) newProfile(k profileKey) *profile {
	p := &profile{
		key:      k,
		spanName: spanName(k.op, k.name),
		active:   t.sets.active(k.agent, k.op.name),
	}
	if k.op.isAgent {
		p.agentGroup = t.stats.agents.get(k.name)
	}
	if k.requestModel != "" {
		p.modelGroup = t.stats.models.get(k.requestModel)
	}
	if t.profiles.n.Load() < maxCachedSets {
		if q, loaded := t.profiles.m.LoadOrStore(k, p); loaded {
			return q
		}
		t.profiles.n.Add(1)
	}
	return p
}

// models returns the options of respModel and model for operations of p, with those of the
// token counters when tokens and of the agent-model counters when agentModel; it caches the
// last it built.
func (p *profile) models(t *Tracer, i *Invocation, respModel, model string, tokens, agentModel bool) *modelOpts {
	old := p.byModel.Load()
	if old != nil && old.respModel == respModel && old.model == model {
		if (old.hasTokens || !tokens) && (old.hasAgentModel || !agentModel) {
			return old
		}
		tokens, agentModel = tokens || old.hasTokens, agentModel || old.hasAgentModel
	}
	op := i.op.name
	m := &modelOpts{
		respModel:  respModel,
		model:      model,
		duration:   t.sets.operation(op, i.provider, i.requestModel, respModel, ""),
		usageIn:    t.sets.tokenUsage(op, i.provider, i.requestModel, respModel, semconv.TokenTypeInput),
		usageOut:   t.sets.tokenUsage(op, i.provider, i.requestModel, respModel, semconv.TokenTypeOutput),
		invocation: t.sets.invocation(i.agentName, op, model, i.op.isAgent, false, ""),
	}
	if i.op.isAgent {
		m.invHit = t.sets.invocation(i.agentName, op, model, true, true, "")
	}
	if tokens {
		m.hasTokens = true
		for k, kind := range tokenKinds {
			m.tokens[k] = t.sets.tokens(i.agentName, model, kind)
		}
	}
	if agentModel {
		m.hasAgentModel = true
		m.agentModel = t.sets.agentModel(i.agentName, model)
	}
	p.byModel.Store(m)
	return m
}

// tokenKinds are the otelagent.token.kind values in the order of modelOpts.tokens.
var tokenKinds = [...]string{semconv.TokenKindInput, semconv.TokenKindOutput, semconv.TokenKindCacheRead,
	semconv.TokenKindCacheCreation, semconv.TokenKindReasoning}

// statsModel returns the statistics group of model, remembering it for the next completion:
// operations of one profile usually count under one model.
func (p *profile) statsModel(s *statistics, model string) *group {
	if g := p.lastModel.Load(); g != nil && g.name == model {
		return g
	}
	g := s.models.get(model)
	p.lastModel.Store(g)
	return g
}
