package exporters

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const seedPattern = "%(asctime)s - %(name)s - %(levelname)s - %(message)s"

func TestPatternHandlerRendering(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 6_000_000, time.Local)
	tests := []struct {
		name    string
		pattern string
		level   slog.Level
		attrs   []slog.Attr
		with    func(h slog.Handler) slog.Handler
		want    string
	}{
		{
			name: "seed pattern", pattern: seedPattern, level: slog.LevelWarn,
			want: "2026-01-02 03:04:05,006 - desk - WARNING - hello\n",
		},
		{
			name: "widths, numbers and percent", pattern: "[%(levelname)-8s] %(levelno)d %(msecs)03d %(process)5s 100%% %(message)r",
			level: levelCritical,
			want:  fmt.Sprintf("[CRITICAL] 50 006 %5d 100%% \"hello\"\n", os.Getpid()),
		},
		{
			name: "numbers through %s", pattern: "%(levelno)s %(process)s %(msecs)s %(created)s", level: slog.LevelError,
			want: fmt.Sprintf("40 %d 6 %d.006\n", os.Getpid(), at.Unix()),
		},
		{
			name: "created as float and int", pattern: "%(created).3f %(created)d", level: slog.LevelDebug,
			want: strconv.FormatInt(at.Unix(), 10) + ".006 " + strconv.FormatInt(at.Unix(), 10) + "\n",
		},
		{
			name: "attributes are quoted when needed and groups dotted", pattern: "%(levelname)s %(message)s", level: slog.LevelInfo,
			attrs: []slog.Attr{slog.String("q", "two words"), slog.Int("n", 3), slog.Group("g", slog.Bool("b", true)), slog.String("empty", "")},
			with: func(h slog.Handler) slog.Handler {
				return h.WithAttrs([]slog.Attr{slog.String("agent", "router")}).WithGroup("req").WithAttrs([]slog.Attr{slog.String("id", "7")})
			},
			want: `INFO hello agent=router req.id=7 req.q="two words" req.n=3 req.g.b=true req.empty=""` + "\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			ph, err := newPatternHandler(&buf, tc.pattern, "desk", &slog.HandlerOptions{Level: slog.LevelDebug})
			require.NoError(t, err)
			var h slog.Handler = ph
			if tc.with != nil {
				h = tc.with(h)
			}
			r := slog.NewRecord(at, tc.level, "hello", 0)
			r.AddAttrs(tc.attrs...)
			require.NoError(t, h.Handle(t.Context(), r))
			assert.Equal(t, tc.want, buf.String())
		})
	}
}

func TestPatternHandlerErrors(t *testing.T) {
	tests := []struct {
		pattern string
		want    string
	}{
		{"%(asctime)s %(funcName)s", "unknown placeholder %(funcName)s"},
		{"%(message)d", "placeholder %(message)d: message is text, use %(message)s"},
		{"%(message)s %(levelname", `malformed placeholder in " %(levelname"; write %(name)s`},
	}
	for _, tc := range tests {
		t.Run(tc.pattern, func(t *testing.T) {
			_, err := newPatternHandler(&bytes.Buffer{}, tc.pattern, "x", nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	_, err := newPatternHandler(nil, seedPattern, "x", nil)
	assert.EqualError(t, err, "exporters: pattern handler: nil writer")
}

func TestPatternHandlerLevel(t *testing.T) {
	h, err := newPatternHandler(&bytes.Buffer{}, seedPattern, "x", nil)
	require.NoError(t, err)
	assert.False(t, h.Enabled(t.Context(), slog.LevelDebug), "INFO by default")
	assert.True(t, h.Enabled(t.Context(), slog.LevelInfo))
}
