#!/usr/bin/env bash
# bench-replay.sh measures how fast a ~1 GB OTLP/JSON trace file reaches a real Jaeger:
# sent by `otelagent replay` (OTLP/gRPC), and by the OpenTelemetry Collector of
# tools/collector (otlpjsonfile receiver from the beginning, batch processor, OTLP/gRPC
# exporter), the reference a user would pick instead. Each run gets a fresh Jaeger on
# 127.0.0.1 whose memory store holds every trace; a run ends when Jaeger's storage exporter
# has written every span of the file (Jaeger's own otelcol_exporter_sent_spans metric), and
# its time starts when the sender is started, so both include their start-up. Prints spans/s
# of each run and the ratio.
#
# The file is generated once with the module's own file exporter (e2e/tracegen) and kept in
# $OTELAGENT_CACHE_DIR/bench (default .cache/bench). Not part of the tests or CI.
#
#   BENCH_REPLAY_SIZE_MB   size of the file (1024)
#   BENCH_REPLAY_ROUNDS    rounds, replay and Collector alternating (3)
#   BENCH_REPLAY_ARGS      extra flags for otelagent replay
#   BENCH_REPLAY_ARGS_B    when set, each round also runs replay with these flags ("replay-b"),
#                          to compare two settings under the same load
#   BENCH_COLLECTOR_COMPRESSION  compression of the Collector's OTLP exporter (gzip, its default)
#   OTELAGENT_JAEGER_BIN   Jaeger binary (default: scripts/build-jaeger.sh builds one)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
cache="${OTELAGENT_CACHE_DIR:-$repo/.cache}"
size_mb="${BENCH_REPLAY_SIZE_MB:-1024}"
rounds="${BENCH_REPLAY_ROUNDS:-3}"
# shellcheck disable=SC2206 # word splitting of the extra flags is wanted
replay_args=(${BENCH_REPLAY_ARGS:-})
# shellcheck disable=SC2206
replay_args_b=(${BENCH_REPLAY_ARGS_B:-})

jaeger="${OTELAGENT_JAEGER_BIN:-}"
if [[ -z "$jaeger" ]]; then
	jaeger="$(scripts/build-jaeger.sh)"
fi
collector="$(scripts/build-collector.sh)"

