package otelagent

import (
	"encoding/json"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agenttrace/otelagent/semconv"
)

// TestEncodeMessagesIsLinear bounds what capturing a long conversation allocates: the output
// is cut at the limit without encoding the whole conversation again for each cut.
func TestEncodeMessagesIsLinear(t *testing.T) {
	tests := []struct {
		name     string
		count    int
		size     int
		maxBytes uint64 // allocated by one encoding, whatever the input size
	}{
		{"500 messages of 2 KB", 500, 2 << 10, 256 << 10},
		{"4000 messages of 1 KB", 4000, 1 << 10, 1 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs := make([]Message, tt.count)
			for i := range msgs {
				msgs[i] = Message{Role: "user", Content: strings.Repeat("a<\"é", tt.size/5)}
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			out, truncated := encodeMessages(msgs, true, nil, nil, DefaultMaxContentBytes)
			runtime.ReadMemStats(&after)
			require.True(t, truncated)
			assert.LessOrEqual(t, len(out), DefaultMaxContentBytes)
			assert.GreaterOrEqual(t, len(out), DefaultMaxContentBytes-16, "the limit is used, not left empty")
			assert.LessOrEqual(t, after.TotalAlloc-before.TotalAlloc, tt.maxBytes, "bytes allocated")
			allocs := testing.AllocsPerRun(5, func() { encodeMessages(msgs, true, nil, nil, DefaultMaxContentBytes) })
			assert.LessOrEqual(t, allocs, 8.0, "allocations do not grow with the number of cuts")
		})
	}
}

func TestEncodeMessagesKeepsHTMLCharacters(t *testing.T) {
	h := newHarness(t, WithContentCapture(true))
	lt := strings.Repeat("<", 20<<10)
	_, inv := h.Invoke(t.Context(), "a", []Message{{Role: "user", Content: lt}})
	_, tool := h.StartTool(t.Context(), "t", WithToolArguments(lt))
	require.NoError(t, tool.Complete([]Message{{Content: lt}, {Content: "&&>"}}))
	require.NoError(t, inv.Complete(nil))

	in := attrs(h.span(t, "invoke_agent a"))[semconv.GenAIInputMessagesKey].AsString()
	var msgs []chatMessage
	require.NoError(t, json.Unmarshal([]byte(in), &msgs))
	require.Len(t, msgs, 1)
	assert.Greater(t, len(msgs[0].Parts[0].Content), 16<<10-100, "'<' costs one byte")
	assert.NotContains(t, in, `\u003c`)

	ta := attrs(h.span(t, "execute_tool t"))
	assert.Len(t, ta[semconv.GenAIToolCallArgumentsKey].AsString(), DefaultMaxContentBytes)
	var results []string
	require.NoError(t, json.Unmarshal([]byte(ta[semconv.GenAIToolCallResultKey].AsString()), &results), "several results stay valid JSON when cut")
	assert.Len(t, results, 2)
	assert.Greater(t, len(results[0]), 16<<10-100)
}

// TestEncodeMessagesMatchesJSON checks the encoder against encoding/json: what it writes
// decodes to the messages given, invalid bytes as U+FFFD.
func TestEncodeMessagesMatchesJSON(t *testing.T) {
	contents := []string{"", "plain", `quote " and \ backslash`, "ctl \x00\x01\x1f\t\n\r\b\f", "<>&",
		"é ✓ 😀", "bad \xff\xfe byte", "line\u2028sep\u2029", "\xe2\x82"}
	msgs := make([]Message, len(contents))
	for i, c := range contents {
		msgs[i] = Message{Role: "r\"" + c, Content: c}
	}
	for _, output := range []bool{false, true} {
		out, truncated := encodeMessages(msgs, output, []string{"len\"gth"}, nil, 1<<20)
		require.False(t, truncated)
		require.True(t, utf8.ValidString(out))
		var got []chatMessage
		require.NoError(t, json.Unmarshal([]byte(out), &got), out)
		require.Len(t, got, len(msgs))
		for i, m := range msgs {
			assert.Equal(t, strings.ToValidUTF8(m.Content, "\uFFFD"), strings.ReplaceAll(got[i].Parts[0].Content, "\uFFFD\uFFFD", "\uFFFD"))
			assert.Equal(t, "text", got[i].Parts[0].Type)
		}
		if output {
			assert.Equal(t, "len\"gth", got[0].FinishReason)
			assert.Equal(t, "stop", got[1].FinishReason)
		}
	}
	// Every limit gives valid JSON no longer than the limit.
	for limit := 1; limit < 400; limit++ {
		out, _ := encodeMessages(msgs, true, nil, nil, limit)
		var got []chatMessage
		require.NoError(t, json.Unmarshal([]byte(out), &got), "limit %d: %s", limit, out)
		if limit >= 2 {
			assert.LessOrEqual(t, len(out), limit)
		}
	}
}
