package exporters

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	otelsemconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
)

const (
	envSDKDisabled   = "OTEL_SDK_DISABLED"
	envTracesSampler = "OTEL_TRACES_SAMPLER"

	// cleanupTimeout bounds the shutdown of a half-built pipeline when Setup fails.
	cleanupTimeout = 5 * time.Second
)

// Telemetry is the pipeline that Setup built. Its methods are safe for concurrent use; on a
// nil *Telemetry they return no-op providers, a logger that discards, and nil errors.
type Telemetry struct {
	cfg    Config
	tp     trace.TracerProvider
	mp     metric.MeterProvider
	logger *slog.Logger

	flushers []func(context.Context) error
	closers  []func(context.Context) error // in shutdown order

	shutdownOnce sync.Once
}

// Setup builds the TracerProvider, MeterProvider and *slog.Logger that cfg describes, with the
// standard OTEL_* environment variables, and installs them as the otel globals: the tracer and
// meter providers, a TraceContext+Baggage propagator, and an error handler that logs OTel SDK
// errors through the logger. It does not call slog.SetDefault: the application decides
// (slog.SetDefault(tel.Logger())).
//
// Spans go through one batch span processor per exporter, with the sampler
// ParentBased(TraceIDRatioBased(sampling.ratio)); metrics through one periodic reader per
// exporter. The file exporters and the OTLP exporters can run together on the same providers.
// The resource is, from weakest to strongest: service.name=otelagent and the telemetry.sdk.*
// attributes, resource_attributes, service_name, OTEL_RESOURCE_ATTRIBUTES, OTEL_SERVICE_NAME;
// the environment wins, as in the SDK's default resource, so that a deployment can rename a
// service without editing its file.
//
// OTEL_SDK_DISABLED=true installs no-op providers and creates no exporter (no file, no
// connection); the logger is still built, logs not being an OTel signal here.
//
// cfg is checked with Validate first. A config that exports nothing (file exporters disabled
// and no OTLP endpoint in the config or the environment) is an error. When Setup fails after
// building part of the pipeline it shuts that part down and returns an error naming the
// setting at fault; the globals are installed only on success.
func Setup(ctx context.Context, cfg Config) (*Telemetry, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("exporters: setup: %w", err)
	}
	eff := cfg.withDefaults()
	t := &Telemetry{cfg: eff}

	disabled := strings.EqualFold(strings.TrimSpace(os.Getenv(envSDKDisabled)), "true")
	serviceName := eff.ServiceName
	var res *resource.Resource
	if !disabled {
		var err error
		res, err = newResource(ctx, eff)
		if err != nil {
			return nil, fmt.Errorf("exporters: setup: %w", err)
		}
		if v, ok := res.Set().Value(otelsemconv.ServiceNameKey); ok {
			serviceName = v.AsString()
		}
	}
	if serviceName == "" {
		serviceName = DefaultServiceName
	}

	logs, err := newLogOutput(eff.Logging, serviceName, os.Stderr)
	if err != nil {
		return nil, fmt.Errorf("exporters: setup: %w", err)
	}
	t.logger = logs.logger
	closeLog := func(context.Context) error { return nil }
	if logs.file != nil {
		closeLog = func(context.Context) error { return logs.file.Close() }
	}

	if disabled {
		t.tp = tracenoop.NewTracerProvider()
		t.mp = metricnoop.NewMeterProvider()
		t.closers = []func(context.Context) error{closeLog}
		t.installGlobals()
		return t, nil
	}

	spanExporters, metricExporters, err := newExporters(ctx, cfg, eff)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("exporters: setup: %w", err), closeLog(ctx))
	}

	tpOpts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res)}
	if s := sampler(eff.Sampling); s != nil {
		tpOpts = append(tpOpts, sdktrace.WithSampler(s))
	}
	for _, exp := range spanExporters {
		tpOpts = append(tpOpts, sdktrace.WithSpanProcessor(sdktrace.NewBatchSpanProcessor(exp, batchOptions(eff.Batch)...)))
	}
	tp := sdktrace.NewTracerProvider(tpOpts...)

	mpOpts := []sdkmetric.Option{sdkmetric.WithResource(res)}
	for _, exp := range metricExporters {
		mpOpts = append(mpOpts, sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp, readerOptions(eff.Metrics)...)))
	}
	mp := sdkmetric.NewMeterProvider(mpOpts...)

	t.tp, t.mp = tp, mp
	t.flushers = []func(context.Context) error{tp.ForceFlush, mp.ForceFlush}
	t.closers = []func(context.Context) error{tp.Shutdown, mp.Shutdown, closeLog}
	t.installGlobals()
	return t, nil
}

