package otelagent

import (
	"context"
	"errors"
	"fmt"

	"github.com/agenttrace/otelagent/semconv"
)

var (
	// ErrAlreadyCompleted is returned by a second Complete of the same invocation.
	ErrAlreadyCompleted = errors.New("otelagent: invocation already completed")
	// ErrNoOpenInvocation is returned by OnMessagesComplete when no invocation of the agent is open.
	ErrNoOpenInvocation = errors.New("otelagent: no open invocation")
	// ErrInvalidUsage wraps every error TokenUsage.Validate returns.
	ErrInvalidUsage = errors.New("otelagent: invalid token usage")
	// ErrNilTracer is returned by methods that report errors when called on a nil *Tracer.
	ErrNilTracer = errors.New("otelagent: nil tracer")
)

// ErrorType returns the error.type recorded for err: the value of an ErrorType() string method
// anywhere in its chain, "timeout" or "canceled" for context errors, else the Go type of the
// innermost error, else "_OTHER".
func ErrorType(err error) string {
	if err == nil {
		return ""
	}
	var typed interface{ ErrorType() string }
	if errors.As(err, &typed) {
		if s := typed.ErrorType(); s != "" {
			return s
		}
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	inner := err
	for {
		next := errors.Unwrap(inner)
		if next == nil {
			break
		}
		inner = next
	}
	switch name := fmt.Sprintf("%T", inner); name {
	case "*errors.errorString", "*fmt.wrapError", "*fmt.wrapErrors", "*errors.joinError":
		return semconv.ErrorTypeOther
	default:
		return name
	}
}
