package llmhttp

import "bytes"

// maxEventBytes bounds the data of one server-sent event; a larger event is skipped, so a
// stream never holds more than this much beside the caller's buffer.
const maxEventBytes = 1 << 20

// sseScanner splits a server-sent event stream into the data of its events as bytes arrive,
// in pieces of any size. Only data lines matter here: both APIs repeat the event name in the
// JSON payload.
type sseScanner struct {
	line     []byte // the incomplete last line of earlier writes
	data     []byte // data lines of the current event, joined by newlines
	hasData  bool
	overflow bool // the current event exceeded maxEventBytes and is skipped
}

// write feeds p and calls dispatch with the data of each event completed by it. The slice
// passed to dispatch is valid only during the call.
func (s *sseScanner) write(p []byte, dispatch func([]byte)) {
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			if len(s.line)+len(p) <= maxEventBytes {
				s.line = append(s.line, p...)
			} else {
				s.overflow = true
				s.line = s.line[:0]
			}
			return
		}
		line := p[:i]
		if len(s.line) > 0 {
			s.line = append(s.line, line...)
			line = s.line
		}
		s.processLine(line, dispatch)
		s.line = s.line[:0]
		p = p[i+1:]
	}
}

// flush dispatches an event the stream ended without a blank line after.
func (s *sseScanner) flush(dispatch func([]byte)) {
	if len(s.line) > 0 {
		s.processLine(s.line, dispatch)
		s.line = s.line[:0]
	}
	s.processLine(nil, dispatch)
}

var dataPrefix = []byte("data:")

func (s *sseScanner) processLine(line []byte, dispatch func([]byte)) {
	line = bytes.TrimSuffix(line, []byte{'\r'})
	if len(line) == 0 {
		if s.hasData && !s.overflow {
			dispatch(s.data)
		}
		s.data, s.hasData, s.overflow = s.data[:0], false, false
		return
	}
	if !bytes.HasPrefix(line, dataPrefix) {
		return // event:, id:, retry: and comments
	}
	v := line[len(dataPrefix):]
	if len(v) > 0 && v[0] == ' ' {
		v = v[1:]
	}
	if s.hasData {
		s.data = append(s.data, '\n')
	}
	if len(s.data)+len(v) > maxEventBytes {
		s.overflow = true
	} else {
		s.data = append(s.data, v...)
	}
	s.hasData = true
}
