#!/usr/bin/env bash
# check-compose.sh validates docker-compose.yaml with `docker-compose config`
# (installing Debian's docker-compose package when no compose tool is present),
# checks that every file the stack mounts or builds from exists, and validates
# the Jaeger and Prometheus configurations when their binaries are at hand.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

if docker compose version >/dev/null 2>&1; then
	compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
	compose=(docker-compose)
else
	sudo=""
	if [[ "$(id -u)" != 0 ]]; then
		sudo="sudo"
	fi
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq >&2
	$sudo apt-get install -y -qq --no-install-recommends docker-compose >&2
	compose=(docker-compose)
fi

resolved="$("${compose[@]}" -f docker-compose.yaml config)"
echo "docker-compose.yaml: valid for ${compose[*]}"

# `config` does not look at bind-mounted paths; a missing one would become an
# empty directory inside the container. Check every absolute mount source, the
# Dockerfile, the example it builds and the home dashboard Grafana opens.
missing=0
mounts="$(sed -n 's|^ *- \(/[^:]*\):/.*|\1|p' <<<"$resolved")"
if [[ -z "$mounts" ]]; then
	echo "found no bind mounts in the resolved configuration" >&2
	exit 1
fi
for path in $mounts "$repo/Dockerfile" "$repo/examples/quickstart" "$repo/deploy/grafana/dashboards/otelagent.json"; do
	if [[ ! -e "$path" ]]; then
		echo "missing: $path" >&2
		missing=1
	else
		echo "present: ${path#"$repo"/}"
	fi
done
if [[ "$missing" != 0 ]]; then
	exit 1
fi

# The configurations themselves, with the tools at hand: Jaeger's with its
# container defaults (no JAEGER_* overrides), Prometheus's with promtool.
jaeger="${OTELAGENT_JAEGER_BIN:-${OTELAGENT_CACHE_DIR:-$repo/.cache}/bin/jaeger}"
if [[ -x "$jaeger" ]]; then
	if ! out="$(env $(env | sed -n 's/^\(JAEGER_[A-Z_]*\)=.*/-u \1/p') "$jaeger" validate --config deploy/jaeger/config.yaml 2>&1)"; then
		echo "$out" >&2
		exit 1
	fi
	echo "deploy/jaeger/config.yaml: valid for $jaeger"
else
	echo "deploy/jaeger/config.yaml: not validated (no jaeger binary; scripts/build-jaeger.sh builds one)"
fi
if command -v promtool >/dev/null 2>&1; then
	promtool check config --syntax-only deploy/prometheus/prometheus.yml >/dev/null
	echo "deploy/prometheus/prometheus.yml: valid for promtool"
else
	echo "deploy/prometheus/prometheus.yml: not validated (no promtool)"
fi
