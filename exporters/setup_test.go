package exporters

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// readSpans returns every span of an OTLP/JSON trace file with its resource.
func readSpans(t *testing.T, path string) (spans []ptrace.Span, resources []pcommon.Resource) {
	t.Helper()
	for _, td := range readTraceLines(t, path) {
		for _, rs := range td.ResourceSpans().All() {
			for _, ss := range rs.ScopeSpans().All() {
				for _, s := range ss.Spans().All() {
					spans = append(spans, s)
					resources = append(resources, rs.Resource())
				}
			}
		}
	}
	return spans, resources
}

// readMetricNames returns the names of every metric of an OTLP/JSON metric file.
func readMetricNames(t *testing.T, path string) []string {
	t.Helper()
	var names []string
	for _, md := range readMetricLines(t, path) {
		for _, rm := range md.ResourceMetrics().All() {
			for _, sm := range rm.ScopeMetrics().All() {
				for _, m := range sm.Metrics().All() {
					names = append(names, m.Name())
					if m.Type() == pmetric.MetricTypeSum {
						assert.Equal(t, int64(1), m.Sum().DataPoints().At(0).IntValue())
					}
				}
			}
		}
	}
	return names
}

func TestSetupFiles(t *testing.T) {
	clearOTLPEnv(t)
	dir := t.TempDir()
	cfg := quietConfig()
	cfg.ServiceName = "desk"
	cfg.ResourceAttributes = map[string]string{"team": "agents"}
	cfg.Exporters.File = FileExporterConfig{
		Path: filepath.Join(dir, "out", "spans.jsonl"), MetricsPath: filepath.Join(dir, "out", "metrics.jsonl"),
		MaxSizeMB: 5, MaxBackups: 2,
	}
	cfg.Batch = BatchConfig{MaxQueueSize: 64, MaxExportBatchSize: 8, Blocking: true, ScheduleDelay: Duration(1e9), ExportTimeout: Duration(5e9)}
	cfg.Metrics = MetricsConfig{ExportInterval: Duration(60e9), ExportTimeout: Duration(5e9)}

	tel, err := Setup(t.Context(), cfg)
	require.NoError(t, err)
	require.IsType(t, &sdktrace.TracerProvider{}, tel.TracerProvider())
	require.IsType(t, &sdkmetric.MeterProvider{}, tel.MeterProvider())
	assert.Same(t, tel.TracerProvider(), otel.GetTracerProvider(), "installed as the global")
	assert.Same(t, tel.MeterProvider(), otel.GetMeterProvider())
	assert.ElementsMatch(t, []string{"traceparent", "tracestate", "baggage"}, otel.GetTextMapPropagator().Fields())

	ctx, parent := otel.Tracer("test").Start(t.Context(), "parent")
	_, child := otel.Tracer("test").Start(ctx, "child")
	child.End()
	parent.End()
	counter, err := otel.Meter("test").Int64Counter("test.requests")
	require.NoError(t, err)
	counter.Add(t.Context(), 1)
	require.NoError(t, tel.ForceFlush(t.Context()))
	require.NoError(t, tel.Shutdown(t.Context()))
	require.NoError(t, tel.Shutdown(t.Context()), "Shutdown is idempotent")

	spans, resources := readSpans(t, cfg.Exporters.File.Path)
	require.Len(t, spans, 2)
	assert.Equal(t, "child", spans[0].Name())
	assert.Equal(t, "parent", spans[1].Name())
	assert.Equal(t, spans[1].SpanID(), spans[0].ParentSpanID())
	attrs := resources[0].Attributes().AsRaw()
	assert.Equal(t, "desk", attrs["service.name"])
	assert.Equal(t, "agents", attrs["team"])
	assert.Equal(t, "opentelemetry", attrs["telemetry.sdk.name"])
	assert.Equal(t, "go", attrs["telemetry.sdk.language"])
	assert.Contains(t, readMetricNames(t, cfg.Exporters.File.MetricsPath), "test.requests")

	got := tel.Config()
	assert.Equal(t, cfg.Exporters.File, got.Exporters.File)
	assert.Equal(t, DefaultContentMaxBytes, got.Content.MaxBytes, "defaults filled in")
	got.ResourceAttributes["team"] = "changed"
	assert.Equal(t, "agents", tel.Config().ResourceAttributes["team"], "Config returns a copy")
}

