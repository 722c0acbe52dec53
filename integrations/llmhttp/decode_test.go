package llmhttp

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEventDecoder: one decoder reads a stream's events one by one; an event that is not
// exactly one JSON value is an error, and the events after it still decode.
func TestEventDecoder(t *testing.T) {
	type ev struct {
		ID   keptString `json:"id"`
		Text lazyText   `json:"text"`
	}
	var d eventDecoder
	steps := []struct {
		data    string
		wantErr bool
		id      string
		text    string
	}{
		{data: `{"id":"a","text":"x"}`, id: "a", text: "x"},
		{data: " {\"id\":\"a\",\"text\":\"tab\\there \\u00e9\"}\n", id: "a", text: "tab\there é"},
		{data: `{"id":"a"} {"id":"b"}`, wantErr: true},
		{data: `{"id":"c","text":null}`, id: "c"},
		{data: `{"id":`, wantErr: true},
		{data: `{"id":"d\"q","text":7}`, id: `d"q`},
		{data: `{"id":null,"text":"y"}`, id: `d"q`, text: "y"}, // null keeps the id
		{data: ``, wantErr: true},
		{data: `{"id":"e"}`, id: "e"},
	}
	var v ev
	for i, s := range steps {
		v.Text = nil
		err := d.decode([]byte(s.data), &v)
		if s.wantErr {
			assert.Error(t, err, "step %d", i)
			continue
		}
		require.NoError(t, err, "step %d", i)
		assert.Equal(t, s.id, string(v.ID), "step %d", i)
		assert.Equal(t, s.text, v.Text.String(), "step %d", i)
	}
	var nilDec *eventDecoder
	require.NoError(t, nilDec.unmarshal([]byte(`{"id":"f"}`), &v))
	assert.Equal(t, "f", string(v.ID))
}
