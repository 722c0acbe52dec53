// Package firsthour holds tests that use otelagent as a new user does: a program in a module
// of its own that requires the module through the README's replace line, configured by a
// YAML file, run with go run's toolchain; and the otelagent command and the quickstart built
// from the checkout, run in an empty directory. The package has no code of its own.
//
// The user's module is built with GOPROXY=off: it needs the module cache that building this
// repository fills (go build ./... or go mod download), and fails, naming the cause, without it.
package firsthour
