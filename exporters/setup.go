package exporters

import (
	"cmp"
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

	"github.com/go-logr/logr"
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

	"github.com/agenttrace/otelagent/otelagent"
)

// cleanupTimeout bounds the shutdown of a half-built pipeline when Setup fails.
const cleanupTimeout = 5 * time.Second

// Telemetry is the pipeline that Setup built. Its methods are safe for concurrent use; on a
// nil *Telemetry they return no-op providers, a logger that discards, and nil errors.
type Telemetry struct {
	cfg     Config
	pricing otelagent.Pricing // loaded from cfg.Pricing; nil when unset
	tp      trace.TracerProvider
	mp      metric.MeterProvider
	logger  *slog.Logger
	drops   *dropReporter

	shutdownTimeout time.Duration
	flushers        []func(context.Context) error
	// local and remote shut down the file and the OTLP pipelines; final runs after them.
	local, remote, final []func(context.Context) error

	shutdownOnce sync.Once
}

// Setup builds the TracerProvider, MeterProvider and *slog.Logger that cfg describes, with the
// standard OTEL_* environment variables, and installs them as the otel globals: the tracer and
// meter providers (when the config sets pricing or content.capture, the global tracer
// provider wraps TracerProvider() to log once that a Tracer from otelagent.New misses them;
// Telemetry.Tracer applies them), a TraceContext+Baggage propagator, an error handler and the SDK's internal
// logger, both writing through the logger. It does not call slog.SetDefault: the application
// decides (slog.SetDefault(tel.Logger())).
//
// Spans go through one queue per exporter (batch.* settings, else OTEL_BSP_*, else a queue of
// 2048 spans exported in batches of 512 every 5s, 30s per export). The file's queue never
// drops: a span's End waits for room. The OTLP queue drops a span when it is full (unless
// batch.blocking) and counts every span it loses, full queue or failed export, on the
// otelagent.spans.dropped counter and in a warning logged at most every 10s. The sampler is
// ParentBased(TraceIDRatioBased(sampling.ratio)), else the one OTEL_TRACES_SAMPLER names, else
// sample everything. Metrics go through one periodic reader per exporter.
//
// The file exporters are on unless exporters.file.enabled is false, also when OTLP export is
// on: the local copy survives a collector outage. OTLP export is on when an endpoint is set in
// the config or the environment (or exporters.otlp.enabled is true).
//
// The resource is, from weakest to strongest: service.name=otelagent and the telemetry.sdk.*
// attributes, resource_attributes, service_name, OTEL_RESOURCE_ATTRIBUTES, OTEL_SERVICE_NAME;
// the environment wins, as in the SDK's default resource, so that a deployment can rename a
// service without editing its file.
//
// OTEL_SDK_DISABLED=true installs no-op providers and creates no exporter (no file, no
// connection); the logger is still built, logs not being an OTel signal here.
//
// cfg and every OTEL_* variable Setup honours are checked first, all problems reported at once,
// each naming its key or variable; header values and URL credentials never appear in an
// error. A config that exports nothing is an error. When Setup fails after building part of
// the pipeline it shuts that part down; the globals are installed only on success.
func Setup(ctx context.Context, cfg Config) (*Telemetry, error) {
	t, err := setup(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("exporters: setup: %w", stripPrefix(err))
	}
	return t, nil
}

