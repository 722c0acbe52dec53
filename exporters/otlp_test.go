package exporters

import (
	"compress/gzip"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	collmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	colltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/stats"
	"google.golang.org/protobuf/proto"
)

// receiver collects what OTLP exporters send it, over gRPC or HTTP/protobuf.
type receiver struct {
	mu sync.Mutex
	received
}

// received is what a receiver has collected.
type received struct {
	spans   []string          // span names, in arrival order
	metrics []string          // metric names, in arrival order
	paths   []string          // HTTP request paths
	headers map[string]string // the headers of the last request, names as the transport gives them
	gzipped bool              // whether any request was gzip-compressed
	service []string          // service.name of each resource received
}

func (r *receiver) addTraces(req *colltracepb.ExportTraceServiceRequest) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rs := range req.GetResourceSpans() {
		for _, kv := range rs.GetResource().GetAttributes() {
			if kv.GetKey() == "service.name" {
				r.service = append(r.service, kv.GetValue().GetStringValue())
			}
		}
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				r.spans = append(r.spans, s.GetName())
			}
		}
	}
}

func (r *receiver) addMetrics(req *collmetricpb.ExportMetricsServiceRequest) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rm := range req.GetResourceMetrics() {
		for _, sm := range rm.GetScopeMetrics() {
			for _, m := range sm.GetMetrics() {
				r.metrics = append(r.metrics, m.GetName())
			}
		}
	}
}

func (r *receiver) setHeaders(h map[string]string, gzipped bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.headers = h
	r.gzipped = r.gzipped || gzipped
}

// resetCompression forgets the compression seen so far.
func (r *receiver) resetCompression() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gzipped = false
}

func (r *receiver) snapshot() received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return received{
		spans: slices.Clone(r.spans), metrics: slices.Clone(r.metrics), paths: slices.Clone(r.paths),
		headers: r.headers, gzipped: r.gzipped, service: slices.Clone(r.service),
	}
}

type grpcTraceService struct {
	colltracepb.UnimplementedTraceServiceServer
	r *receiver
}

func (s grpcTraceService) Export(ctx context.Context, req *colltracepb.ExportTraceServiceRequest) (*colltracepb.ExportTraceServiceResponse, error) {
	s.r.setHeaders(grpcHeaders(ctx))
	s.r.addTraces(req)
	return &colltracepb.ExportTraceServiceResponse{}, nil
}

type grpcMetricsService struct {
	collmetricpb.UnimplementedMetricsServiceServer
	r *receiver
}

func (s grpcMetricsService) Export(ctx context.Context, req *collmetricpb.ExportMetricsServiceRequest) (*collmetricpb.ExportMetricsServiceResponse, error) {
	s.r.setHeaders(grpcHeaders(ctx))
	s.r.addMetrics(req)
	return &collmetricpb.ExportMetricsServiceResponse{}, nil
}

func grpcHeaders(ctx context.Context) (map[string]string, bool) {
	md, _ := metadata.FromIncomingContext(ctx)
	h := map[string]string{}
	for k, v := range md {
		h[k] = v[0]
	}
	return h, false
}

// compressionRecorder notes the compression of incoming gRPC requests, which gRPC does not
// show in the metadata.
type compressionRecorder struct{ r *receiver }

func (c compressionRecorder) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context {
	return ctx
}
func (c compressionRecorder) HandleRPC(_ context.Context, s stats.RPCStats) {
	if h, ok := s.(*stats.InHeader); ok && h.Compression == "gzip" {
		c.r.mu.Lock()
		c.r.gzipped = true
		c.r.mu.Unlock()
	}
}
func (c compressionRecorder) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context {
	return ctx
}
func (c compressionRecorder) HandleConn(context.Context, stats.ConnStats) {}

// startGRPCReceiver serves the OTLP trace and metric services on 127.0.0.1 and returns the
// receiver and its host:port. The server stops when the test ends.
func startGRPCReceiver(t *testing.T) (*receiver, string) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	r := &receiver{}
	srv := grpc.NewServer(grpc.StatsHandler(compressionRecorder{r: r}))
	colltracepb.RegisterTraceServiceServer(srv, grpcTraceService{r: r})
	collmetricpb.RegisterMetricsServiceServer(srv, grpcMetricsService{r: r})
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(lis)
	}()
	t.Cleanup(func() {
		srv.Stop()
		<-done
	})
	return r, lis.Addr().String()
}

