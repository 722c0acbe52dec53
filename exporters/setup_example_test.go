package exporters_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel"

	"github.com/agenttrace/otelagent/exporters"
)

// LoadConfig reads the seed's logging-only configuration unchanged; everything else keeps its
// default.
func ExampleLoadConfig() {
	cfg, err := exporters.LoadConfig(filepath.Join("testdata", "config", "seed.json"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cfg.Logging.Level, cfg.Logging.File, *cfg.Logging.Console)
	fmt.Println(cfg.Logging.Format)
	// Output:
	// INFO agent_trace.log true
	// %(asctime)s - %(name)s - %(levelname)s - %(message)s
}

// Validate names the key path of every problem.
func ExampleConfig_Validate() {
	ratio := 1.5
	cfg := exporters.Config{
		Sampling:  exporters.SamplingConfig{Ratio: &ratio},
		Exporters: exporters.ExportersConfig{OTLP: exporters.OTLPConfig{Protocol: "grpcx"}},
	}
	fmt.Println(cfg.Validate())
	// Output:
	// sampling.ratio: 1.5 is outside 0..1
	// exporters.otlp.protocol: "grpcx" is not one of grpc, http/protobuf
}

// Setup builds the pipeline and installs it as the otel globals; Shutdown flushes it.
func ExampleSetup() {
	dir, err := os.MkdirTemp("", "otelagent-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	console := false
	tel, err := exporters.Setup(context.Background(), exporters.Config{
		ServiceName: "support-desk",
		Exporters: exporters.ExportersConfig{File: exporters.FileExporterConfig{
			Path:        filepath.Join(dir, "spans.jsonl"),
			MetricsPath: filepath.Join(dir, "metrics.jsonl"),
		}},
		Logging: exporters.LoggingConfig{Console: &console},
	})
	if err != nil {
		log.Fatal(err)
	}
	_, span := otel.Tracer("example").Start(context.Background(), "work")
	span.End()
	if err := tel.Shutdown(context.Background()); err != nil {
		log.Fatal(err)
	}

	line, err := os.ReadFile(filepath.Join(dir, "spans.jsonl"))
	if err != nil {
		log.Fatal(err)
	}
	var u ptrace.JSONUnmarshaler
	td, err := u.UnmarshalTraces(line)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(td.SpanCount(), "span written")
	// Output: 1 span written
}