work="$(mktemp -d)"
pids=()
cleanup() {
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/otelagent" ./cmd/otelagent
go build -o "$work/tracegen" ./e2e/tracegen

data="$cache/bench/replay-${size_mb}mb.jsonl"
if [[ ! -s "$data" || ! -s "$data.spans" ]]; then
	mkdir -p "$cache/bench"
	echo "generating $data (${size_mb} MiB)" >&2
	"$work/tracegen" -size-mb "$size_mb" -o "$work/gen.jsonl" >"$work/gen.spans"
	mv -f "$work/gen.jsonl" "$data"
	mv -f "$work/gen.spans" "$data.spans"
fi
spans="$(cat "$data.spans")"
bytes="$(stat -c %s "$data")"
echo "file: $data, $((bytes >> 20)) MiB, $spans spans"

# free_port sets port to a TCP port of 127.0.0.1 that nothing listens on and that was not
# handed out before in this run (a stopped Jaeger's ports may linger).
declare -A given=()
free_port() {
	while :; do
		port=$((20000 + RANDOM % 40000))
		if [[ -z "${given[$port]:-}" ]] && ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			given[$port]=1
			return
		fi
	done
}

# The deployment's Jaeger configuration, with a memory store large enough for every trace.
sed 's/max_traces: [0-9]*/max_traces: 2000000/' deploy/jaeger/config.yaml >"$work/jaeger.yaml"
grep -q 'max_traces: 2000000' "$work/jaeger.yaml"

# start_jaeger starts a fresh Jaeger and sets otlp (host:port of OTLP/gRPC) and telemetry
# (URL of its own metrics).
start_jaeger() {
	local name="$1" grpc http query qgrpc health prom tport
	free_port; grpc=$port
	free_port; http=$port
	free_port; query=$port
	free_port; qgrpc=$port
	free_port; health=$port
	free_port; prom=$port
	free_port; tport=$port
	JAEGER_OTLP_GRPC_ENDPOINT="127.0.0.1:$grpc" JAEGER_OTLP_HTTP_ENDPOINT="127.0.0.1:$http" \
		JAEGER_QUERY_HTTP_ENDPOINT="127.0.0.1:$query" JAEGER_QUERY_GRPC_ENDPOINT="127.0.0.1:$qgrpc" \
		JAEGER_HEALTHCHECK_ENDPOINT="127.0.0.1:$health" JAEGER_PROMETHEUS_EXPORTER_ENDPOINT="127.0.0.1:$prom" \
		JAEGER_TELEMETRY_HOST=127.0.0.1 JAEGER_TELEMETRY_PORT="$tport" JAEGER_LOG_LEVEL=warn \
		JAEGER_PROMETHEUS_URL="http://127.0.0.1:1" \
		"$jaeger" --config "$work/jaeger.yaml" >"$work/$name.log" 2>&1 &
	jaeger_pid=$!
	pids+=("$jaeger_pid")
	otlp="127.0.0.1:$grpc"
	telemetry="http://127.0.0.1:$tport/metrics"
	for _ in $(seq 1 300); do
		if curl -fs "http://127.0.0.1:$health/status" >/dev/null 2>&1 && curl -fs "$telemetry" >/dev/null 2>&1; then
			return
		fi
		sleep 0.2
	done
	echo "$name did not start; log:" >&2
	tail -n 20 "$work/$name.log" >&2
	exit 1
}

stop() {
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# stored prints how many spans Jaeger's storage exporter has written.
stored() {
	curl -fs "$telemetry" | awk '/^otelcol_exporter_sent_spans(_total)?\{/ && /exporter="jaeger_storage_exporter"/ { n += $NF } END { printf "%d\n", n }'
}

now() { date +%s.%N; }

# wait_stored waits until Jaeger has stored every span of the file; it gives up when the
# count has not grown for 60 seconds. Prints the time it saw the last span.
wait_stored() {
	local n last=-1 still=0
	while :; do
		n=$(stored)
		if ((n >= spans)); then
			now
			return
		fi
		if ((n == last)); then
			still=$((still + 1))
			if ((still >= 300)); then
				echo "Jaeger stopped at $n of $spans spans" >&2
				return 1
			fi
		else
			last=$n still=0
		fi
		sleep 0.2
	done
}

report() {
	local what="$1" start="$2" end="$3"
	awk -v s="$start" -v e="$end" -v n="$spans" -v w="$what" 'BEGIN { printf "%-10s %8.2f s  %9.0f spans/s\n", w, e - s, n / (e - s) }'
}

run_replay() {
	local label="${2:-replay}" start end
	local -a args=("${replay_args[@]}")
	if [[ "$label" == replay-b ]]; then
		args=("${replay_args_b[@]}")
	fi
	start_jaeger "jaeger-$label-$1"
	start=$(now)
	"$work/otelagent" replay --quiet --insecure --endpoint "$otlp" "${args[@]}" "$data" >"$work/replay.out"
	if ! end=$(wait_stored); then
		cat "$work/replay.out" >&2
		exit 1
	fi
	stop "$jaeger_pid"
	report "$label" "$start" "$end" | tee -a "$work/results"
}

run_collector() {
	start_jaeger "jaeger-collector-$1"
	cat >"$work/collector.yaml" <<YAML
receivers:
  otlp_json_file:
    include: ["$data"]
    start_at: beginning
    # A line of the file exporter is one export batch (512 spans, about 0.5 MB).
    max_log_size: 16MiB
processors:
  # The default batch (8192 spans) has no upper bound; Jaeger refuses gRPC messages over 4 MiB.
  batch:
    send_batch_size: 4096
    send_batch_max_size: 4096
exporters:
  otlp_grpc:
    endpoint: "$otlp"
    tls:
      insecure: true
    compression: ${BENCH_COLLECTOR_COMPRESSION:-gzip}
    sending_queue:
      # Wait rather than drop when Jaeger lags: the file must arrive whole.
      block_on_overflow: true
service:
  pipelines:
    traces:
      receivers: [otlp_json_file]
      processors: [batch]
      exporters: [otlp_grpc]
  telemetry:
    metrics:
      level: none
YAML
	local start end pid
	start=$(now)
	"$collector" --config "$work/collector.yaml" >"$work/collector-$1.log" 2>&1 &
	pid=$!
	pids+=("$pid")
	if ! end=$(wait_stored); then
		tail -n 20 "$work/collector-$1.log" >&2
		exit 1
	fi
	stop "$pid"
	stop "$jaeger_pid"
	report collector "$start" "$end" | tee -a "$work/results"
}

for round in $(seq 1 "$rounds"); do
	run_replay "$round"
	if [[ ${#replay_args_b[@]} -gt 0 ]]; then
		run_replay "$round" replay-b
	fi
	run_collector "$round"
done

awk '$1 == "replay" { r += $4; nr++ } $1 == "replay-b" { b += $4; nb++ } $1 == "collector" { c += $4; nc++ }
	END {
		printf "mean: replay %.0f spans/s, collector %.0f spans/s, replay/collector %.2f\n", r / nr, c / nc, (r / nr) / (c / nc)
		if (nb) printf "mean: replay-b %.0f spans/s, replay-b/collector %.2f, replay/replay-b %.2f\n", b / nb, (b / nb) / (c / nc), (r / nr) / (b / nb)
	}' "$work/results"