func TestSetupZeroConfigWritesToWorkingDirectory(t *testing.T) {
	clearOTLPEnv(t)
	dir := t.TempDir()
	t.Chdir(dir)
	require.NoError(t, emit(t, Config{Logging: LoggingConfig{Console: new(false)}}, "zero"))

	spans, resources := readSpans(t, filepath.Join(dir, DefaultTracesPath))
	require.Len(t, spans, 1)
	assert.Equal(t, "zero", spans[0].Name())
	assert.Equal(t, DefaultServiceName, resources[0].Attributes().AsRaw()["service.name"])
	assert.Contains(t, readMetricNames(t, filepath.Join(dir, DefaultMetricsPath)), "test.requests")
	for _, name := range []string{DefaultTracesPath, DefaultMetricsPath} {
		info, err := os.Stat(filepath.Join(dir, name))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), name)
	}
}

func TestSetupFileAndOTLPTogether(t *testing.T) {
	clearOTLPEnv(t)
	recv, addr := startGRPCReceiver(t)
	dir := t.TempDir()
	cfg := quietConfig()
	cfg.Exporters.File.Path = filepath.Join(dir, "spans.jsonl")
	cfg.Exporters.File.MetricsPath = filepath.Join(dir, "metrics.jsonl")
	cfg.Exporters.OTLP = OTLPConfig{Endpoint: addr, Insecure: new(true)}
	require.NoError(t, emit(t, cfg, "both"))

	spans, _ := readSpans(t, cfg.Exporters.File.Path)
	require.Len(t, spans, 1)
	assert.Equal(t, "both", spans[0].Name())
	assert.Contains(t, readMetricNames(t, cfg.Exporters.File.MetricsPath), "test.requests")
	got := recv.snapshot()
	assert.Equal(t, []string{"both"}, got.spans)
	assert.Contains(t, got.metrics, "test.requests")
}

func TestSetupFileEnabledRule(t *testing.T) {
	recv, addr := startGRPCReceiver(t)
	tests := []struct {
		name      string
		file      FileExporterConfig
		otlp      OTLPConfig
		env       map[string]string
		wantFiles bool
	}{
		{name: "no otlp: files", wantFiles: true},
		{name: "otlp from config: files too", otlp: OTLPConfig{Endpoint: addr, Insecure: new(true)}, wantFiles: true},
		{name: "otlp from the environment: files too", env: map[string]string{envOTLPEndpoint: "http://" + addr}, wantFiles: true},
		{name: "otlp and files disabled: no files", file: FileExporterConfig{Enabled: new(false)}, otlp: OTLPConfig{Endpoint: addr, Insecure: new(true)}},
		{name: "otlp and enabled: files", file: FileExporterConfig{Enabled: new(true)}, otlp: OTLPConfig{Endpoint: addr, Insecure: new(true)}, wantFiles: true},
		{name: "otlp and a path: files", file: FileExporterConfig{Path: DefaultTracesPath}, otlp: OTLPConfig{Endpoint: addr, Insecure: new(true)}, wantFiles: true},
		{name: "otlp disabled over the environment: files", otlp: OTLPConfig{Enabled: new(false)}, env: map[string]string{envOTLPEndpoint: "http://" + addr}, wantFiles: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clearOTLPEnv(t)
			t.Chdir(t.TempDir())
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			cfg := quietConfig()
			cfg.Exporters.File, cfg.Exporters.OTLP = tc.file, tc.otlp
			before := len(recv.snapshot().spans)
			require.NoError(t, emit(t, cfg, tc.name))

			_, err := os.Stat(DefaultTracesPath)
			assert.Equal(t, tc.wantFiles, err == nil, "span file: %v", err)
			_, err = os.Stat(DefaultMetricsPath)
			assert.Equal(t, tc.wantFiles, err == nil, "metric file: %v", err)
			sentOTLP := len(recv.snapshot().spans) > before
			wantOTLP := (tc.otlp.Endpoint != "" || tc.env[envOTLPEndpoint] != "") && (tc.otlp.Enabled == nil || *tc.otlp.Enabled)
			assert.Equal(t, wantOTLP, sentOTLP, "otlp")
		})
	}
}

