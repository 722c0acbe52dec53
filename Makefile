# Everyday commands; each is a plain go command you can also run by hand.
.PHONY: all run test race bench lint vet fmt

all: lint test

run:        ## the example agent: writes agent_trace.jsonl and prints cache statistics
	go run ./examples/quickstart

test:       ## the README's test command
	go test -race ./...

race: test

bench:      ## benchmarks against the raw OpenTelemetry SDK (see BENCHMARKS.md)
	go test -run '^$$' -bench . -benchmem -count 10 ./otelagent ./exporters

vet:
	go vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

lint: vet
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
