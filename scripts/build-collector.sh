#!/usr/bin/env bash
# build-collector.sh builds the OpenTelemetry Collector described by
# tools/collector/builder-config.yaml (otlpjsonfile receiver, batch processor,
# OTLP exporter) with the Collector Builder ocb v0.158.0 from the Go module
# proxy, into $OTELAGENT_CACHE_DIR/bin/otelcol-replay (default: .cache/bin in
# the repository). The build is reused while the manifest is unchanged; a stamp
# file next to the binary records the manifest hash it was built from. Prints
# the binary path. Only scripts/bench-replay.sh needs it; the tests do not.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${OTELAGENT_CACHE_DIR:-$repo/.cache}"
bin="$cache/bin/otelcol-replay"
stamp="$bin.manifest-sha256"
manifest="$repo/tools/collector/builder-config.yaml"
ocb_version=v0.158.0
want="$( (cat "$manifest"; echo "$ocb_version") | sha256sum | cut -d' ' -f1)"

if [[ -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
	echo "$bin"
	exit 0
fi

mkdir -p "$cache/bin"
ocb="$cache/bin/ocb-$ocb_version"
if [[ ! -x "$ocb" ]]; then
	echo "installing ocb $ocb_version" >&2
	gobin="$(mktemp -d "$cache/bin/ocb.XXXXXX")"
	GOBIN="$gobin" go install "go.opentelemetry.io/collector/cmd/builder@$ocb_version"
	mv -f "$gobin/builder" "$ocb"
	rmdir "$gobin"
fi

echo "building the collector of tools/collector/builder-config.yaml (takes a few minutes the first time)" >&2
start=$SECONDS
# ocb writes its sources into output_path, relative to the manifest's directory
# when the manifest is copied there; work in a temporary copy so the
# repository stays clean, and build to a temporary name first, so that an
# interrupted build never leaves a binary that looks complete.
work="$(mktemp -d)"
tmp=""
trap 'rm -rf "$work" $tmp' EXIT
cp "$manifest" "$work/builder-config.yaml"
(cd "$work" && CGO_ENABLED=0 "$ocb" --config builder-config.yaml --ldflags='-s -w' >&2)
tmp="$(mktemp "$bin.XXXXXX")"
cp "$work/build/otelcol-replay" "$tmp"
chmod 0755 "$tmp"
mv -f "$tmp" "$bin"
echo "$want" >"$stamp"
echo "built $bin in $((SECONDS - start))s" >&2
echo "$bin"