func TestSetupResourcePrecedence(t *testing.T) {
	tests := []struct {
		name        string
		cfg         Config
		env         map[string]string
		wantService string
		wantTeam    string
	}{
		{name: "default", wantService: DefaultServiceName},
		{name: "config", cfg: Config{ServiceName: "cfg", ResourceAttributes: map[string]string{"team": "cfg"}}, wantService: "cfg", wantTeam: "cfg"},
		{
			name: "service.name in resource_attributes loses to service_name",
			cfg:  Config{ServiceName: "cfg", ResourceAttributes: map[string]string{"service.name": "attr"}}, wantService: "cfg",
		},
		{
			name: "OTEL_RESOURCE_ATTRIBUTES beats the config",
			cfg:  Config{ServiceName: "cfg", ResourceAttributes: map[string]string{"team": "cfg"}},
			env:  map[string]string{"OTEL_RESOURCE_ATTRIBUTES": "team=env,service.name=envattr"}, wantService: "envattr", wantTeam: "env",
		},
		{
			name: "OTEL_SERVICE_NAME beats everything",
			cfg:  Config{ServiceName: "cfg"},
			env:  map[string]string{"OTEL_RESOURCE_ATTRIBUTES": "service.name=envattr", "OTEL_SERVICE_NAME": "envname"}, wantService: "envname",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clearOTLPEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			dir := t.TempDir()
			cfg := tc.cfg
			cfg.Logging.Console = new(false)
			cfg.Exporters.File = FileExporterConfig{Path: filepath.Join(dir, "s.jsonl"), MetricsPath: filepath.Join(dir, "m.jsonl")}
			require.NoError(t, emit(t, cfg, "r"))
			_, resources := readSpans(t, cfg.Exporters.File.Path)
			require.Len(t, resources, 1)
			attrs := resources[0].Attributes().AsRaw()
			assert.Equal(t, tc.wantService, attrs["service.name"])
			if tc.wantTeam != "" {
				assert.Equal(t, tc.wantTeam, attrs["team"])
			}
		})
	}
}

func TestSetupSampling(t *testing.T) {
	tests := []struct {
		name  string
		ratio *float64
		env   map[string]string
		want  int
	}{
		{name: "default samples all", want: 1},
		{name: "ratio 0 samples none", ratio: new(0.0), want: 0},
		{name: "sampler variable when the ratio is unset", env: map[string]string{envTracesSampler: "always_off"}, want: 0},
		{name: "config ratio beats the sampler variable", ratio: new(1.0), env: map[string]string{envTracesSampler: "always_off"}, want: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clearOTLPEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			dir := t.TempDir()
			cfg := quietConfig()
			cfg.Sampling.Ratio = tc.ratio
			cfg.Exporters.File = FileExporterConfig{Path: filepath.Join(dir, "s.jsonl"), MetricsPath: filepath.Join(dir, "m.jsonl")}
			require.NoError(t, emit(t, cfg, "sampled"))
			spans, _ := readSpans(t, cfg.Exporters.File.Path)
			assert.Len(t, spans, tc.want)
		})
	}
}

func TestSetupSampledChildFollowsParent(t *testing.T) {
	clearOTLPEnv(t)
	dir := t.TempDir()
	cfg := quietConfig()
	cfg.Sampling.Ratio = new(0.0)
	cfg.Exporters.File = FileExporterConfig{Path: filepath.Join(dir, "s.jsonl"), MetricsPath: filepath.Join(dir, "m.jsonl")}
	tel, err := Setup(t.Context(), cfg)
	require.NoError(t, err)
	remote := trace.NewSpanContext(trace.SpanContextConfig{TraceID: testTraceID, SpanID: testSpanID, TraceFlags: trace.FlagsSampled, Remote: true})
	_, span := tel.TracerProvider().Tracer("t").Start(trace.ContextWithRemoteSpanContext(t.Context(), remote), "child of sampled")
	span.End()
	require.NoError(t, tel.Shutdown(t.Context()))
	spans, _ := readSpans(t, cfg.Exporters.File.Path)
	require.Len(t, spans, 1, "ParentBased: a sampled parent wins over ratio 0")
	assert.Equal(t, testTraceID.String(), spans[0].TraceID().String())
}

