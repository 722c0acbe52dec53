package llmhttp

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSSEScanner(t *testing.T) {
	big := strings.Repeat("x", maxEventBytes+1)
	tests := []struct {
		name   string
		stream string
		want   []string
	}{
		{"one event", "data: {\"a\":1}\n\n", []string{`{"a":1}`}},
		{"event names and comments ignored", "event: ping\n: comment\ndata: {}\n\n", []string{`{}`}},
		{"CRLF line ends", "data: a\r\n\r\ndata: b\r\n\r\n", []string{"a", "b"}},
		{"multi-line data joined", "data: a\ndata: b\n\n", []string{"a\nb"}},
		{"no space after the colon", "data:x\n\n", []string{"x"}},
		{"last event without a blank line", "data: a\n\ndata: b", []string{"a", "b"}},
		{"an event above the bound is skipped, the next kept", "data: " + big + "\n\ndata: after\n\n", []string{"after"}},
	}
	for _, tt := range tests {
		for _, piece := range []int{1, 3, 4096} {
			t.Run(tt.name, func(t *testing.T) {
				var s sseScanner
				var got []string
				collect := func(b []byte) { got = append(got, string(b)) }
				for p := tt.stream; len(p) > 0; {
					n := min(piece, len(p))
					s.write([]byte(p[:n]), collect)
					p = p[n:]
				}
				s.flush(collect)
				assert.Equal(t, tt.want, got, "written in pieces of %d bytes", piece)
				assert.LessOrEqual(t, cap(s.line), 2*maxEventBytes, "the partial line stays bounded")
				assert.LessOrEqual(t, cap(s.data), 2*maxEventBytes, "the event data stays bounded")
			})
		}
	}
}