// startHTTPReceiver serves OTLP/HTTP protobuf on 127.0.0.1: any path ending in /v1/traces or
// /v1/metrics. It returns the receiver and the server's base URL.
func startHTTPReceiver(t *testing.T) (*receiver, string) {
	t.Helper()
	r := &receiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body := io.Reader(req.Body)
		gz := req.Header.Get("Content-Encoding") == "gzip"
		if gz {
			zr, err := gzip.NewReader(req.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			body = zr
		}
		data, err := io.ReadAll(body)
		if err != nil || req.Header.Get("Content-Type") != "application/x-protobuf" {
			http.Error(w, "want a protobuf body", http.StatusBadRequest)
			return
		}
		h := map[string]string{}
		for k := range req.Header {
			h[http.CanonicalHeaderKey(k)] = req.Header.Get(k)
		}
		r.setHeaders(h, gz)
		r.mu.Lock()
		r.paths = append(r.paths, req.URL.Path)
		r.mu.Unlock()
		switch filepath.Base(req.URL.Path) {
		case "traces":
			var m colltracepb.ExportTraceServiceRequest
			if err := proto.Unmarshal(data, &m); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			r.addTraces(&m)
			out, _ := proto.Marshal(&colltracepb.ExportTraceServiceResponse{})
			w.Header().Set("Content-Type", "application/x-protobuf")
			_, _ = w.Write(out)
		case "metrics":
			var m collmetricpb.ExportMetricsServiceRequest
			if err := proto.Unmarshal(data, &m); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			r.addMetrics(&m)
			out, _ := proto.Marshal(&collmetricpb.ExportMetricsServiceResponse{})
			w.Header().Set("Content-Type", "application/x-protobuf")
			_, _ = w.Write(out)
		default:
			http.NotFound(w, req)
		}
	}))
	t.Cleanup(srv.Close)
	return r, srv.URL
}

// clearOTLPEnv unsets every variable that could steer the exporters, for the test's duration.
func clearOTLPEnv(t *testing.T) {
	t.Helper()
	for _, k := range []string{
		envOTLPEndpoint, envOTLPTracesEndpoint, envOTLPMetricsEndpoint,
		envOTLPProtocol, envOTLPTracesProtocol, envOTLPMetricsProtocol,
		"OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_INSECURE", "OTEL_EXPORTER_OTLP_TIMEOUT",
		"OTEL_EXPORTER_OTLP_COMPRESSION", "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES",
		envSDKDisabled, envTracesSampler, "OTEL_TRACES_SAMPLER_ARG",
	} {
		t.Setenv(k, "")
		require.NoError(t, os.Unsetenv(k))
	}
}

// quietConfig is a Config that logs nowhere, so that test output stays clean.
func quietConfig() Config {
	return Config{Logging: LoggingConfig{Console: new(false)}}
}

// emit runs Setup, records one span and one counter increment, shuts down and returns the
// Setup error.
func emit(t *testing.T, cfg Config, spanName string) error {
	t.Helper()
	tel, err := Setup(t.Context(), cfg)
	if err != nil {
		return err
	}
	_, span := tel.TracerProvider().Tracer("test").Start(t.Context(), spanName)
	span.End()
	counter, err := tel.MeterProvider().Meter("test").Int64Counter("test.requests")
	require.NoError(t, err)
	counter.Add(t.Context(), 1)
	require.NoError(t, tel.Shutdown(t.Context()))
	return nil
}