// newExporters creates the span and metric exporters that cfg turns on. When one fails it
// shuts down those already created and returns the error.
func newExporters(ctx context.Context, cfg, eff Config) (spans []sdktrace.SpanExporter, metrics []sdkmetric.Exporter, err error) {
	otlpTraces := otlpEnabled(eff.Exporters.OTLP, tracesSignal)
	otlpMetrics := otlpEnabled(eff.Exporters.OTLP, metricsSignal)
	f := cfg.Exporters.File
	fileOn := f.Path != "" || f.MetricsPath != "" || (!otlpTraces && !otlpMetrics)
	if f.Enabled != nil {
		fileOn = *f.Enabled
	}
	if !fileOn && !otlpTraces && !otlpMetrics {
		return nil, nil, errNothingToExport
	}

	var built []func(context.Context) error
	defer func() {
		if err == nil {
			return
		}
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		for _, shutdown := range built {
			err = errors.Join(err, shutdown(sctx))
		}
		spans, metrics = nil, nil
	}()

	if fileOn {
		ef := eff.Exporters.File
		opts := []FileOption{WithMaxSizeMB(ef.MaxSizeMB), WithMaxBackups(ef.MaxBackups), WithMaxAgeDays(ef.MaxAgeDays), WithCompress(ef.Compress)}
		fe, err := NewFileExporter(ef.Path, opts...)
		if err != nil {
			return nil, nil, fmt.Errorf("exporters.file.path: %w", err)
		}
		built = append(built, fe.Shutdown)
		spans = append(spans, fe)
		me, err := NewMetricFileExporter(ef.MetricsPath, opts...)
		if err != nil {
			return nil, nil, fmt.Errorf("exporters.file.metrics_path: %w", err)
		}
		built = append(built, me.Shutdown)
		metrics = append(metrics, me)
	}
	if otlpTraces {
		exp, err := NewOTLPSpanExporter(ctx, eff.Exporters.OTLP)
		if err != nil {
			return nil, nil, err
		}
		built = append(built, exp.Shutdown)
		spans = append(spans, exp)
	}
	if otlpMetrics {
		exp, err := NewOTLPMetricExporter(ctx, eff.Exporters.OTLP)
		if err != nil {
			return nil, nil, err
		}
		built = append(built, exp.Shutdown)
		metrics = append(metrics, exp)
	}
	return spans, metrics, nil
}

// newResource merges, weakest first: the defaults, the config, the environment.
func newResource(ctx context.Context, cfg Config) (*resource.Resource, error) {
	attrs := make([]attribute.KeyValue, 0, len(cfg.ResourceAttributes)+1)
	for _, k := range slices.Sorted(maps.Keys(cfg.ResourceAttributes)) {
		attrs = append(attrs, attribute.String(k, cfg.ResourceAttributes[k]))
	}
	if cfg.ServiceName != "" {
		attrs = append(attrs, otelsemconv.ServiceName(cfg.ServiceName))
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(otelsemconv.ServiceName(DefaultServiceName)),
		resource.WithTelemetrySDK(),
		resource.WithAttributes(attrs...),
		resource.WithFromEnv(),
	)
	if err != nil {
		return nil, fmt.Errorf("resource (OTEL_RESOURCE_ATTRIBUTES, OTEL_SERVICE_NAME): %w", err)
	}
	return res, nil
}

// sampler returns ParentBased(TraceIDRatioBased) of the configured ratio, nil when the ratio is
// unset and OTEL_TRACES_SAMPLER is set (the SDK then reads the variable), else of
// DefaultSamplingRatio.
func sampler(c SamplingConfig) sdktrace.Sampler {
	ratio := DefaultSamplingRatio
	switch {
	case c.Ratio != nil:
		ratio = *c.Ratio
	case os.Getenv(envTracesSampler) != "":
		return nil
	}
	return sdktrace.ParentBased(sdktrace.TraceIDRatioBased(ratio))
}

