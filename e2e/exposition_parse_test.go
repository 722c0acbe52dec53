package e2e

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParseExposition covers the parser the metric replay check relies on; it
// needs no backend.
func TestParseExposition(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []promSample
		wantErr string
	}{
		{
			name: "labels, escapes, comments, timestamp",
			in: "# HELP x_total help\n# TYPE x_total counter\n" +
				`x_total{job="svc",msg="a \"b\" \\ c\nd",le="+Inf"} 42 1700000000000` + "\n\n" +
				"up 1\n",
			want: []promSample{
				{Metric: map[string]string{"__name__": "x_total", "job": "svc", "msg": "a \"b\" \\ c\nd", "le": "+Inf"}, Value: 42},
				{Metric: map[string]string{"__name__": "up"}, Value: 1},
			},
		},
		{name: "empty label set", in: "y{} 2.5\n", want: []promSample{{Metric: map[string]string{"__name__": "y"}, Value: 2.5}}},
		{name: "no value", in: "z{a=\"1\"}\n", wantErr: "line 1: want a value"},
		{name: "unterminated value", in: "z{a=\"1} 3\n", wantErr: "unterminated label value"},
		{name: "bad escape", in: `z{a="\t"} 3` + "\n", wantErr: `unknown escape \t`},
		{name: "not a number", in: "z 3x\n", wantErr: "invalid syntax"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseExposition(strings.NewReader(tc.in))
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}