func TestSetupSDKDisabled(t *testing.T) {
	clearOTLPEnv(t)
	recv, addr := startGRPCReceiver(t)
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv(envSDKDisabled, "TRUE")
	cfg := quietConfig()
	cfg.Exporters.OTLP = OTLPConfig{Endpoint: addr, Insecure: new(true)}
	cfg.Exporters.File.Enabled = new(true)

	tel, err := Setup(t.Context(), cfg)
	require.NoError(t, err)
	_, span := tel.TracerProvider().Tracer("t").Start(t.Context(), "nothing")
	assert.False(t, span.SpanContext().IsValid(), "no-op tracer")
	span.End()
	assert.Equal(t, tel.TracerProvider(), otel.GetTracerProvider())
	require.NoError(t, tel.Shutdown(t.Context()))

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "no file written")
	assert.Empty(t, recv.snapshot().spans, "nothing sent")
}

func TestSetupErrors(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "blocker")
	require.NoError(t, os.WriteFile(blocker, nil, 0o600))
	tests := []struct {
		name string
		cfg  Config
		env  map[string]string
		want []string
	}{
		{
			name: "invalid config",
			cfg:  Config{Sampling: SamplingConfig{Ratio: new(2.0)}, Exporters: ExportersConfig{OTLP: OTLPConfig{Protocol: "grpcx"}}},
			want: []string{"exporters: setup: sampling.ratio: 2 is outside 0..1", `exporters.otlp.protocol: "grpcx" is not one of grpc, http/protobuf`},
		},
		{
			name: "nothing to export",
			cfg:  Config{Exporters: ExportersConfig{File: FileExporterConfig{Enabled: new(false)}}},
			want: []string{"nothing to export: exporters.file.enabled is false and no OTLP endpoint is set"},
		},
		{
			name: "unwritable span file",
			cfg:  Config{Exporters: ExportersConfig{File: FileExporterConfig{Path: filepath.Join(blocker, "s.jsonl")}}},
			want: []string{"exporters: setup: exporters.file.path: cannot create the directory of"},
		},
		{
			name: "unwritable metric file after the span file was opened",
			cfg:  Config{Exporters: ExportersConfig{File: FileExporterConfig{Path: filepath.Join(dir, "ok.jsonl"), MetricsPath: dir}}},
			want: []string{"exporters: setup: exporters.file.metrics_path: cannot open", "is a directory"},
		},
		{
			name: "bad CA file after the file exporters were opened",
			cfg: Config{Exporters: ExportersConfig{
				File: FileExporterConfig{Enabled: new(true), Path: filepath.Join(dir, "s2.jsonl"), MetricsPath: filepath.Join(dir, "m2.jsonl")},
				OTLP: OTLPConfig{Endpoint: "127.0.0.1:4317", TLS: TLSConfig{CAFile: filepath.Join(dir, "none.pem")}},
			}},
			want: []string{"exporters.otlp.tls.ca_file: cannot read"},
		},
		{
			name: "bad protocol variable",
			env:  map[string]string{envOTLPEndpoint: "http://127.0.0.1:4317", envOTLPProtocol: "http/json"},
			want: []string{`OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" is not one of grpc, http/protobuf`},
		},
		{
			// The gRPC span exporter (with its connection goroutines) exists when the metric
			// exporter fails: goleak in TestMain fails the package if it is not shut down.
			name: "metric exporter fails after the span exporter was built",
			env:  map[string]string{envOTLPEndpoint: "http://127.0.0.1:4317", envOTLPMetricsProtocol: "http/json"},
			want: []string{`exporters: setup: OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: "http/json" is not one of grpc, http/protobuf`},
		},
		{
			name: "bad resource variable",
			env:  map[string]string{"OTEL_RESOURCE_ATTRIBUTES": "no-equals-sign"},
			want: []string{"resource (OTEL_RESOURCE_ATTRIBUTES, OTEL_SERVICE_NAME)"},
		},
		{
			name: "unwritable log file",
			cfg:  Config{Logging: LoggingConfig{File: filepath.Join(blocker, "agent.log")}},
			want: []string{"logging.file: cannot create the directory of"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clearOTLPEnv(t)
			t.Chdir(t.TempDir())
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			tc.cfg.Logging.Console = new(false)
			tel, err := Setup(t.Context(), tc.cfg)
			require.Error(t, err)
			assert.Nil(t, tel)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.True(t, strings.HasPrefix(err.Error(), "exporters: setup: "), err.Error())
		})
	}
}

