package exporters_test

import (
	"bufio"
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"go.opentelemetry.io/collector/pdata/ptrace"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/agenttrace/otelagent/exporters"
)

func ExampleNewFileExporter() {
	dir, err := os.MkdirTemp("", "otelagent-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "agent_trace.jsonl")

	exp, err := exporters.NewFileExporter(path, exporters.WithMaxSizeMB(10), exporters.WithMaxBackups(3))
	if err != nil {
		log.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp))
	ctx, span := tp.Tracer("example").Start(context.Background(), "invoke_agent planner")
	_, child := tp.Tracer("example").Start(ctx, "chat gpt-4o")
	child.End()
	span.End()
	// Shutdown flushes the batch and closes the file.
	if err := tp.Shutdown(context.Background()); err != nil {
		log.Fatal(err)
	}

	// Each line is one OTLP/JSON request, which pdata decodes.
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	lines := bufio.NewScanner(f)
	lines.Buffer(nil, exporters.MaxLineBytes)
	for lines.Scan() {
		var u ptrace.JSONUnmarshaler
		td, err := u.UnmarshalTraces(lines.Bytes())
		if err != nil {
			log.Fatal(err)
		}
		spans := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
		for i := 0; i < spans.Len(); i++ {
			fmt.Println(spans.At(i).Name())
		}
	}
	if err := lines.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// chat gpt-4o
	// invoke_agent planner
}
