#!/usr/bin/env bash
# measure-hostile-inputs.sh prints the peak memory (max RSS) and time of report, validate trace
# and replay --dry-run on hostile inputs, the figures RELIABILITY.md quotes:
#   - a 58 KB gzip holding one line of 20,000,000 empty spans (60 MB decompressed);
#   - 5,000 one-line trace files matched by one glob.
# Usage: scripts/measure-hostile-inputs.sh [otelagent binary]  (default: built from this checkout)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

bin="${1:-}"
if [[ -z "$bin" ]]; then
	bin="$work/otelagent"
	(cd "$repo" && go build -o "$bin" ./cmd/otelagent)
fi

mkdir -p "$work/gen" "$work/many"
cat >"$work/gen/main.go" <<'GO'
// Writes the hostile inputs: hostile.jsonl.gz and DIR/trace%04d.jsonl.
package main

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	f, err := os.Create(os.Args[1])
	check(err)
	zw, err := gzip.NewWriterLevel(f, gzip.BestCompression)
	check(err)
	w := bufio.NewWriter(zw)
	w.WriteString(`{"resourceSpans":[{"scopeSpans":[{"spans":[{}`)
	for range 20_000_000 - 1 {
		w.WriteString(`,{}`)
	}
	w.WriteString("]}]}]}\n")
	check(w.Flush())
	check(zw.Close())
	check(f.Close())
	line := `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","name":"invoke_agent a","startTimeUnixNano":"1","endTimeUnixNano":"2","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"invoke_agent"}},{"key":"gen_ai.provider.name","value":{"stringValue":"openai"}},{"key":"gen_ai.agent.name","value":{"stringValue":"a"}}]}]}]}]}` + "\n"
	for i := range 5000 {
		check(os.WriteFile(filepath.Join(os.Args[2], fmt.Sprintf("trace%04d.jsonl", i)), []byte(line), 0o600))
	}
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}
GO
(cd "$work/gen" && go mod init gen >/dev/null 2>&1 && go run . "$work/hostile.jsonl.gz" "$work/many")
echo "hostile.jsonl.gz: $(stat -c %s "$work/hostile.jsonl.gz") bytes"

measure() {
	local label="$1"
	shift
	/usr/bin/time -f "$label: max RSS %M KB, %e s, exit %x" "$@" >/dev/null 2>"$work/err" || true
	tail -n 1 "$work/err"
}
measure "report hostile.jsonl.gz" "$bin" report "$work/hostile.jsonl.gz"
measure "validate trace hostile.jsonl.gz" "$bin" validate trace "$work/hostile.jsonl.gz"
measure "replay --dry-run hostile.jsonl.gz" "$bin" replay --dry-run -q "$work/hostile.jsonl.gz"
measure "report 'many/*.jsonl' (5,000 files)" "$bin" report "$work/many/*.jsonl"
