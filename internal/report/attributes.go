package report

import (
	"fmt"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/otel/attribute"
)

func stringAttr(m pcommon.Map, k attribute.Key) string {
	v, ok := m.Get(string(k))
	if !ok || v.Type() != pcommon.ValueTypeStr {
		return ""
	}
	return v.Str()
}

func boolAttr(m pcommon.Map, k attribute.Key) (value, ok bool) {
	v, found := m.Get(string(k))
	if !found || v.Type() != pcommon.ValueTypeBool {
		return false, false
	}
	return v.Bool(), true
}

// intAttr returns an integer attribute; a value of another type counts as a skipped attribute
// and as 0.
func (s *Summarizer) intAttr(m pcommon.Map, k attribute.Key) int64 {
	v, ok := m.Get(string(k))
	if !ok {
		return 0
	}
	switch v.Type() {
	case pcommon.ValueTypeInt:
		if v.Int() < 0 {
			s.skip(fmt.Sprintf("negative values of %s (counted as 0)", k))
			return 0
		}
		return v.Int()
	default:
		s.skip(fmt.Sprintf("values of %s that are not integers (counted as 0)", k))
		return 0
	}
}

// floatAttr returns a double attribute (an integer is accepted); another type counts as a
// skipped attribute and as absent.
func (s *Summarizer) floatAttr(m pcommon.Map, k attribute.Key) (float64, bool) {
	v, ok := m.Get(string(k))
	if !ok {
		return 0, false
	}
	switch v.Type() {
	case pcommon.ValueTypeDouble:
		return v.Double(), true
	case pcommon.ValueTypeInt:
		return float64(v.Int()), true
	default:
		s.skip(fmt.Sprintf("values of %s that are not numbers (ignored)", k))
		return 0, false
	}
}