func TestSetupLoggerAndErrorHandler(t *testing.T) {
	clearOTLPEnv(t)
	dir := t.TempDir()
	cfg := Config{
		Exporters: ExportersConfig{File: FileExporterConfig{Path: filepath.Join(dir, "s.jsonl"), MetricsPath: filepath.Join(dir, "m.jsonl")}},
		Logging:   LoggingConfig{Level: "INFO", Format: seedPattern, File: filepath.Join(dir, "agent.log"), Console: new(false)},
	}
	tel, err := Setup(t.Context(), cfg)
	require.NoError(t, err)
	ctx, span := tel.TracerProvider().Tracer("t").Start(t.Context(), "logged")
	tel.Logger().InfoContext(ctx, "inside", "agent", "router")
	span.End()
	otel.Handle(errors.New("export failed"))
	require.NoError(t, tel.Shutdown(t.Context()))

	data, err := os.ReadFile(cfg.Logging.File)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	require.Len(t, lines, 2, string(data))
	sc := span.SpanContext()
	assert.Contains(t, lines[0], " - otelagent - INFO - inside agent=router trace_id="+sc.TraceID().String()+" span_id="+sc.SpanID().String())
	assert.Contains(t, lines[1], " - otelagent - ERROR - opentelemetry sdk error error=\"export failed\"")
}

func TestTelemetryNil(t *testing.T) {
	var tel *Telemetry
	assert.NotNil(t, tel.TracerProvider())
	assert.NotNil(t, tel.MeterProvider())
	assert.NotNil(t, tel.Logger())
	assert.Equal(t, Config{}, tel.Config())
	assert.NoError(t, tel.ForceFlush(t.Context()))
	assert.NoError(t, tel.Shutdown(t.Context()))
}

// TestSetupPropagatorRoundTrip checks the installed propagator carries trace context and
// baggage.
func TestSetupPropagatorRoundTrip(t *testing.T) {
	clearOTLPEnv(t)
	t.Chdir(t.TempDir())
	tel, err := Setup(t.Context(), quietConfig())
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })

	ctx, span := tel.TracerProvider().Tracer("t").Start(t.Context(), "outbound")
	defer span.End()
	carrier := propagation.MapCarrier{}
	otel.GetTextMapPropagator().Inject(ctx, carrier)
	assert.Contains(t, carrier["traceparent"], span.SpanContext().TraceID().String())
}

// TestTelemetryConcurrentSafe hammers one Telemetry from many goroutines: spans, logs,
// metrics, flushes and Config while they run, then concurrent Shutdowns once all work has
// joined, so that every span is recorded and every log line carries its trace.
func TestTelemetryConcurrentSafe(t *testing.T) {
	clearOTLPEnv(t)
	dir := t.TempDir()
	cfg := Config{
		Exporters: ExportersConfig{File: FileExporterConfig{Path: filepath.Join(dir, "s.jsonl"), MetricsPath: filepath.Join(dir, "m.jsonl")}},
		Logging:   LoggingConfig{Format: seedPattern, File: filepath.Join(dir, "agent.log"), Console: new(false)},
	}
	tel, err := Setup(t.Context(), cfg)
	require.NoError(t, err)

	const goroutines, perGoroutine = 8, 50
	var work sync.WaitGroup
	for g := range goroutines {
		work.Go(func() {
			tracer := tel.TracerProvider().Tracer("t")
			counter, _ := tel.MeterProvider().Meter("t").Int64Counter("c")
			for i := range perGoroutine {
				ctx, span := tracer.Start(t.Context(), "op")
				tel.Logger().InfoContext(ctx, "working", "goroutine", g, "i", i)
				counter.Add(ctx, 1)
				span.End()
				if i%10 == 0 {
					assert.NoError(t, tel.ForceFlush(t.Context()))
					_ = tel.Config()
				}
			}
		})
	}
	work.Wait()
	shutdownErrs := make([]error, goroutines)
	var shutdowns sync.WaitGroup
	for g := range goroutines {
		shutdowns.Go(func() { shutdownErrs[g] = tel.Shutdown(t.Context()) })
	}
	shutdowns.Wait()
	for _, err := range shutdownErrs {
		assert.NoError(t, err)
	}

	spans, _ := readSpans(t, cfg.Exporters.File.Path)
	assert.Len(t, spans, goroutines*perGoroutine, "every span reaches the file")
	data, err := os.ReadFile(cfg.Logging.File)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	assert.Len(t, lines, goroutines*perGoroutine)
	for _, line := range lines {
		assert.Regexp(t, `^\S+ \S+ - otelagent - INFO - working goroutine=\d i=\d+ trace_id=[0-9a-f]{32} span_id=[0-9a-f]{16}$`, line)
	}
}
