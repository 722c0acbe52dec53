#!/usr/bin/env bash
# build-jaeger.sh builds the Jaeger v2 binary pinned in tools/jaeger/go.mod into
# $OTELAGENT_CACHE_DIR/bin/jaeger (default: .cache/bin/jaeger in the repository).
# The build is reused while tools/jaeger/go.sum is unchanged; a stamp file next
# to the binary records the go.sum hash it was built from. Prints the binary path.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${OTELAGENT_CACHE_DIR:-$repo/.cache}"
bin="$cache/bin/jaeger"
stamp="$bin.gosum-sha256"
want="$(sha256sum "$repo/tools/jaeger/go.sum" "$repo/tools/jaeger/go.mod" | sha256sum | cut -d' ' -f1)"

if [[ -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
	echo "$bin"
	exit 0
fi

mkdir -p "$cache/bin"
echo "building jaeger from tools/jaeger (takes a few minutes the first time)" >&2
start=$SECONDS
# Build to a temporary name first, so that an interrupted build never leaves a
# binary that looks complete and two builds at once never write the same file.
tmp="$(mktemp "$bin.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
(cd "$repo/tools/jaeger" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$tmp" github.com/jaegertracing/jaeger/cmd/jaeger)
chmod 0755 "$tmp"
mv -f "$tmp" "$bin"
echo "$want" >"$stamp"
echo "built $bin in $((SECONDS - start))s" >&2
echo "$bin"
