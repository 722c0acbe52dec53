package exporters_test

import (
	"bufio"
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"go.opentelemetry.io/collector/pdata/pmetric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/agenttrace/otelagent/exporters"
)

func ExampleNewMetricFileExporter() {
	dir, err := os.MkdirTemp("", "otelagent-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "agent_metrics.jsonl")

	delta := func(sdkmetric.InstrumentKind) metricdata.Temporality { return metricdata.DeltaTemporality }
	exp, err := exporters.NewMetricFileExporter(path, exporters.WithTemporality(delta))
	if err != nil {
		log.Fatal(err)
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp)))
	tokens, err := mp.Meter("example").Int64Counter("tokens")
	if err != nil {
		log.Fatal(err)
	}
	tokens.Add(context.Background(), 1200)
	// Shutdown collects, exports and closes the file.
	if err := mp.Shutdown(context.Background()); err != nil {
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
		var u pmetric.JSONUnmarshaler
		md, err := u.UnmarshalMetrics(lines.Bytes())
		if err != nil {
			log.Fatal(err)
		}
		m := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0)
		fmt.Println(m.Name(), m.Sum().AggregationTemporality(), m.Sum().DataPoints().At(0).IntValue())
	}
	if err := lines.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// tokens Delta 1200
}