func setup(ctx context.Context, cfg Config) (*Telemetry, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	env, envErr := readEnv()
	if err := errors.Join(cfg.Validate(), envErr, cfg.checkAgainstEnv(env)); err != nil {
		return nil, err
	}
	eff := cfg.withDefaults()
	t := &Telemetry{cfg: eff, shutdownTimeout: DefaultShutdownTimeout}
	if eff.ShutdownTimeout > 0 {
		t.shutdownTimeout = time.Duration(eff.ShutdownTimeout)
	}
	if eff.Pricing != "" {
		p, err := otelagent.LoadPricing(eff.Pricing)
		if err != nil {
			return nil, fmt.Errorf("pricing: %w", err)
		}
		t.pricing = p
	}

	serviceName := eff.ServiceName
	var res *resource.Resource
	if !env.disabled {
		var err error
		res, err = newResource(ctx, eff)
		if err != nil {
			return nil, err
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
		return nil, err
	}
	t.logger = logs.logger
	closeLog := func(context.Context) error { return nil }
	if logs.file != nil {
		closeLog = logs.file.Close
	}

	if env.disabled {
		t.tp = tracenoop.NewTracerProvider()
		t.mp = metricnoop.NewMeterProvider()
		t.final = []func(context.Context) error{closeLog}
		t.installGlobals()
		return t, nil
	}

	exps, err := newExporters(ctx, eff, env)
	if err != nil {
		return nil, errors.Join(err, closeLog(ctx))
	}

	t.drops = newDropReporter(t.logger, time.Now)
	qs := queueSettingsFor(eff.Batch, env.batch)
	tpOpts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res), sdktrace.WithSampler(sampler(eff.Sampling, env))}
	addSpans := func(exp sdktrace.SpanExporter, name string, block bool, into *[]func(context.Context) error) {
		s := qs
		s.block = block
		q := newSpanQueue(exp, name, s, t.drops)
		tpOpts = append(tpOpts, sdktrace.WithSpanProcessor(q))
		*into = append(*into, q.Shutdown)
	}
	mpOpts := []sdkmetric.Option{sdkmetric.WithResource(res)}
	addMetrics := func(exp sdkmetric.Exporter, into *[]func(context.Context) error) {
		r := sdkmetric.NewPeriodicReader(exp, readerOptions(eff.Metrics, env.metrics)...)
		mpOpts = append(mpOpts, sdkmetric.WithReader(r))
		*into = append(*into, r.Shutdown)
	}
	if exps.fileSpans != nil {
		addSpans(exps.fileSpans, exporterFile, true, &t.local)
		addMetrics(exps.fileMetrics, &t.local)
	}
	if exps.otlpSpans != nil {
		addSpans(exps.otlpSpans, exporterOTLP, qs.block, &t.remote)
	}
	if exps.otlpMetrics != nil {
		addMetrics(exps.otlpMetrics, &t.remote)
	}
	tp := sdktrace.NewTracerProvider(tpOpts...)
	mp := sdkmetric.NewMeterProvider(mpOpts...)
	t.drops.setCounter(mp)

	t.tp, t.mp = tp, mp
	t.flushers = []func(context.Context) error{tp.ForceFlush, mp.ForceFlush}
	t.final = []func(context.Context) error{
		// The processors and readers are shut down already; these mark the providers done.
		func(ctx context.Context) error { _ = tp.Shutdown(ctx); return nil },
		func(ctx context.Context) error { _ = mp.Shutdown(ctx); return nil },
		closeLog,
	}
	t.installGlobals()
	return t, nil
}

// builtExporters are the exporters Setup creates; nil ones are off.
type builtExporters struct {
	fileSpans   sdktrace.SpanExporter
	fileMetrics sdkmetric.Exporter
	otlpSpans   sdktrace.SpanExporter
	otlpMetrics sdkmetric.Exporter
}

