package llmhttp

import (
	"encoding/json"
	"strconv"
)

// apiError is an error an API reported, by HTTP status or in the body. Its ErrorType is the
// API's error type ("rate_limit_error", "invalid_request_error", ...), else its code, else
// the HTTP status code.
type apiError struct {
	status int
	typ    string
	msg    string
}

func (e *apiError) Error() string {
	s := "llmhttp: model API error"
	if e.status != 0 {
		s += " (HTTP " + strconv.Itoa(e.status) + ")"
	}
	if e.typ != "" {
		s += ": " + e.typ
	}
	if e.msg != "" {
		s += ": " + e.msg
	}
	return s
}

func (e *apiError) ErrorType() string {
	if e.typ != "" {
		return e.typ
	}
	if e.status != 0 {
		return strconv.Itoa(e.status)
	}
	return ""
}

// errorEnvelope is the error body of both APIs: OpenAI {"error":{"type","code","message"}},
// Anthropic {"type":"error","error":{"type","message"}}; some OpenAI-compatible servers send
// {"error":"message"}.
type errorEnvelope struct {
	Error json.RawMessage `json:"error"`
}

type errorObject struct {
	Type    string          `json:"type"`
	Code    json.RawMessage `json:"code"` // a string, a number or null
	Message string          `json:"message"`
}

// errorFromBody returns the error a response with the given status and body reports.
func errorFromBody(status int, body []byte) *apiError {
	e := &apiError{status: status}
	var env errorEnvelope
	if json.Unmarshal(body, &env) != nil || len(env.Error) == 0 {
		return e
	}
	var obj errorObject
	if json.Unmarshal(env.Error, &obj) == nil {
		e.typ, e.msg = obj.Type, obj.Message
		if e.typ == "" {
			var code string
			if json.Unmarshal(obj.Code, &code) == nil {
				e.typ = code
			}
		}
		return e
	}
	_ = json.Unmarshal(env.Error, &e.msg)
	return e
}