func TestOTLPEnabledAndProtocolFromEnvironment(t *testing.T) {
	tests := []struct {
		name                     string
		env                      map[string]string
		cfg                      OTLPConfig
		wantTraces, wantMetrics  bool
		wantProtocol, wantErrMsg string
	}{
		{name: "nothing set", wantProtocol: ProtocolGRPC},
		{name: "config endpoint", cfg: OTLPConfig{Endpoint: "c:4317"}, wantTraces: true, wantMetrics: true, wantProtocol: ProtocolGRPC},
		{name: "general endpoint variable", env: map[string]string{envOTLPEndpoint: "http://c:4317"}, wantTraces: true, wantMetrics: true, wantProtocol: ProtocolGRPC},
		{name: "traces endpoint variable only", env: map[string]string{envOTLPTracesEndpoint: "http://c:4317"}, wantTraces: true, wantProtocol: ProtocolGRPC},
		{name: "metrics endpoint variable only", env: map[string]string{envOTLPMetricsEndpoint: "http://c:4317"}, wantMetrics: true, wantProtocol: ProtocolGRPC},
		{name: "enabled with no endpoint", cfg: OTLPConfig{Enabled: new(true)}, wantTraces: true, wantMetrics: true, wantProtocol: ProtocolGRPC},
		{name: "disabled wins over the variable", cfg: OTLPConfig{Enabled: new(false)}, env: map[string]string{envOTLPEndpoint: "http://c:4317"}, wantProtocol: ProtocolGRPC},
		{name: "protocol variable", env: map[string]string{envOTLPProtocol: "http/protobuf"}, wantProtocol: ProtocolHTTPProtobuf},
		{name: "signal protocol variable beats the general one", env: map[string]string{envOTLPProtocol: "grpc", envOTLPTracesProtocol: "http/protobuf"}, wantProtocol: ProtocolHTTPProtobuf},
		{name: "config protocol beats the variable", cfg: OTLPConfig{Protocol: ProtocolGRPC}, env: map[string]string{envOTLPProtocol: "http/protobuf"}, wantProtocol: ProtocolGRPC},
		{name: "unsupported protocol variable", env: map[string]string{envOTLPProtocol: "http/json"}, wantErrMsg: `OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" is not one of grpc, http/protobuf`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clearOTLPEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			env, err := readEnv()
			require.NoError(t, err)
			assert.Equal(t, tc.wantTraces, otlpEnabled(tc.cfg, env, tracesSignal), "traces")
			assert.Equal(t, tc.wantMetrics, otlpEnabled(tc.cfg, env, metricsSignal), "metrics")
			got, err := otlpProtocol(tc.cfg, tracesSignal)
			if tc.wantErrMsg != "" {
				assert.EqualError(t, err, tc.wantErrMsg)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantProtocol, got)
		})
	}
}

func TestOTLPSettingsEndpointForms(t *testing.T) {
	tests := []struct {
		name                  string
		cfg                   OTLPConfig
		env                   map[string]string
		signal                otlpSignal
		wantHostPort, wantURL string
		wantTLS               bool
	}{
		{name: "http pasted traces URL, traces", cfg: OTLPConfig{Endpoint: "http://c:4318/v1/traces", Protocol: ProtocolHTTPProtobuf}, signal: tracesSignal, wantURL: "http://c:4318/v1/traces"},
		{name: "http pasted traces URL, metrics", cfg: OTLPConfig{Endpoint: "http://c:4318/v1/traces", Protocol: ProtocolHTTPProtobuf}, signal: metricsSignal, wantURL: "http://c:4318/v1/metrics"},
		{name: "http general variable is a base", env: map[string]string{envOTLPEndpoint: "https://c/otlp"}, cfg: OTLPConfig{Protocol: ProtocolHTTPProtobuf}, signal: metricsSignal, wantURL: "https://c/otlp/v1/metrics"},
		{name: "http signal variable used as given", env: map[string]string{envOTLPEndpoint: "https://c/otlp", envOTLPTracesEndpoint: "https://c/ingest"}, cfg: OTLPConfig{Protocol: ProtocolHTTPProtobuf}, signal: tracesSignal, wantURL: "https://c/ingest"},
		{name: "config wins over the variables", env: map[string]string{envOTLPTracesEndpoint: "https://c/ingest"}, cfg: OTLPConfig{Endpoint: "http://d:4318", Protocol: ProtocolHTTPProtobuf}, signal: tracesSignal, wantURL: "http://d:4318/v1/traces"},
		{name: "grpc variable host:port", env: map[string]string{envOTLPEndpoint: "c:4317"}, signal: tracesSignal, wantHostPort: "c:4317"},
		{name: "grpc host:port", cfg: OTLPConfig{Endpoint: "c:4317"}, signal: tracesSignal, wantHostPort: "c:4317"},
		{name: "grpc URL kept", cfg: OTLPConfig{Endpoint: "http://c:4317"}, signal: tracesSignal, wantURL: "http://c:4317"},
		{name: "http host:port", cfg: OTLPConfig{Endpoint: "c:4318", Protocol: ProtocolHTTPProtobuf}, signal: metricsSignal, wantHostPort: "c:4318"},
		{name: "http base URL gets the signal path", cfg: OTLPConfig{Endpoint: "https://c/otlp/", Protocol: ProtocolHTTPProtobuf}, signal: tracesSignal, wantURL: "https://c/otlp/v1/traces"},
		{name: "http root URL", cfg: OTLPConfig{Endpoint: "http://c:4318", Protocol: ProtocolHTTPProtobuf}, signal: metricsSignal, wantURL: "http://c:4318/v1/metrics"},
		{name: "http host:port forced to TLS", cfg: OTLPConfig{Endpoint: "c:4318", Protocol: ProtocolHTTPProtobuf, Insecure: new(false)}, signal: tracesSignal, wantURL: "https://c:4318/v1/traces", wantTLS: true},
		{name: "grpc host:port forced to TLS", cfg: OTLPConfig{Endpoint: "c:4317", Insecure: new(false)}, signal: tracesSignal, wantHostPort: "c:4317", wantTLS: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clearOTLPEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			env, err := readOTLPEnv(tc.signal)
			require.NoError(t, err)
			st, err := newOTLPSettings(tc.cfg, env, tc.signal)
			require.NoError(t, err)
			assert.Equal(t, tc.wantHostPort, st.hostPort)
			assert.Equal(t, tc.wantURL, st.endpointURL)
			assert.Equal(t, tc.wantTLS, st.tls != nil, "TLS config")
		})
	}
}

