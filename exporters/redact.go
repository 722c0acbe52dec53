package exporters

import (
	"net/url"
	"regexp"
	"strings"
)

// redacted replaces a secret in messages.
const redacted = "REDACTED"

// redactURL returns raw with its password and query values replaced by REDACTED, so that a URL
// can go into an error or a log line. A URL that does not parse keeps only its scheme.
func redactURL(raw string) string {
	if !strings.Contains(raw, "://") {
		// host:port, or something else: only what follows an '@' can be shown.
		if i := strings.LastIndex(raw, "@"); i >= 0 {
			return redacted + raw[i:]
		}
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		if scheme, _, ok := strings.Cut(raw, "://"); ok && !strings.ContainsAny(scheme, "@/?") {
			return scheme + "://" + redacted
		}
		return redacted
	}
	if u.User != nil {
		u.User = url.User(redacted)
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			q[k] = []string{redacted}
		}
		u.RawQuery = q.Encode()
	}
	if u.Fragment != "" {
		u.Fragment = redacted
	}
	return u.String()
}

// urlPattern matches a URL in running text, without the punctuation that may follow it.
var urlPattern = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>]*[^\s"'<>:,.;)]`)

// scrubURLs redacts every URL in s (see redactURL).
func scrubURLs(s string) string {
	return urlPattern.ReplaceAllStringFunc(s, redactURL)
}
