package otelagent

// ScopeName is the instrumentation scope name of the tracer and meter this package uses.
const ScopeName = "github.com/agenttrace/otelagent/otelagent"

// Version is the version of this instrumentation library, set as the scope version.
const Version = "0.1.0"
