//go:build tools

// Package tools pins the Jaeger v2 binary used by the end-to-end tests and
// scripts/build-jaeger.sh. It lives in its own module so that Jaeger's large
// dependency graph never enters the root go.mod.
package tools

import _ "github.com/jaegertracing/jaeger/cmd/jaeger"
