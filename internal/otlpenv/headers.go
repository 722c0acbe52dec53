package otlpenv

import (
	"fmt"
	"net/url"
	"strings"
)

// ParseHeaders reads the value of OTEL_EXPORTER_OTLP_HEADERS (or a signal's form of it): a list
// key1=value1,key2=value2 in the W3C Baggage style. Keys and values are trimmed of spaces and
// percent-decoded; a '+' stays a '+' (it is not form encoding), so Basic credentials keep their
// bytes. Empty entries are ignored; a later duplicate key wins.
//
// A malformed entry is an error naming its position and, when it has one, its key. Header
// values are secrets (bearer tokens, API keys), so no error ever contains any part of a value,
// nor an entry that has no '=' (it may be a token pasted without its key).
func ParseHeaders(s string) (map[string]string, error) {
	out := make(map[string]string)
	for i, entry := range strings.Split(s, ",") {
		if strings.TrimSpace(entry) == "" {
			continue
		}
		n := i + 1
		rawKey, rawValue, ok := strings.Cut(entry, "=")
		if !ok {
			return nil, fmt.Errorf("header entry %d is not key=value", n)
		}
		key, err := url.PathUnescape(strings.TrimSpace(rawKey))
		if err != nil || !validKey(key) {
			return nil, fmt.Errorf("header entry %d: the key is not a valid header name", n)
		}
		value, err := url.PathUnescape(strings.TrimSpace(rawValue))
		if err != nil {
			return nil, fmt.Errorf("header %q (entry %d): the value has a malformed %%-escape", key, n)
		}
		if !validValue(value) {
			return nil, fmt.Errorf("header %q (entry %d): the value has a control character", key, n)
		}
		out[key] = value
	}
	return out, nil
}

// validKey reports whether k is an HTTP field name (an RFC 9110 token).
func validKey(k string) bool {
	if k == "" {
		return false
	}
	for i := range len(k) {
		c := k[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// validValue reports whether v may be sent as an HTTP field value or gRPC metadata: no control
// characters other than tab.
func validValue(v string) bool {
	for i := range len(v) {
		if c := v[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}
