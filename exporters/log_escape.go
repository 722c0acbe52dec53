package exporters

import (
	"strconv"
	"unicode/utf8"
)

// escapeControl returns s with its control characters escaped, as appendEscaped does.
func escapeControl(s string) string {
	if !needsEscape(s) {
		return s
	}
	return string(appendEscaped(nil, s))
}

// needsEscape reports whether s holds a byte that appendEscaped rewrites.
func needsEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c >= 0x7f {
			return needsEscapeSlow(s[i:])
		}
	}
	return false
}

func needsEscapeSlow(s string) bool {
	for i, r := range s {
		if r == utf8.RuneError || isControl(r) {
			_, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size == 1 {
				return true
			}
		}
	}
	return false
}

// isControl reports whether r could end a line, move the cursor or start a terminal escape:
// C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
func isControl(r rune) bool {
	return r < ' ' || r >= 0x7f && r <= 0x9f || r == '\u2028' || r == '\u2029'
}

// appendEscaped appends s with control characters (isControl) and bytes that are not UTF-8
// written as Go escapes (\n, \x1b, \u2028), so that text from a message or a name can neither
// start a log line of its own nor drive the terminal that shows it. Other text, backslashes
// included, is appended as it is.
func appendEscaped(buf []byte, s string) []byte {
	if !needsEscape(s) {
		return append(buf, s...)
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			buf = append(buf, `\x`...)
			buf = append(buf, hexDigits[s[i]>>4], hexDigits[s[i]&0xf])
		case isControl(r):
			// strconv quotes the rune as '\n' or '\x1b'; drop the single quotes.
			q := strconv.QuoteRune(r)
			buf = append(buf, q[1:len(q)-1]...)
		default:
			buf = append(buf, s[i:i+size]...)
		}
		i += size
	}
	return buf
}

const hexDigits = "0123456789abcdef"