func TestOTLPTLSFiles(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.pem")
	require.NoError(t, os.WriteFile(notPEM, []byte("not a certificate"), 0o600))
	tests := []struct {
		name string
		tls  TLSConfig
		want string
	}{
		{name: "missing CA", tls: TLSConfig{CAFile: filepath.Join(dir, "none.pem")}, want: "exporters.otlp.tls.ca_file: cannot read"},
		{name: "CA without certificates", tls: TLSConfig{CAFile: notPEM}, want: "holds no PEM certificate"},
		{name: "bad key pair", tls: TLSConfig{CertFile: notPEM, KeyFile: notPEM}, want: "exporters.otlp.tls: cannot load cert_file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadTLS(tc.tls)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	cfg, err := loadTLS(TLSConfig{})
	require.NoError(t, err)
	assert.Nil(t, cfg.RootCAs, "system roots")
}

// TestSetupOTLP sends a span and a metric through Setup to in-process receivers, over each
// protocol and endpoint form.
func TestSetupOTLP(t *testing.T) {
	grpcRecv, grpcAddr := startGRPCReceiver(t)
	httpRecv, httpURL := startHTTPReceiver(t)
	httpHostPort := httpURL[len("http://"):]

	tests := []struct {
		name      string
		recv      *receiver
		cfg       OTLPConfig
		env       map[string]string
		wantPaths []string
		check     func(t *testing.T, got received)
	}{
		{
			name: "grpc host:port insecure with headers and gzip",
			recv: grpcRecv,
			cfg: OTLPConfig{Endpoint: grpcAddr, Insecure: new(true), Headers: map[string]string{"x-api-key": "k1"},
				Compression: CompressionGzip, Timeout: Duration(5e9)},
			check: func(t *testing.T, got received) {
				assert.Equal(t, "k1", got.headers["x-api-key"])
				assert.True(t, got.gzipped)
			},
		},
		{
			name: "grpc URL, uncompressed",
			recv: grpcRecv,
			cfg:  OTLPConfig{Endpoint: "http://" + grpcAddr, Compression: CompressionNone},
			env:  map[string]string{"OTEL_EXPORTER_OTLP_COMPRESSION": "gzip"},
			check: func(t *testing.T, got received) {
				assert.False(t, got.gzipped, "config compression none wins over the variable")
			},
		},
		{
			name: "grpc from the environment alone; empty headers leave them to it",
			recv: grpcRecv,
			cfg:  OTLPConfig{Headers: map[string]string{}},
			env:  map[string]string{envOTLPEndpoint: "http://" + grpcAddr, "OTEL_EXPORTER_OTLP_HEADERS": "x-api-key=from-env"},
			check: func(t *testing.T, got received) {
				assert.Equal(t, "from-env", got.headers["x-api-key"])
			},
		},
		{
			name: "config endpoint and headers win over the environment",
			recv: grpcRecv,
			cfg:  OTLPConfig{Endpoint: "http://" + grpcAddr, Headers: map[string]string{"x-api-key": "from-config"}},
			env:  map[string]string{envOTLPEndpoint: "http://127.0.0.1:1", "OTEL_EXPORTER_OTLP_HEADERS": "x-api-key=from-env"},
			check: func(t *testing.T, got received) {
				assert.Equal(t, "from-config", got.headers["x-api-key"])
			},
		},
		{
			name:      "http base URL",
			recv:      httpRecv,
			cfg:       OTLPConfig{Endpoint: httpURL + "/otlp", Protocol: ProtocolHTTPProtobuf},
			wantPaths: []string{"/otlp/v1/metrics", "/otlp/v1/traces"},
			check: func(t *testing.T, got received) {
				assert.False(t, got.gzipped)
			},
		},
		{
			name:      "http host:port insecure, gzip",
			recv:      httpRecv,
			cfg:       OTLPConfig{Endpoint: httpHostPort, Protocol: ProtocolHTTPProtobuf, Insecure: new(true), Compression: CompressionGzip},
			wantPaths: []string{"/v1/metrics", "/v1/traces"},
			check: func(t *testing.T, got received) {
				assert.True(t, got.gzipped)
			},
		},
		{
			name:      "http from the signal variables",
			recv:      httpRecv,
			env:       map[string]string{envOTLPEndpoint: httpURL, envOTLPTracesProtocol: "http/protobuf", envOTLPMetricsProtocol: "http/protobuf"},
			wantPaths: []string{"/v1/metrics", "/v1/traces"},
		},
		{
			// The HTTP span exporter reads OTEL_EXPORTER_OTLP_PROTOCOL itself; the receiver
			// refuses anything but protobuf bodies.
			name:      "protobuf even when the variable asks for json",
			recv:      httpRecv,
			cfg:       OTLPConfig{Endpoint: httpURL, Protocol: ProtocolHTTPProtobuf},
			env:       map[string]string{envOTLPProtocol: "http/json"},
			wantPaths: []string{"/v1/metrics", "/v1/traces"},
		},
		{
			name:      "config protocol wins over the variable",
			recv:      httpRecv,
			cfg:       OTLPConfig{Protocol: ProtocolHTTPProtobuf},
			env:       map[string]string{envOTLPEndpoint: httpURL, envOTLPProtocol: "grpc"},
			wantPaths: []string{"/v1/metrics", "/v1/traces"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clearOTLPEnv(t)
			t.Chdir(t.TempDir())
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			tc.recv.resetCompression()
			before := tc.recv.snapshot()
			cfg := quietConfig()
			cfg.ServiceName = "otlp-test"
			cfg.Exporters.OTLP = tc.cfg
			require.NoError(t, emit(t, cfg, tc.name))

			got := tc.recv.snapshot()
			assert.Equal(t, []string{tc.name}, got.spans[len(before.spans):])
			assert.Contains(t, got.metrics[len(before.metrics):], "test.requests")
			assert.Contains(t, got.service, "otlp-test")
			if tc.wantPaths != nil {
				newPaths := slices.Clone(got.paths[len(before.paths):])
				slices.Sort(newPaths)
				assert.Equal(t, tc.wantPaths, slices.Compact(newPaths))
			}
			if tc.check != nil {
				tc.check(t, got)
			}
			assert.FileExists(t, DefaultTracesPath, "the local copy is kept while exporting over OTLP")
			assert.FileExists(t, DefaultMetricsPath)
		})
	}
}

func TestNewOTLPExporters(t *testing.T) {
	clearOTLPEnv(t)
	_, err := NewOTLPSpanExporter(t.Context(), OTLPConfig{Protocol: "grpcx"})
	assert.EqualError(t, err, `exporters.otlp.protocol: "grpcx" is not one of grpc, http/protobuf`)
	_, err = NewOTLPMetricExporter(t.Context(), OTLPConfig{Compression: "br"})
	assert.EqualError(t, err, `exporters.otlp.compression: "br" is not one of gzip, none`)

	recv, url := startHTTPReceiver(t)
	spans, err := NewOTLPSpanExporter(t.Context(), OTLPConfig{Endpoint: url, Protocol: ProtocolHTTPProtobuf})
	require.NoError(t, err)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	_, span := tp.Tracer("t").Start(t.Context(), "direct")
	span.End()
	require.NoError(t, tp.Shutdown(t.Context()))

	metrics, err := NewOTLPMetricExporter(t.Context(), OTLPConfig{Endpoint: url, Protocol: ProtocolHTTPProtobuf})
	require.NoError(t, err)
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(metrics)))
	c, err := mp.Meter("t").Int64Counter("direct.count")
	require.NoError(t, err)
	c.Add(t.Context(), 1)
	require.NoError(t, mp.Shutdown(t.Context()))

	got := recv.snapshot()
	assert.Equal(t, []string{"direct"}, got.spans)
	assert.Equal(t, []string{"direct.count"}, got.metrics)
	assert.ElementsMatch(t, []string{"/v1/traces", "/v1/metrics"}, got.paths)
}
