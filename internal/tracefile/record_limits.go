package tracefile

import (
	"bytes"
	"fmt"
)

// Limits on one record, checked before it is decoded. A line's bytes are bounded by
// exporters.MaxLineBytes, but not what decoding them builds: an empty span takes 3 bytes of
// JSON ("{},") and about 220 bytes decoded, so 60 MB of them would take over 4 GB. A record
// past a limit is refused as a bad line, naming the limit.
const (
	// MaxRecordSpans is the most spans one record may hold: 262,144. A full line of real spans
	// (a few hundred bytes each at least) stays below it; at the limit, empty spans decode to
	// about 60 MB.
	MaxRecordSpans = 1 << 18
	// MaxRecordObjects is the most JSON objects one record may hold (spans, attributes,
	// events, values...): 4,194,304, about 300 MB decoded at the most costly kind.
	MaxRecordObjects = 1 << 22
	// MaxRecordDepth is the deepest nesting of JSON objects and arrays a record may have: 256.
	MaxRecordDepth = 256
)

// checkRecordSize counts, in one pass and without allocating, what decoding line would build,
// and refuses it past MaxRecordSpans, MaxRecordObjects or MaxRecordDepth. Spans are the
// objects directly inside an array that is the value of a "spans" key. Text that is not valid
// JSON is left for the decoder to reject.
func checkRecordSize(line []byte) error {
	var (
		spans, objects int
		stack          [MaxRecordDepth]bool // per open container: whether it is a "spans" array
		depth          int
		lastSpansKey   bool // the last token was the string "spans"
		spansValue     bool // the last tokens were "spans" and ':'
	)
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '"':
			end := stringEnd(line, i)
			if end < 0 {
				return nil
			}
			lastSpansKey = string(line[i+1:end]) == "spans"
			spansValue = false
			i = end
			continue
		case ':':
			spansValue = lastSpansKey
			lastSpansKey = false
			continue
		case '{', '[':
			if depth == MaxRecordDepth {
				return fmt.Errorf("record nested deeper than %d levels", MaxRecordDepth)
			}
			if c == '{' {
				objects++
				if objects > MaxRecordObjects {
					return fmt.Errorf("record holds more than %d JSON objects", MaxRecordObjects)
				}
				if depth > 0 && stack[depth-1] {
					spans++
					if spans > MaxRecordSpans {
						return fmt.Errorf("record holds more than %d spans", MaxRecordSpans)
					}
				}
			}
			stack[depth] = c == '[' && spansValue
			depth++
		case '}', ']':
			if depth > 0 {
				depth--
			}
		}
		lastSpansKey, spansValue = false, false
	}
	return nil
}

// stringEnd returns the index of the quote closing the JSON string that starts at line[start],
// or -1 if it is not closed.
func stringEnd(line []byte, start int) int {
	j := start + 1
	for {
		k := bytes.IndexByte(line[j:], '"')
		if k < 0 {
			return -1
		}
		j += k
		backslashes := 0
		for p := j - 1; p > start && line[p] == '\\'; p-- {
			backslashes++
		}
		if backslashes%2 == 0 {
			return j
		}
		j++
	}
}
