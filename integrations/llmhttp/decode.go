package llmhttp

import (
	"bytes"
	"encoding/json"
	"errors"
)

// eventDecoder decodes the JSON events of one stream with one json.Decoder, so that its
// buffer and scanner state are allocated once per stream rather than once per event, as
// json.Unmarshal does. The zero value is ready; it is not safe for concurrent use.
type eventDecoder struct {
	r   bytes.Reader
	dec *json.Decoder
	off int64 // the decoder's input offset after the last event
}

var errTrailingData = errors.New("llmhttp: data after the JSON value of an event")

// decode decodes data, which must hold exactly one JSON value, into v. After an error the
// next event starts on a fresh decoder.
func (d *eventDecoder) decode(data []byte, v any) error {
	data = bytes.TrimSpace(data)
	if d.dec == nil {
		d.dec, d.off = json.NewDecoder(&d.r), 0
	}
	d.r.Reset(data)
	err := d.dec.Decode(v)
	off := d.dec.InputOffset()
	if err == nil && off-d.off != int64(len(data)) {
		err = errTrailingData
	}
	if err != nil {
		d.dec = nil
		return err
	}
	d.off = off
	return nil
}

// unmarshal decodes data with the stream's decoder, or with json.Unmarshal when d is nil.
func (d *eventDecoder) unmarshal(data []byte, v any) error {
	if d == nil {
		return json.Unmarshal(data, v)
	}
	return d.decode(data, v)
}

// lazyText is a JSON string kept undecoded, so that text nobody captures costs no
// allocation. It aliases the decoded input: read it before the input changes.
type lazyText []byte

func (t *lazyText) UnmarshalJSON(b []byte) error {
	*t = b
	return nil
}

// String returns the decoded text; "" for null or anything but a string.
func (t lazyText) String() string {
	if len(t) < 2 || t[0] != '"' {
		return ""
	}
	if bytes.IndexByte(t, '\\') < 0 {
		return string(t[1 : len(t)-1])
	}
	var s string
	_ = json.Unmarshal(t, &s)
	return s
}

// keptString is a JSON string that is not allocated again when an event repeats the value
// it already holds (the id and model of every chunk of a stream). A null keeps the value.
type keptString string

func (s *keptString) UnmarshalJSON(b []byte) error {
	if len(b) < 2 || b[0] != '"' {
		return nil
	}
	if v := b[1 : len(b)-1]; bytes.IndexByte(v, '\\') < 0 {
		if string(v) != string(*s) {
			*s = keptString(v)
		}
		return nil
	}
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = keptString(v)
	return nil
}
