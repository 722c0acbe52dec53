package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/agenttrace/otelagent/internal/replay"
)

func TestProgressBar(t *testing.T) {
	tests := []struct {
		name string
		p    replay.Progress
		want string
	}{
		{"start", replay.Progress{BytesTotal: 100}, "[>         ]   0%"},
		{"half", replay.Progress{BytesRead: 50, BytesTotal: 100}, "[=====>    ]  50%"},
		{"read ahead", replay.Progress{BytesRead: 150, BytesTotal: 100}, "[==========] 100%"},
		{"unknown size", replay.Progress{}, "[>         ]   0%"},
		{"done", replay.Progress{Done: true}, "[==========] 100%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, progressBar(tt.p, 10))
		})
	}
}

func TestProgressPrinter(t *testing.T) {
	var term, plain bytes.Buffer
	done := replay.Progress{Spans: 10, Sent: 8, Failed: 2, BytesRead: 10, BytesTotal: 10, Done: true}
	newProgressPrinter(&term, true, false)(done)
	newProgressPrinter(&plain, false, false)(done)
	assert.Equal(t, "\r[==============================] 100% sent 8 spans, failed 2 \n", term.String())
	assert.Equal(t, "replay: sent 8 spans, failed 2, 100% of input\n", plain.String())

	var quiet bytes.Buffer
	p := newProgressPrinter(&quiet, false, true)
	p(replay.Progress{Spans: 1})
	assert.Empty(t, quiet.String(), "no line right after the start")
	assert.False(t, isTerminal(&quiet))
}
