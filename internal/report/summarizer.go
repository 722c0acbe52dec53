package report

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"

	"github.com/agenttrace/otelagent/otelagent"
	"github.com/agenttrace/otelagent/semconv"
)

// Dimensions a report can group by.
const (
	ByAgent        = "agent"
	ByModel        = "model"
	ByConversation = "conversation"
)

// Names of rows for operations that lack the grouping attribute.
const (
	NoAgent        = "(no agent)"
	UnknownModel   = "(unknown)"
	NoConversation = "(none)"
	// OverflowGroup pools the groups of a dimension past MaxGroups names.
	OverflowGroup = "_OTHER"
)

// Bounds of a Summarizer's memory.
const (
	// MaxGroups is the number of named groups per dimension.
	MaxGroups = 1000
	// MaxIntervals is the number of time buckets kept for a fixed Options.Interval.
	MaxIntervals = 10000
	// MaxPending is the number of chat spans kept while their ancestors are unknown.
	MaxPending = 100_000
	// MaxRemembered is the number of spans whose parent (and agent name) one generation of a
	// Summarizer's memory keeps, for chat spans that end after their agent; two generations
	// are kept.
	MaxRemembered = 50_000
	// maxClimb bounds the ancestors a chat span is traced through.
	maxClimb = 64
	// autoIntervals is the number of buckets an automatic interval aims at.
	autoIntervals = 120
)

// autoLadder is the sequence automatic intervals climb; each divides the next, so buckets
// merge exactly. Past the last one the interval doubles.
var autoLadder = []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour,
	6 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour}

// Options select and shape what a Summarizer counts. The zero value counts every span, groups
// by agent and picks an automatic interval for the charts.
type Options struct {
	// By is ByAgent (default), ByModel or ByConversation.
	By string
	// Since and Until keep operations whose span starts in [Since, Until); zero means unbounded.
	Since, Until time.Time
	// Interval is the width of the time buckets of Report.Intervals; 0 picks one automatically
	// (at most about 120 buckets) and leaves Report.Intervals out of the tables.
	Interval time.Duration
	// Pricing prices operations whose spans carry no otelagent.cost.usd, by Pricing.Lookup and
	// ModelPrice.Cost: what a Tracer given the table without its defaults would have recorded.
	// Nil prices nothing.
	Pricing otelagent.Pricing
}

