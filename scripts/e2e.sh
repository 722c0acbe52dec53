#!/usr/bin/env bash
# e2e.sh runs the end-to-end tests against real backends: it installs
# Prometheus and builds Jaeger when they are missing (see install-prometheus.sh
# and build-jaeger.sh), then runs the e2e package with CI=true, so a backend
# that still cannot be found fails the run instead of skipping it.
# Extra arguments go to `go test` (e.g. -run TestTraces -v).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

OTELAGENT_PROMETHEUS_BIN="$("$repo/scripts/install-prometheus.sh")"
export OTELAGENT_PROMETHEUS_BIN
if [[ -z "${OTELAGENT_JAEGER_BIN:-}" ]]; then
	OTELAGENT_JAEGER_BIN="$("$repo/scripts/build-jaeger.sh")"
	export OTELAGENT_JAEGER_BIN
fi

echo "jaeger:     $OTELAGENT_JAEGER_BIN"
echo "prometheus: $OTELAGENT_PROMETHEUS_BIN ($("$OTELAGENT_PROMETHEUS_BIN" --version 2>&1 | head -n1))"
CI=true go test -race -count=1 "$@" ./e2e/...
