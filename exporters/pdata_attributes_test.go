package exporters

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/otel/attribute"
)

func TestSetValue(t *testing.T) {
	tests := []struct {
		name string
		kv   attribute.KeyValue
		want any // as pcommon.Value.AsRaw returns it
	}{
		{name: "string", kv: attribute.String("k", "v"), want: "v"},
		{name: "bool", kv: attribute.Bool("k", false), want: false},
		{name: "int", kv: attribute.Int64("k", math.MinInt64), want: int64(math.MinInt64)},
		{name: "double", kv: attribute.Float64("k", math.Inf(1)), want: math.Inf(1)},
		{name: "string slice", kv: attribute.StringSlice("k", []string{"a", "b"}), want: []any{"a", "b"}},
		{name: "empty string slice", kv: attribute.StringSlice("k", nil), want: []any{}},
		{name: "bool slice", kv: attribute.BoolSlice("k", []bool{false}), want: []any{false}},
		{name: "int slice", kv: attribute.Int64Slice("k", []int64{3}), want: []any{int64(3)}},
		{name: "double slice", kv: attribute.Float64Slice("k", []float64{0.5}), want: []any{0.5}},
		{name: "bytes", kv: attribute.ByteSlice("k", []byte{0, 1, 0xff}), want: []byte{0, 1, 0xff}},
		{name: "mixed slice", kv: attribute.Slice("k", attribute.StringValue("a"), attribute.Int64Value(2),
			attribute.SliceValue(attribute.BoolValue(true))), want: []any{"a", int64(2), []any{true}}},
		{name: "map", kv: attribute.Map("k", attribute.String("a", "b"), attribute.Map("nested", attribute.Float64("x", 1))),
			want: map[string]any{"a": "b", "nested": map[string]any{"x": 1.0}}},
		{name: "empty", kv: attribute.KeyValue{Key: "k"}, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := pcommon.NewMap()
			putAttributes(m, []attribute.KeyValue{tt.kv})
			v, ok := m.Get("k")
			assert.True(t, ok)
			assert.Equal(t, tt.want, v.AsRaw())
		})
	}
}

func TestClampUint32(t *testing.T) {
	assert.Equal(t, uint32(0), clampUint32(-1))
	assert.Equal(t, uint32(7), clampUint32(7))
	assert.Equal(t, uint32(math.MaxUint32), clampUint32(math.MaxUint32+1))
}