// newExporters creates the span and metric exporters that cfg turns on. When one fails it
// shuts down those already created and returns the error.
func newExporters(ctx context.Context, cfg Config, env envSettings) (exps builtExporters, err error) {
	otlpTraces := otlpEnabled(cfg.Exporters.OTLP, env, tracesSignal)
	otlpMetrics := otlpEnabled(cfg.Exporters.OTLP, env, metricsSignal)
	fileOn := cfg.Exporters.File.on()
	if !fileOn && !otlpTraces && !otlpMetrics {
		return exps, errNothingToExport
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
		exps = builtExporters{}
	}()

	if fileOn {
		f := cfg.Exporters.File
		opts := []FileOption{WithMaxSizeMB(f.MaxSizeMB), WithMaxBackups(f.MaxBackups), WithMaxAgeDays(f.MaxAgeDays), WithCompress(f.Compress)}
		fe, err := NewFileExporter(f.Path, opts...)
		if err != nil {
			return exps, fmt.Errorf("exporters.file.path: %w", err)
		}
		built = append(built, fe.Shutdown)
		exps.fileSpans = fe
		me, err := NewMetricFileExporter(f.MetricsPath, opts...)
		if err != nil {
			return exps, fmt.Errorf("exporters.file.metrics_path: %w", err)
		}
		built = append(built, me.Shutdown)
		exps.fileMetrics = me
	}
	if otlpTraces {
		exp, err := newOTLPSpanExporter(ctx, cfg.Exporters.OTLP, env)
		if err != nil {
			return exps, err
		}
		built = append(built, exp.Shutdown)
		exps.otlpSpans = exp
	}
	if otlpMetrics {
		exp, err := newOTLPMetricExporter(ctx, cfg.Exporters.OTLP, env)
		if err != nil {
			return exps, err
		}
		built = append(built, exp.Shutdown)
		exps.otlpMetrics = exp
	}
	return exps, nil
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

// sampler returns ParentBased(TraceIDRatioBased) of the configured ratio, else the sampler of
// OTEL_TRACES_SAMPLER, else ParentBased(TraceIDRatioBased(DefaultSamplingRatio)).
func sampler(c SamplingConfig, env envSettings) sdktrace.Sampler {
	switch {
	case c.Ratio != nil:
		return sdktrace.ParentBased(sdktrace.TraceIDRatioBased(*c.Ratio))
	case env.sampler != nil:
		return env.sampler
	}
	return sdktrace.ParentBased(sdktrace.TraceIDRatioBased(DefaultSamplingRatio))
}

// queueSettingsFor resolves each batch setting: the config, else the environment, else the
// default.
func queueSettingsFor(c, env BatchConfig) queueSettings {
	return queueSettings{
		maxQueue: cmp.Or(c.MaxQueueSize, env.MaxQueueSize, DefaultMaxQueueSize),
		maxBatch: min(cmp.Or(c.MaxExportBatchSize, env.MaxExportBatchSize, DefaultMaxExportBatchSize),
			cmp.Or(c.MaxQueueSize, env.MaxQueueSize, DefaultMaxQueueSize)),
		delay:   time.Duration(cmp.Or(c.ScheduleDelay, env.ScheduleDelay, Duration(DefaultScheduleDelay))),
		timeout: time.Duration(cmp.Or(c.ExportTimeout, env.ExportTimeout, Duration(DefaultExportTimeout))),
		block:   c.Blocking,
	}
}

// readerOptions passes the interval and timeout of the config, else of the environment; the
// SDK's defaults (60s, 30s) apply when both are unset.
func readerOptions(c, env MetricsConfig) []sdkmetric.PeriodicReaderOption {
	var opts []sdkmetric.PeriodicReaderOption
	if d := cmp.Or(c.ExportInterval, env.ExportInterval); d > 0 {
		opts = append(opts, sdkmetric.WithInterval(time.Duration(d)))
	}
	if d := cmp.Or(c.ExportTimeout, env.ExportTimeout); d > 0 {
		opts = append(opts, sdkmetric.WithTimeout(time.Duration(d)))
	}
	return opts
}

func (t *Telemetry) installGlobals() {
	otel.SetTracerProvider(t.globalTracerProvider())
	otel.SetMeterProvider(t.mp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	logger := t.logger
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		logger.Error("opentelemetry sdk error", "error", scrubURLs(err.Error()))
	}))
	// The SDK's own messages go through the logger too, not straight to standard error.
	otel.SetLogger(logr.FromSlogHandler(logger.Handler()))
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

// Shutdown flushes and closes everything Setup built, within shutdown_timeout (default
// DefaultShutdownTimeout) or ctx's deadline, whichever comes first. The file exporters go first
// and do not wait for the network; the OTLP span and metric exporters then share what is left
// of the time, and the spans they could not send by then are counted in the error
// ("otlp: 37 spans not exported at shutdown: ..."). The log file is closed last. Only the first
// call does anything; later calls return nil. The otel globals stay installed and become
// no-ops.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	if ctx == nil {
		ctx = context.Background()
	}
	var err error
	t.shutdownOnce.Do(func() {
		ctx, cancel := context.WithTimeout(ctx, t.shutdownTimeout)
		defer cancel()
		var errs []error
		for _, c := range t.local {
			errs = append(errs, c(ctx))
		}
		remoteErrs := make([]error, len(t.remote))
		var wg sync.WaitGroup
		for i, c := range t.remote {
			wg.Go(func() { remoteErrs[i] = c(ctx) })
		}
		wg.Wait()
		errs = append(errs, remoteErrs...)
		if t.drops != nil {
			t.drops.flush()
		}
		for _, c := range t.final {
			errs = append(errs, c(context.WithoutCancel(ctx)))
		}
		if e := errors.Join(errs...); e != nil {
			err = fmt.Errorf("exporters: shutdown: %w", stripPrefix(e))
		}
	})
	return err
}

// stripPrefix returns err with the package's "exporters: " prefix removed wherever a wrapped
// error repeats it, so that a message carries the prefix once.
func stripPrefix(err error) error { return prefixStripped{err} }

type prefixStripped struct{ err error }

func (e prefixStripped) Error() string {
	lines := strings.Split(e.err.Error(), "\n")
	for i, l := range lines {
		lines[i] = strings.ReplaceAll(strings.TrimPrefix(l, "exporters: "), ": exporters: ", ": ")
	}
	return strings.Join(lines, "\n")
}

func (e prefixStripped) Unwrap() error { return e.err }
