package e2e

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/agenttrace/otelagent/exporters"
)

// telemetryConfig selects the pipeline of one test run.
type telemetryConfig struct {
	service    string
	protocol   string // "grpc" or "http/protobuf"
	endpoint   string // host:port of the OTLP receiver; "" for no OTLP export
	tracesFile string // OTLP/JSON span file; "" for none
}

// telemetry is an SDK pipeline the scenario reports through.
type telemetry struct {
	tp       trace.TracerProvider
	mp       metric.MeterProvider
	flush    func(context.Context) error // exports the metrics collected so far
	shutdown func(context.Context) error
}

// startTelemetry builds the pipeline from the SDK's OTLP exporters and the
// module's file exporter.
func startTelemetry(t *testing.T, c telemetryConfig) *telemetry {
	t.Helper()
	ctx := t.Context()
	res := resource.NewSchemaless(attribute.String("service.name", c.service))
	topts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res)}
	mopts := []sdkmetric.Option{sdkmetric.WithResource(res)}
	if c.endpoint != "" {
		var (
			se  sdktrace.SpanExporter
			me  sdkmetric.Exporter
			err error
		)
		switch c.protocol {
		case "grpc":
			se, err = otlptracegrpc.New(ctx, otlptracegrpc.WithEndpoint(c.endpoint), otlptracegrpc.WithInsecure())
			require.NoError(t, err)
			me, err = otlpmetricgrpc.New(ctx, otlpmetricgrpc.WithEndpoint(c.endpoint), otlpmetricgrpc.WithInsecure())
		case "http/protobuf":
			se, err = otlptracehttp.New(ctx, otlptracehttp.WithEndpoint(c.endpoint), otlptracehttp.WithInsecure())
			require.NoError(t, err)
			me, err = otlpmetrichttp.New(ctx, otlpmetrichttp.WithEndpoint(c.endpoint), otlpmetrichttp.WithInsecure())
		default:
			t.Fatalf("unknown OTLP protocol %q", c.protocol)
		}
		require.NoError(t, err)
		topts = append(topts, sdktrace.WithBatcher(se))
		mopts = append(mopts, sdkmetric.WithReader(sdkmetric.NewPeriodicReader(me)))
	}
	if c.tracesFile != "" {
		fe, err := exporters.NewFileExporter(c.tracesFile)
		require.NoError(t, err)
		topts = append(topts, sdktrace.WithBatcher(fe))
	}
	tp := sdktrace.NewTracerProvider(topts...)
	mp := sdkmetric.NewMeterProvider(mopts...)
	return &telemetry{
		tp:    tp,
		mp:    mp,
		flush: mp.ForceFlush,
		shutdown: func(ctx context.Context) error {
			return errors.Join(tp.Shutdown(ctx), mp.Shutdown(ctx))
		},
	}
}
