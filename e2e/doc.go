// Package e2e holds the end-to-end tests of otelagent against real backends:
// two Jaeger v2 processes built from tools/jaeger (one for live exports, one
// for replayed files) and Prometheus, started by the tests on 127.0.0.1 with
// free ports and the configurations under deploy/, and stopped when they end.
//
// The tests send a multi-agent scenario through exporters.Setup over OTLP gRPC
// and OTLP HTTP, read the spans back through Jaeger's HTTP query API and the
// metrics through Prometheus's HTTP API, replay the OTLP/JSON files of the file
// exporters through the second Jaeger's OTLP/HTTP receiver and compare, and
// evaluate every PromQL query of the Grafana dashboard. TestBurstEverySpanArrives builds the
// burst command (e2e/burst, with the go command on PATH) and requires every span of a
// 200,000-invocation burst in the file and in Jaeger.
//
// Binaries are found through OTELAGENT_JAEGER_BIN (default .cache/bin/jaeger,
// built by scripts/build-jaeger.sh) and OTELAGENT_PROMETHEUS_BIN (default
// prometheus on PATH). When one is missing the tests skip, except with CI=true,
// where they fail. scripts/e2e.sh installs and builds both, then runs the tests.
package e2e