func batchOptions(c BatchConfig) []sdktrace.BatchSpanProcessorOption {
	var opts []sdktrace.BatchSpanProcessorOption
	if c.MaxQueueSize > 0 {
		opts = append(opts, sdktrace.WithMaxQueueSize(c.MaxQueueSize))
	}
	if c.MaxExportBatchSize > 0 {
		opts = append(opts, sdktrace.WithMaxExportBatchSize(c.MaxExportBatchSize))
	}
	if c.ExportTimeout > 0 {
		opts = append(opts, sdktrace.WithExportTimeout(time.Duration(c.ExportTimeout)))
	}
	if c.ScheduleDelay > 0 {
		opts = append(opts, sdktrace.WithBatchTimeout(time.Duration(c.ScheduleDelay)))
	}
	if c.Blocking {
		opts = append(opts, sdktrace.WithBlocking())
	}
	return opts
}

func readerOptions(c MetricsConfig) []sdkmetric.PeriodicReaderOption {
	var opts []sdkmetric.PeriodicReaderOption
	if c.ExportInterval > 0 {
		opts = append(opts, sdkmetric.WithInterval(time.Duration(c.ExportInterval)))
	}
	if c.ExportTimeout > 0 {
		opts = append(opts, sdkmetric.WithTimeout(time.Duration(c.ExportTimeout)))
	}
	return opts
}

func (t *Telemetry) installGlobals() {
	otel.SetTracerProvider(t.tp)
	otel.SetMeterProvider(t.mp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	logger := t.logger
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		logger.Error("opentelemetry sdk error", "error", err)
	}))
}

// TracerProvider returns the tracer provider: an *sdktrace.TracerProvider, or a no-op one when
// OTEL_SDK_DISABLED=true or t is nil.
func (t *Telemetry) TracerProvider() trace.TracerProvider {
	if t == nil {
		return tracenoop.NewTracerProvider()
	}
	return t.tp
}

// MeterProvider returns the meter provider: an *sdkmetric.MeterProvider, or a no-op one when
// OTEL_SDK_DISABLED=true or t is nil.
func (t *Telemetry) MeterProvider() metric.MeterProvider {
	if t == nil {
		return metricnoop.NewMeterProvider()
	}
	return t.mp
}

// Logger returns the logger built from the logging settings. Records logged with a context
// that carries a valid span have trace_id and span_id attributes. After Shutdown, records for
// the log file are dropped; the console still receives them. On a nil t it discards.
func (t *Telemetry) Logger() *slog.Logger {
	if t == nil {
		return slog.New(slog.DiscardHandler)
	}
	return t.logger
}

// Config returns a copy of the configuration Setup used, with the defaults that do not
// depend on the environment filled in (file paths, content.max_bytes, logging level, format
// and console). Settings left to the environment stay zero.
func (t *Telemetry) Config() Config {
	if t == nil {
		return Config{}
	}
	return t.cfg.withDefaults() // a copy, maps included
}

// ForceFlush exports every finished span and the current metrics now, honouring ctx.
func (t *Telemetry) ForceFlush(ctx context.Context) error {
	if t == nil {
		return nil
	}
	var errs []error
	for _, f := range t.flushers {
		errs = append(errs, f(ctx))
	}
	return errors.Join(errs...)
}

// Shutdown flushes and closes everything Setup built: the span processors and exporters, the
// metric readers and exporters, and the log file, in that order, and returns their errors
// joined. It honours ctx. Only the first call does anything; later calls return nil. The otel
// globals stay installed and become no-ops.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	if ctx == nil {
		ctx = context.Background()
	}
	var err error
	t.shutdownOnce.Do(func() { err = t.runClosers(ctx) })
	return err
}

func (t *Telemetry) runClosers(ctx context.Context) error {
	var errs []error
	for _, c := range t.closers {
		errs = append(errs, c(ctx))
	}
	t.closers = nil
	return errors.Join(errs...)
}
