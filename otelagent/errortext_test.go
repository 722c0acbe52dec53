package otelagent

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScrubURLs(t *testing.T) {
	tests := []struct{ in, want string }{
		{"no url here", "no url here"},
		{`Get "https://api.example.com/v1/models?key=AIzaSECRET&alt=json": dial tcp: refused`,
			`Get "https://api.example.com/v1/models?key=REDACTED&alt=REDACTED": dial tcp: refused`},
		{"post https://user:p%40ss@host:8080/path failed", "post https://REDACTED@host:8080/path failed"},
		{"http://h/?sk-TOKEN#frag and ftp://u@h", "http://h/?REDACTED#frag and ftp://REDACTED@h"},
		{"http://h/p#a?b=c", "http://h/p#a?b=c"},
		{"x://", "x://"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, scrubURLs(tt.in))
		})
	}
}

func TestErrorTextScrubbed(t *testing.T) {
	errText := `Get "https://admin:hunter2@api.example.com/v1?key=AIzaSECRET": card 4111 declined`
	redact := func(m Message) Message {
		m.Content = strings.ReplaceAll(m.Content, "4111", "****")
		return m
	}
	tests := []struct {
		name    string
		opts    []Option
		secrets []string
	}{
		{"default scrub, capture off", nil, []string{"hunter2", "AIzaSECRET"}},
		{"redactor applies to error text", []Option{WithRedactor(redact)}, []string{"hunter2", "AIzaSECRET", "4111"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, append(tt.opts, WithContentCapture(false))...)
			ctx, inv := h.Invoke(t.Context(), "a", nil)
			h.RecordEvent(ctx, Event{Name: "retry", Error: errText})
			require.NoError(t, inv.Complete(nil, WithError(errors.New(errText))))
			path := filepath.Join(t.TempDir(), "t.json")
			require.NoError(t, h.SaveTrace(path))
			saved, err := os.ReadFile(path)
			require.NoError(t, err)

			status := h.span(t, "invoke_agent a").Status().Description
			assert.Contains(t, status, "key=REDACTED")
			for _, secret := range tt.secrets {
				assert.NotContains(t, status, secret, "span status")
				assert.NotContains(t, string(saved), secret, "SaveTrace")
				for _, e := range h.Events() {
					assert.NotContains(t, e.Error, secret, "event log")
				}
			}
		})
	}
}
