#!/usr/bin/env bash
# check-compose.sh validates docker-compose.yaml with `docker-compose config`
# (installing Debian's docker-compose package when no compose tool is present)
# and checks that every file the stack mounts or builds from exists.
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
exit "$missing"
