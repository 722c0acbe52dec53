package otelagent

import "errors"

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