// Validate reports an unknown dimension, a negative interval and an empty time range.
func (o Options) Validate() error {
	switch o.By {
	case "", ByAgent, ByModel, ByConversation:
	default:
		return fmt.Errorf("report: by %q: want one of %s, %s, %s", o.By, ByAgent, ByModel, ByConversation)
	}
	if o.Interval < 0 {
		return fmt.Errorf("report: interval %s is negative", o.Interval)
	}
	if !o.Since.IsZero() && !o.Until.IsZero() && !o.Since.Before(o.Until) {
		return fmt.Errorf("report: since %s is not before until %s", o.Since.Format(time.RFC3339), o.Until.Format(time.RFC3339))
	}
	if err := o.Pricing.Validate(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// Indexes of Summarizer.groups.
const (
	dimAgent = iota
	dimModel
	dimConversation
)

// operation is what one counted span contributes.
type operation struct {
	agent, model, conversation string
	start                      time.Time
	duration                   time.Duration
	isAgent, hit, err          bool
	tally                      tally
	// late marks a chat that ended after its agent; lateTally is what it counted beyond the
	// agent's span (the otelagent.rollup.counted.* attributes).
	late      bool
	lateTally tally
	// contribution adds tokens and cost to the groups without counting an invocation.
	contribution bool
}

// pendingKey names a span by trace and span ID.
type pendingKey [24]byte

func keyOf(tid pcommon.TraceID, sid pcommon.SpanID) pendingKey {
	var k pendingKey
	copy(k[:16], tid[:])
	copy(k[16:], sid[:])
	return k
}

// Summarizer accumulates spans into a Report. Its memory is bounded by the number of groups,
// intervals and pending chat spans (see the package documentation), never by the number of
// spans. A Summarizer is not safe for concurrent use.
type Summarizer struct {
	opts     Options
	interval time.Duration
	auto     bool
	groups   [3]map[string]*group // agent, model, conversation
	total    group
	buckets  map[int64]*group // bucket index -> state
	pending  map[pendingKey][]operation
	nPending int
	// recent and older remember the spans read lately (see remember).
	recent, older map[pendingKey]ancestor
	skipped       map[string]int64 // reason -> spans
	notes         map[string]int64 // other counted events worth a warning
	sources       []string
	warnings      []string
	nSpans        int64
	// source is the input being read, for warnings; nonFinite counts the NaN and infinite
	// values met in each input (at most one entry per input).
	source    string
	nonFinite map[string]*nonFiniteNote
	nfOrder   []string
}

// nonFiniteNote is what a warning says about an input's NaN and infinite values.
type nonFiniteNote struct {
	count int64
	keys  []string
	first string // the first span holding one
}

// NewSummarizer returns an empty Summarizer, or the error of opts.Validate.
func NewSummarizer(opts Options) (*Summarizer, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if opts.By == "" {
		opts.By = ByAgent
	}
	s := &Summarizer{
		opts:      opts,
		interval:  opts.Interval,
		auto:      opts.Interval == 0,
		buckets:   make(map[int64]*group),
		pending:   make(map[pendingKey][]operation),
		recent:    make(map[pendingKey]ancestor),
		skipped:   make(map[string]int64),
		notes:     make(map[string]int64),
		nonFinite: make(map[string]*nonFiniteNote),
	}
	if s.auto {
		s.interval = autoLadder[0]
	}
	for i := range s.groups {
		s.groups[i] = make(map[string]*group)
	}
	return s, nil
}

// AddWarning records a problem to show with the report, such as a reader's warning.
func (s *Summarizer) AddWarning(w string) { s.warnings = append(s.warnings, w) }

// AddSource records the name of an input for the report's header; warnings about the spans
// added after it name it.
func (s *Summarizer) AddSource(name string) {
	s.sources = append(s.sources, name)
	s.source = name
}

// skip counts a span that is not summarised, by reason.
func (s *Summarizer) skip(reason string) { s.skipped[reason]++ }

// Add summarises the spans of td.
func (s *Summarizer) Add(td ptrace.Traces) {
	rss := td.ResourceSpans()
	for i := range rss.Len() {
		sss := rss.At(i).ScopeSpans()
		for j := range sss.Len() {
			spans := sss.At(j).Spans()
			for k := range spans.Len() {
				s.addSpan(spans.At(k))
			}
		}
	}
}

func (s *Summarizer) addSpan(sp ptrace.Span) {
	s.nSpans++
	attrs := sp.Attributes()
	opName := stringAttr(attrs, semconv.GenAIOperationNameKey)
	tid := sp.TraceID()
	key := keyOf(tid, sp.SpanID())
	parent := sp.ParentSpanID()
	waiting, hasWaiting := s.pending[key]
	if hasWaiting {
		delete(s.pending, key)
		s.nPending -= len(waiting)
	}

	switch opName {
	case semconv.OperationInvokeAgent:
		op := s.operation(sp, true)
		a := ancestor{parent: parent, agent: op.agent, isAgent: true, model: op.model, start: op.start}
		s.remember(key, a)
		s.settle(waiting, a)
		s.count(op)
	case semconv.OperationChat:
		op := s.operation(sp, false)
		s.resolve(waiting, tid, parent)
		s.resolve([]operation{op}, tid, parent)
	default:
		s.remember(key, ancestor{parent: parent})
		s.resolve(waiting, tid, parent)
		switch opName {
		case semconv.OperationExecuteTool, semconv.OperationInvokeWorkflow:
		case "":
			s.skip("spans without " + string(semconv.GenAIOperationNameKey))
		default:
			s.skip(fmt.Sprintf("spans of operation %q", opName))
		}
	}
}

// resolve hands on chat operations whose nearest unresolved ancestor is parent: climbing
// through the ancestors already read, they settle with an invoke_agent, count on their own
// below a root, or wait for the first ancestor not read yet.
func (s *Summarizer) resolve(ops []operation, tid pcommon.TraceID, parent pcommon.SpanID) {
	if len(ops) == 0 {
		return
	}
	for range maxClimb {
		if parent.IsEmpty() {
			for _, op := range ops {
				s.count(op)
			}
			return
		}
		k := keyOf(tid, parent)
		a, seen := s.ancestorOf(k)
		if !seen {
			s.wait(k, ops)
			return
		}
		if a.isAgent {
			s.settle(ops, a)
			return
		}
		parent = a.parent
	}
	s.notes[fmt.Sprintf("chat spans counted on their own: more than %d ancestors", maxClimb)] += int64(len(ops))
	for _, op := range ops {
		s.count(op)
	}
}

// settle finishes chat operations below the invoke_agent a: their usage is in the agent's
// span, except for late chats, which add what they counted beyond it to the agent. Tokens
// count under the model that spent them, as otelagent's statistics and metrics count them, so
// by model the usage of a chat moves from the agent's model to its own.
func (s *Summarizer) settle(ops []operation, a ancestor) {
	for _, op := range ops {
		if op.late {
			op.agent, op.tally, op.contribution = a.agent, op.lateTally, true
			s.count(op)
		} else if op.model != a.model && s.inRange(a.start) {
			s.groupOf(dimModel, op.model).tally.add(op.tally)
			s.groupOf(dimModel, a.model).tally.add(op.tally.neg())
		}
	}
}

// wait parks chat operations until the span k is read.
func (s *Summarizer) wait(k pendingKey, ops []operation) {
	if s.nPending+len(ops) > MaxPending {
		s.notes[fmt.Sprintf("chat spans counted before their ancestors were seen (more than %d were waiting)", MaxPending)] += int64(len(ops))
		for _, op := range ops {
			s.count(op)
		}
		return
	}
	s.nPending += len(ops)
	s.pending[k] = append(s.pending[k], ops...)
}

// ancestor is what a Summarizer remembers of a span it read, for the chat spans read after
// it (a late chat ends after its agent).
type ancestor struct {
	parent  pcommon.SpanID
	agent   string
	isAgent bool
	// model and start are an agent's, for the chats settled below it.
	model string
	start time.Time
}

// remember keeps a in the recent generation, which becomes the older one (dropping the
// previous older one) when full: at most 2*MaxRemembered spans are remembered.
func (s *Summarizer) remember(k pendingKey, a ancestor) {
	if len(s.recent) >= MaxRemembered {
		s.older, s.recent = s.recent, make(map[pendingKey]ancestor)
	}
	s.recent[k] = a
}

func (s *Summarizer) ancestorOf(k pendingKey) (ancestor, bool) {
	if a, ok := s.recent[k]; ok {
		return a, true
	}
	a, ok := s.older[k]
	return a, ok
}

// operation reads the figures of an invoke_agent or chat span.
func (s *Summarizer) operation(sp ptrace.Span, isAgent bool) operation {
	attrs := sp.Attributes()
	op := operation{
		isAgent:      isAgent,
		agent:        NoAgent,
		model:        stringAttr(attrs, semconv.GenAIResponseModelKey),
		conversation: stringAttr(attrs, semconv.GenAIConversationIDKey),
		start:        sp.StartTimestamp().AsTime(),
		duration:     sp.EndTimestamp().AsTime().Sub(sp.StartTimestamp().AsTime()),
		err:          sp.Status().Code() == ptrace.StatusCodeError || stringAttr(attrs, semconv.ErrorTypeKey) != "",
	}
	if isAgent {
		op.agent = stringAttr(attrs, semconv.GenAIAgentNameKey)
		if op.agent == "" {
			op.agent = NoAgent
		}
		op.hit, _ = boolAttr(attrs, semconv.CacheHitKey)
	}
	if !isAgent {
		op.late, _ = boolAttr(attrs, semconv.RollupLateKey)
	}
	if op.model == "" {
		op.model = stringAttr(attrs, semconv.GenAIRequestModelKey)
	}
	if op.model == "" {
		op.model = UnknownModel
	}
	if op.conversation == "" {
		op.conversation = NoConversation
	}
	op.tally.usage = s.usageAttrs(attrs, spanUsageKeys)
	u := &op.tally.usage
	op.tally.saved = s.intAttr(attrs, semconv.CacheTokensSavedKey)
	cost, hasCost := s.finiteAttr(sp, semconv.CostUSDKey)
	if hasCost {
		op.tally.cost = cost
		op.tally.costSaved, _ = s.finiteAttr(sp, semconv.CostSavedUSDKey)
	} else if price, ok := s.opts.Pricing.Lookup(op.model); ok {
		op.tally.cost, op.tally.costSaved = price.Cost(otelagent.TokenUsage{
			PromptTokens: u.Prompt, CompletionTokens: u.Completion, TotalTokens: u.Total,
			CacheReadTokens: u.CacheRead, CacheCreationTokens: u.CacheCreation, ReasoningTokens: u.Reasoning,
		})
		if math.IsNaN(op.tally.cost) || math.IsInf(op.tally.cost, 0) {
			op.tally.cost = math.MaxFloat64
		}
		if math.IsNaN(op.tally.costSaved) || math.IsInf(op.tally.costSaved, 0) {
			op.tally.costSaved = math.MaxFloat64
		}
	}
	if op.late {
		op.lateTally.usage = s.usageAttrs(attrs, lateUsageKeys)
		op.lateTally.cost, _ = s.finiteAttr(sp, semconv.RollupCountedCostUSDKey)
		op.lateTally.costSaved, _ = s.finiteAttr(sp, semconv.RollupCountedCostSavedUSDKey)
	}
	return op
}

// finiteAttr is floatAttr for a value the report sums: NaN and infinities, which no sum or
// JSON output can carry, count as absent and are noted for a warning naming the input and the
// first span.
func (s *Summarizer) finiteAttr(sp ptrace.Span, k attribute.Key) (float64, bool) {
	v, ok := s.floatAttr(sp.Attributes(), k)
	if !ok || !(math.IsNaN(v) || math.IsInf(v, 0)) {
		return v, ok
	}
	n := s.nonFinite[s.source]
	if n == nil {
		n = &nonFiniteNote{first: fmt.Sprintf("span %s %q", sp.SpanID(), sp.Name())}
		s.nonFinite[s.source] = n
		s.nfOrder = append(s.nfOrder, s.source)
	}
	n.count++
	if !slices.Contains(n.keys, string(k)) {
		n.keys = append(n.keys, string(k))
	}
	return 0, false
}

// inRange reports whether t passes the Since/Until filter.
func (s *Summarizer) inRange(t time.Time) bool {
	return (s.opts.Since.IsZero() || !t.Before(s.opts.Since)) && (s.opts.Until.IsZero() || t.Before(s.opts.Until))
}

// count adds op to its groups, the totals and its interval.
func (s *Summarizer) count(op operation) {
	if !s.inRange(op.start) {
		s.skip("operations outside the time range")
		return
	}
	names := [3]string{op.agent, op.model, op.conversation}
	for i, name := range names {
		s.groupOf(i, name).add(op)
	}
	s.total.add(op)
	if b := s.bucketOf(op.start); b != nil {
		b.add(op)
	}
}

func (g *group) add(op operation) {
	if op.contribution {
		g.tally.add(op.tally)
		return
	}
	g.invocations++
	if op.err {
		g.errors++
	}
	if op.isAgent {
		if op.hit {
			g.hits++
		} else {
			g.misses++
		}
	}
	g.tally.add(op.tally)
	g.latency.Record(op.duration)
}

func (s *Summarizer) groupOf(dim int, name string) *group {
	m := s.groups[dim]
	if g, ok := m[name]; ok {
		return g
	}
	if len(m) >= MaxGroups {
		name = OverflowGroup
		if g, ok := m[name]; ok {
			return g
		}
	}
	g := new(group)
	m[name] = g
	return g
}

// bucketOf returns the interval state of t, coarsening automatic intervals as needed; nil when
// a fixed interval already has MaxIntervals buckets.
func (s *Summarizer) bucketOf(t time.Time) *group {
	idx := floorDiv(t.UnixNano(), int64(s.interval))
	if g, ok := s.buckets[idx]; ok {
		return g
	}
	if !s.auto && len(s.buckets) >= MaxIntervals {
		s.skip(fmt.Sprintf("operations past the first %d intervals (left out of the trend only)", MaxIntervals))
		return nil
	}
	g := new(group)
	s.buckets[idx] = g
	if s.auto {
		for s.span() > autoIntervals {
			s.coarsen()
		}
		return s.buckets[floorDiv(t.UnixNano(), int64(s.interval))]
	}
	return g
}

// span returns the number of buckets between the first and the last, inclusive.
func (s *Summarizer) span() int64 {
	lo, hi := int64(0), int64(0)
	first := true
	for idx := range s.buckets {
		if first || idx < lo {
			lo = idx
		}
		if first || idx > hi {
			hi = idx
		}
		first = false
	}
	return hi - lo + 1
}

// coarsen moves an automatic interval one step up its ladder, merging buckets.
func (s *Summarizer) coarsen() {
	next := 2 * s.interval
	for _, d := range autoLadder {
		if d > s.interval {
			next = d
			break
		}
	}
	merged := make(map[int64]*group, len(s.buckets))
	for idx, g := range s.buckets {
		ni := floorDiv(idx*int64(s.interval), int64(next))
		if m, ok := merged[ni]; ok {
			m.merge(g)
		} else {
			merged[ni] = g
		}
	}
	s.buckets, s.interval = merged, next
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// Report returns the summary of everything added so far. Chat spans still waiting for their
// ancestors count as having no invoke_agent ancestor; the Summarizer should not be used after.
func (s *Summarizer) Report() *Report {
	keys := make([]pendingKey, 0, len(s.pending))
	for k := range s.pending {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b pendingKey) int { return strings.Compare(string(a[:]), string(b[:])) })
	for _, k := range keys {
		for _, op := range s.pending[k] {
			s.count(op)
		}
	}
	s.pending, s.nPending = nil, 0
	s.recent, s.older = nil, nil

	dim := map[string]int{ByAgent: 0, ByModel: 1, ByConversation: 2}[s.opts.By]
	r := &Report{
		By:       s.opts.By,
		Sources:  s.sources,
		Spans:    s.nSpans,
		Rows:     rowsOf(s.groups[dim]),
		Agents:   rowsOf(s.groups[0]),
		Total:    s.total.row("total"),
		Latency:  distribution(&s.total.latency),
		Interval: s.interval,
		Warnings: append([]string(nil), s.warnings...),
	}
	r.FixedInterval = !s.auto
	if !s.opts.Since.IsZero() {
		r.Since = s.opts.Since.UTC()
	}
	if !s.opts.Until.IsZero() {
		r.Until = s.opts.Until.UTC()
	}
	idxs := make([]int64, 0, len(s.buckets))
	for idx := range s.buckets {
		idxs = append(idxs, idx)
	}
	slices.Sort(idxs)
	for _, idx := range idxs {
		start := time.Unix(0, idx*int64(s.interval)).UTC()
		r.Intervals = append(r.Intervals, IntervalRow{Start: start, Row: s.buckets[idx].row(intervalName(start, s.interval))})
	}
	for _, src := range s.nfOrder {
		n := s.nonFinite[src]
		if src == "" {
			src = "input"
		}
		r.Warnings = append(r.Warnings, fmt.Sprintf("%s: %d NaN or infinite values of %s ignored (the first in %s)",
			src, n.count, strings.Join(n.keys, ", "), n.first))
	}
	if r.Total.saturated() {
		r.Warnings = append(r.Warnings, "some sums reached the largest number the report holds and were saturated there")
	}
	for _, m := range []struct {
		counts map[string]int64
		format string
	}{{s.skipped, "skipped %d %s"}, {s.notes, "%d %s"}} {
		reasons := make([]string, 0, len(m.counts))
		for reason := range m.counts {
			reasons = append(reasons, reason)
		}
		slices.Sort(reasons)
		for _, reason := range reasons {
			r.Warnings = append(r.Warnings, fmt.Sprintf(m.format, m.counts[reason], reason))
		}
	}
	return r
}

// intervalName labels an interval by its start in RFC 3339, with as many fractional digits as
// the interval needs for each label to differ from the next one's.
func intervalName(start time.Time, interval time.Duration) string {
	switch {
	case interval%time.Second == 0:
		return start.Format(time.RFC3339)
	case interval%time.Millisecond == 0:
		return start.Format("2006-01-02T15:04:05.000Z07:00")
	case interval%time.Microsecond == 0:
		return start.Format("2006-01-02T15:04:05.000000Z07:00")
	default:
		return start.Format("2006-01-02T15:04:05.000000000Z07:00")
	}
}

func rowsOf(m map[string]*group) []Row {
	rows := make([]Row, 0, len(m))
	for name, g := range m {
		rows = append(rows, g.row(name))
	}
	slices.SortFunc(rows, func(a, b Row) int { return strings.Compare(a.Name, b.Name) })
	return rows
}

// usageKeys name the attributes of one usage figure: a span's own, or what a late chat counted.
type usageKeys struct {
	prompt, completion, cacheRead, cacheCreation, reasoning, total attribute.Key
}

var (
	spanUsageKeys = usageKeys{
		semconv.GenAIUsageInputTokensKey, semconv.GenAIUsageOutputTokensKey,
		semconv.GenAIUsageCacheReadInputTokensKey, semconv.GenAIUsageCacheCreationInputTokensKey,
		semconv.GenAIUsageReasoningOutputTokensKey, semconv.UsageTotalTokensKey,
	}
	lateUsageKeys = usageKeys{
		semconv.RollupCountedInputTokensKey, semconv.RollupCountedOutputTokensKey,
		semconv.RollupCountedCacheReadInputTokensKey, semconv.RollupCountedCacheCreationInputTokensKey,
		semconv.RollupCountedReasoningOutputTokensKey, semconv.RollupCountedTotalTokensKey,
	}
)

// usageAttrs reads one usage figure; a missing total is the sum of input and output.
func (s *Summarizer) usageAttrs(attrs pcommon.Map, k usageKeys) Usage {
	u := Usage{
		Prompt:        s.intAttr(attrs, k.prompt),
		Completion:    s.intAttr(attrs, k.completion),
		CacheRead:     s.intAttr(attrs, k.cacheRead),
		CacheCreation: s.intAttr(attrs, k.cacheCreation),
		Reasoning:     s.intAttr(attrs, k.reasoning),
		Total:         s.intAttr(attrs, k.total),
	}
	if u.Total == 0 {
		u.Total = addSat(u.Prompt, u.Completion)
	}
	return u
}
