package semcheck

import (
	"fmt"
	"slices"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agenttrace/otelagent/semconv"
)

// Severities of a Finding.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// Finding is one problem of one span.
type Finding struct {
	Severity string `json:"severity"`
	Span     string `json:"span"`
	SpanID   string `json:"span_id"`
	Key      string `json:"key,omitempty"`
	Message  string `json:"message"`
}

// String formats f as "error   SPAN (ID)  KEY: MESSAGE".
func (f Finding) String() string {
	key := ""
	if f.Key != "" {
		key = f.Key + ": "
	}
	return fmt.Sprintf("%-7s %s (%s)  %s%s", f.Severity, f.Span, f.SpanID, key, f.Message)
}

// genAIPrefix starts every key of the conventions this checks.
const genAIPrefix = semconv.GenAIPrefix

// inferenceOperations are the operations of span.gen_ai.inference.client.
var inferenceOperations = []string{"chat", "text_completion", "generate_content"}

// spanDef returns the definition for a span of operation op and kind, or false.
func (m *Model) spanDef(op string, kind ptrace.SpanKind) (SpanDef, bool) {
	group := op
	if slices.Contains(inferenceOperations, op) {
		group = "inference"
	}
	want := strings.ToLower(strings.TrimPrefix(kind.String(), "SpanKind"))
	candidates := m.byOperation[group]
	if len(candidates) == 0 {
		return SpanDef{}, false
	}
	for _, def := range candidates {
		if def.Kind == want {
			return def, true
		}
	}
	return candidates[0], true
}

// CheckSpan returns the findings of one span. Spans with no gen_ai.* attribute are not GenAI
// spans and have none.
func (m *Model) CheckSpan(sp ptrace.Span) []Finding {
	attrs := sp.Attributes()
	hasGenAI := false
	attrs.Range(func(k string, _ pcommon.Value) bool {
		hasGenAI = strings.HasPrefix(k, genAIPrefix)
		return !hasGenAI
	})
	if !hasGenAI {
		return nil
	}
	var out []Finding
	add := func(sev, key, format string, args ...any) {
		out = append(out, Finding{Severity: sev, Span: sp.Name(), SpanID: sp.SpanID().String(), Key: key, Message: fmt.Sprintf(format, args...)})
	}

	keys := make([]string, 0, attrs.Len())
	attrs.Range(func(k string, _ pcommon.Value) bool {
		keys = append(keys, k)
		return true
	})
	slices.Sort(keys)
	for _, k := range keys {
		if !strings.HasPrefix(k, genAIPrefix) {
			continue
		}
		v, _ := attrs.Get(k)
		a, known := m.Attributes[k]
		switch {
		case !known:
			add(SeverityWarning, k, "not a key of the GenAI conventions registry")
			continue
		case a.Deprecated != "":
			add(SeverityWarning, k, "deprecated (%s)", a.Deprecated)
		}
		if msg := typeProblem(a, v); msg != "" {
			add(SeverityError, k, "%s", msg)
		}
	}

	opVal, hasOp := attrs.Get(string(semconv.GenAIOperationNameKey))
	if !hasOp {
		add(SeverityError, string(semconv.GenAIOperationNameKey), "required attribute is missing")
		return out
	}
	op := opVal.AsString()
	def, ok := m.spanDef(op, sp.Kind())
	if !ok {
		add(SeverityWarning, string(semconv.GenAIOperationNameKey), "no span definition for operation %q; only keys and types checked", op)
		return out
	}
	for _, k := range def.Required {
		if _, ok := attrs.Get(k); !ok {
			add(SeverityError, k, "required attribute is missing (%s)", def.ID)
		}
	}
	if sp.Status().Code() == ptrace.StatusCodeError {
		for _, k := range def.OnError {
			if _, ok := attrs.Get(k); !ok {
				add(SeverityError, k, "required when the operation ended in an error (%s)", def.ID)
			}
		}
	}
	return out
}

// typeProblem says how v does not fit a's type, or returns "".
func typeProblem(a Attribute, v pcommon.Value) string {
	want := map[string]pcommon.ValueType{
		"string": pcommon.ValueTypeStr, "int": pcommon.ValueTypeInt, "double": pcommon.ValueTypeDouble,
		"boolean": pcommon.ValueTypeBool, "string[]": pcommon.ValueTypeSlice, "int[]": pcommon.ValueTypeSlice,
		"double[]": pcommon.ValueTypeSlice, "boolean[]": pcommon.ValueTypeSlice, "enum": pcommon.ValueTypeStr,
	}
	t, ok := want[a.Type]
	if !ok { // any, templates
		return ""
	}
	if a.Type == "double" && v.Type() == pcommon.ValueTypeInt {
		return ""
	}
	if v.Type() != t {
		return fmt.Sprintf("has type %s, the registry says %s", strings.ToLower(v.Type().String()), a.Type)
	}
	if a.Type == "string[]" {
		for i := range v.Slice().Len() {
			if v.Slice().At(i).Type() != pcommon.ValueTypeStr {
				return "has a non-string element, the registry says string[]"
			}
		}
	}
	return ""
}

// Summary counts what CheckTraces saw.
type Summary struct {
	Spans, GenAISpans, Errors, Warnings int
}

// CheckTraces checks every span of td, calling report for each finding, and adds to sum.
func (m *Model) CheckTraces(td ptrace.Traces, sum *Summary, report func(Finding)) {
	rss := td.ResourceSpans()
	for i := range rss.Len() {
		sss := rss.At(i).ScopeSpans()
		for j := range sss.Len() {
			spans := sss.At(j).Spans()
			for k := range spans.Len() {
				sp := spans.At(k)
				sum.Spans++
				if _, ok := sp.Attributes().Get(string(semconv.GenAIOperationNameKey)); ok {
					sum.GenAISpans++
				}
				for _, f := range m.CheckSpan(sp) {
					if f.Severity == SeverityError {
						sum.Errors++
					} else {
						sum.Warnings++
					}
					report(f)
				}
			}
		}
	}
}
