package exporters

import (
	"bytes"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendEscaped(t *testing.T) {
	tests := []struct{ in, want string }{
		{in: "plain text, é and \\ kept", want: "plain text, é and \\ kept"},
		{in: "a\nb\rc\td", want: `a\nb\rc\td`},
		{in: "\x1b[31mred", want: `\x1b[31mred`},
		{in: "nel\u0085 ls\u2028 ps\u2029 del\x7f", want: `nel\u0085 ls\u2028 ps\u2029 del\x7f`},
		{in: "bad \x9b byte, real \ufffd kept", want: "bad \\x9b byte, real \ufffd kept"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, string(appendEscaped(nil, tt.in)))
			assert.Equal(t, tt.want, escapeControl(tt.in))
		})
	}
	var buf bytes.Buffer
	h, err := newPatternHandler(&buf, "%(message)s|%(message)r|%(message)-6s|", "x", nil)
	require.NoError(t, err)
	require.NoError(t, h.Handle(t.Context(), slog.NewRecord(time.Time{}, slog.LevelInfo, "a\nb", 0)))
	assert.Equal(t, `a\nb|"a\nb"|a\nb  |`+"\n", buf.String(), "quoted once, not twice")
}
