package exporters

import (
	"math"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
)

// putAttributes copies attrs into dst, which must not hold any of their keys yet (the SDK
// hands out deduplicated attributes).
func putAttributes(dst pcommon.Map, attrs []attribute.KeyValue) {
	if len(attrs) == 0 {
		return
	}
	dst.EnsureCapacity(dst.Len() + len(attrs))
	for _, kv := range attrs {
		setPdataValue(dst.PutEmpty(string(kv.Key)), kv.Value)
	}
}

// putAttributeSet copies the attributes of set into dst.
func putAttributeSet(dst pcommon.Map, set *attribute.Set) {
	if set.Len() == 0 {
		return
	}
	dst.EnsureCapacity(dst.Len() + set.Len())
	for iter := set.Iter(); iter.Next(); {
		kv := iter.Attribute()
		setPdataValue(dst.PutEmpty(string(kv.Key)), kv.Value)
	}
}

// setPdataValue stores v in dst with the OTLP AnyValue type that matches its attribute type,
// as the OTLP exporters of the Go SDK do.
func setPdataValue(dst pcommon.Value, v attribute.Value) {
	switch v.Type() {
	case attribute.STRING:
		dst.SetStr(v.AsString())
	case attribute.BOOL:
		dst.SetBool(v.AsBool())
	case attribute.INT64:
		dst.SetInt(v.AsInt64())
	case attribute.FLOAT64:
		dst.SetDouble(v.AsFloat64())
	case attribute.STRINGSLICE:
		putSlice(dst, v.AsStringSlice(), pcommon.Value.SetStr)
	case attribute.BOOLSLICE:
		putSlice(dst, v.AsBoolSlice(), pcommon.Value.SetBool)
	case attribute.INT64SLICE:
		putSlice(dst, v.AsInt64Slice(), pcommon.Value.SetInt)
	case attribute.FLOAT64SLICE:
		putSlice(dst, v.AsFloat64Slice(), pcommon.Value.SetDouble)
	case attribute.BYTESLICE:
		dst.SetEmptyBytes().FromRaw(v.AsByteSlice())
	case attribute.SLICE:
		vals := v.AsSlice()
		s := dst.SetEmptySlice()
		s.EnsureCapacity(len(vals))
		for _, x := range vals {
			setPdataValue(s.AppendEmpty(), x)
		}
	case attribute.MAP:
		putAttributes(dst.SetEmptyMap(), v.AsMap())
	case attribute.EMPTY:
		// An empty AnyValue, as OTLP encodes an empty attribute value.
	default:
		dst.SetStr("INVALID")
	}
}

// setResource copies the attributes of res into dst. A nil res is the empty resource.
func setResource(dst pcommon.Resource, res *resource.Resource) {
	if res == nil {
		return
	}
	set := res.Set()
	putAttributeSet(dst.Attributes(), set)
}

// setScope copies the name, version and attributes of scope into dst.
func setScope(dst pcommon.InstrumentationScope, scope instrumentation.Scope) {
	dst.SetName(scope.Name)
	dst.SetVersion(scope.Version)
	putAttributeSet(dst.Attributes(), &scope.Attributes)
}

// clampUint32 converts an SDK count to the uint32 of OTLP, clamping out-of-range values.
func clampUint32(n int) uint32 {
	switch {
	case n < 0:
		return 0
	case int64(n) > math.MaxUint32:
		return math.MaxUint32
	default:
		return uint32(n)
	}
}

// putSlice sets dst to a slice of vals, each stored with set.
func putSlice[T any](dst pcommon.Value, vals []T, set func(pcommon.Value, T)) {
	s := dst.SetEmptySlice()
	s.EnsureCapacity(len(vals))
	for _, x := range vals {
		set(s.AppendEmpty(), x)
	}
}
