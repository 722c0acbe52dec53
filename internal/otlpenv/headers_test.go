package otlpenv

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseHeaders(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want map[string]string
	}{
		{name: "empty", in: "", want: map[string]string{}},
		{name: "one", in: "x-api-key=abc", want: map[string]string{"x-api-key": "abc"}},
		{name: "plus stays plus", in: "authorization=Basic dXNlcjpw+YXNz", want: map[string]string{"authorization": "Basic dXNlcjpw+YXNz"}},
		{name: "percent decoded", in: "authorization=Bearer%20t%2Bk,x=a%2Cb", want: map[string]string{"authorization": "Bearer t+k", "x": "a,b"}},
		{name: "spaces trimmed, empty entries ignored", in: " a = 1 ,, b=2 ,", want: map[string]string{"a": "1", "b": "2"}},
		{name: "equals in value", in: "k=v=w", want: map[string]string{"k": "v=w"}},
		{name: "empty value", in: "k=", want: map[string]string{"k": ""}},
		{name: "later duplicate wins", in: "k=1,k=2", want: map[string]string{"k": "2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseHeaders(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseHeadersErrorsNeverShowValues(t *testing.T) {
	const secret = "s3cr3tT0ken"
	tests := []struct {
		name string
		in   string
		want string // in the error
	}{
		{name: "no equals", in: "a=1,Authorization: Bearer " + secret, want: "entry 2 is not key=value"},
		{name: "bad escape", in: "authorization=Bearer%zz" + secret, want: `header "authorization" (entry 1)`},
		{name: "bad escape at end", in: "authorization=" + secret + "%4", want: `header "authorization" (entry 1)`},
		{name: "empty key", in: "=" + secret, want: "entry 1: the key is not a valid header name"},
		{name: "key with space", in: "my key=" + secret, want: "entry 1: the key is not a valid header name"},
		{name: "newline in value", in: "k=" + secret + "%0Ax-forged: 1", want: `header "k" (entry 1): the value has a control character`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseHeaders(tt.in)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), secret)
			assert.NotContains(t, err.Error(), "Bearer")
			assert.NotContains(t, err.Error(), "%zz")
		})
	}
}

func FuzzParseHeaders(f *testing.F) {
	f.Add("a=b,c=d%20e")
	f.Add("k=%zz")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseHeaders(s)
		if err != nil {
			return
		}
		for k, v := range h {
			require.True(t, validKey(k), "key %q", k)
			require.True(t, validValue(v), "value %q", v)
		}
	})
}
