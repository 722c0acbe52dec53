# Everyday commands; each is a plain go command you can also run by hand.
.PHONY: all run test race bench bench-compare bench-profile lint vet fmt e2e jaeger prometheus compose-check bench-replay stack-up stack-down report fuzz chromium screenshot

all: lint test

run:        ## the example agent: writes agent_trace.jsonl and prints cache statistics
	go run ./examples/quickstart

test:       ## the README's test command: the root module, then each module under integrations/
	go test -race ./...
	for mod in integrations/*/go.mod; do \
		dir=$$(dirname $$mod); echo "== $$dir"; \
		(cd $$dir && go vet ./... && go test -race ./...) || exit 1; \
	done

race: test

# benchstat is a tool, not a go.mod dependency: go install golang.org/x/perf/cmd/benchstat@latest
BENCHSTAT ?= $(or $(shell go env GOBIN),$(shell go env GOPATH)/bin)/benchstat

# Ten rounds of -count 1 rather than one -count 10, so otelagent and its raw-SDK twins
# alternate and a busy neighbour on the machine slows all of them alike.
bench:         ## benchmarks against the raw OpenTelemetry SDK into bench.txt (see BENCHMARKS.md)
	for i in 1 2 3 4 5 6 7 8 9 10; do go test -run '^$$' -bench . -benchmem -count 1 ./otelagent ./exporters || exit 1; done | tee bench.txt

bench-compare: ## otelagent beside its raw-SDK twins, from bench.txt
	$(BENCHSTAT) -filter '.name:InvokeComplete' -col '/impl@(rawSDK rawSDKprebuilt otelagent)' bench.txt

bench-profile: ## CPU and allocation profiles of one otelagent invocation (cache miss)
	go test -run '^$$' -bench 'InvokeComplete/case=miss/impl=otelagent' -benchtime 3s \
		-cpuprofile cpu.out -memprofile mem.out -o otelagent.test ./otelagent
	go tool pprof -top -cum -nodecount 30 otelagent.test cpu.out
	go tool pprof -top -sample_index=alloc_objects -nodecount 25 otelagent.test mem.out

vet:
	go vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

lint: vet
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)

e2e:        ## end-to-end tests against a real Jaeger and Prometheus (installs/builds them first)
	scripts/e2e.sh

jaeger:     ## build the pinned Jaeger v2 into .cache/bin/jaeger (minutes the first time, then cached)
	scripts/build-jaeger.sh

prometheus: ## install Prometheus from Debian's packages if it is missing
	scripts/install-prometheus.sh

bench-replay: ## spans/s of otelagent replay and of an ocb-built Collector sending a 1 GB file to Jaeger (minutes; not in CI)
	scripts/bench-replay.sh

compose-check: ## validate docker-compose.yaml and the files it mounts
	scripts/check-compose.sh

stack-up:   ## Jaeger, Prometheus, Grafana and the example agent (needs a Docker engine)
	docker compose up --build -d

stack-down:
	docker compose down

# --- the otelagent command ---
CHROMIUM_FLAGS = --headless --no-sandbox --disable-gpu --disable-background-networking \
	--disable-component-update --disable-sync --no-first-run --hide-scrollbars

report:     ## run the example agent, then summarise its trace per agent and write report.html
	go run ./examples/quickstart
	go run ./cmd/otelagent report agent_trace.jsonl
	go run ./cmd/otelagent report --format html -o report.html agent_trace.jsonl

fuzz:       ## fuzz the report's trace input and the trace-file reader, a minute each
	go test -run '^$$' -fuzz FuzzReportTraceInput -fuzztime 60s ./internal/report
	go test -run '^$$' -fuzz FuzzTraceReader -fuzztime 60s ./internal/tracefile

chromium:   ## install Debian's Chromium if it is missing (the HTML report test needs it)
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }

screenshot: chromium ## render the HTML report of the test trace to report.png with headless Chromium
	go run ./cmd/otelagent report --interval 1m --format html -o report.html internal/report/testdata/quickstart.jsonl
	chromium $(CHROMIUM_FLAGS) --user-data-dir="$$(mktemp -d)" --window-size=1280,1500 \
		--screenshot="$(CURDIR)/report.png" "file://$(CURDIR)/report.html"
