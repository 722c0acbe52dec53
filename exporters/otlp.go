package exporters

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/grpc/credentials"

	"github.com/agenttrace/otelagent/internal/otlpenv"
)

// Standard environment variables read here (endpoints and headers through internal/otlpenv,
// as replay reads them); the OTLP exporters read the rest of the OTEL_EXPORTER_OTLP_* family
// (INSECURE, TIMEOUT, COMPRESSION, CERTIFICATE, ...) themselves, and every option passed from
// the config overrides them.
const (
	envOTLPEndpoint        = "OTEL_EXPORTER_OTLP_ENDPOINT"
	envOTLPTracesEndpoint  = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
	envOTLPMetricsEndpoint = "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"
	envOTLPProtocol        = "OTEL_EXPORTER_OTLP_PROTOCOL"
	envOTLPTracesProtocol  = "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
	envOTLPMetricsProtocol = "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL"

	otlpTracesPath  = otlpenv.TracesPath
	otlpMetricsPath = otlpenv.MetricsPath
)

// otlpSignal is what differs between the span and the metric exporter.
type otlpSignal struct {
	name        string // "traces" or "metrics", in messages
	endpointEnv string // the signal-specific endpoint variable
	protocolEnv string // the signal-specific protocol variable
	urlPath     string // the OTLP/HTTP path appended to a base endpoint
}

var (
	tracesSignal  = otlpSignal{"traces", envOTLPTracesEndpoint, envOTLPTracesProtocol, otlpTracesPath}
	metricsSignal = otlpSignal{"metrics", envOTLPMetricsEndpoint, envOTLPMetricsProtocol, otlpMetricsPath}
)

// otlpEnabled reports whether the signal is exported over OTLP: exporters.otlp.enabled when
// set, else whether an endpoint is configured or in the environment.
func otlpEnabled(c OTLPConfig, env envSettings, s otlpSignal) bool {
	if c.Enabled != nil {
		return *c.Enabled
	}
	return c.Endpoint != "" || env.otlp[s.name].endpoint
}

// otlpProtocol resolves the protocol: the config, else the signal's variable, else the
// general variable, else gRPC.
func otlpProtocol(c OTLPConfig, s otlpSignal) (string, error) {
	if c.Protocol != "" {
		return c.Protocol, nil
	}
	for _, env := range []string{s.protocolEnv, envOTLPProtocol} {
		v := strings.TrimSpace(os.Getenv(env))
		if v == "" {
			continue
		}
		if v != ProtocolGRPC && v != ProtocolHTTPProtobuf {
			return "", fmt.Errorf("%s: %q is not one of %s, %s", env, v, ProtocolGRPC, ProtocolHTTPProtobuf)
		}
		return v, nil
	}
	return ProtocolGRPC, nil
}

// otlpSettings is an OTLPConfig turned into exporter-neutral values; only set fields are
// passed on, so that the environment decides the rest.
type otlpSettings struct {
	protocol string
	// hostPort is set for a host:port endpoint, endpointURL for a URL one (for HTTP with the
	// signal path appended).
	hostPort    string
	endpointURL string
	insecure    *bool
	tls         *tls.Config
	headers     map[string]string
	timeout     time.Duration
	gzip        *bool
}

// newOTLPSettings resolves c for signal s. Headers are passed explicitly, from c or else from
// the environment as parsed and checked here, so that the exporter never parses (and never
// prints) a malformed OTEL_EXPORTER_OTLP_HEADERS.
func newOTLPSettings(c OTLPConfig, env otlpEnv, s otlpSignal) (otlpSettings, error) {
	protocol, err := otlpProtocol(c, s)
	if err != nil {
		return otlpSettings{}, err
	}
	st := otlpSettings{protocol: protocol, insecure: c.Insecure, timeout: time.Duration(c.Timeout)}
	switch {
	case len(c.Headers) > 0:
		st.headers = c.Headers
	case env.headers != nil:
		st.headers = env.headers
	}
	// The endpoint means what otlpenv.Endpoint says, whether configured or in the environment.
	ep, hasEndpoint := env.resolved, env.endpoint
	if c.Endpoint != "" {
		if ep, err = otlpenv.ParseEndpoint(c.Endpoint); err != nil {
			return otlpSettings{}, fmt.Errorf("exporters.otlp.endpoint: %q %w", redactURL(c.Endpoint), err)
		}
		hasEndpoint = true
	}
	switch {
	case !hasEndpoint:
	case ep.URL == nil:
		st.hostPort = ep.Host
	case protocol == ProtocolHTTPProtobuf:
		st.endpointURL = ep.SignalURL(s.urlPath, false)
	default:
		st.endpointURL = ep.URL.String()
	}
	if c.Compression != "" {
		gz := c.Compression == CompressionGzip
		st.gzip = &gz
	}
	if c.TLS != (TLSConfig{}) || (c.Insecure != nil && !*c.Insecure) {
		st.tls, err = loadTLS(c.TLS)
		if err != nil {
			return otlpSettings{}, err
		}
		if protocol == ProtocolHTTPProtobuf && st.hostPort != "" {
			// The HTTP exporters have no option to undo OTEL_EXPORTER_OTLP_INSECURE=true, which
			// with a TLS config fails every export; an https URL clears it.
			st.endpointURL = ep.SignalURL(s.urlPath, false)
			st.hostPort = ""
		}
	}
	return st, nil
}

// loadTLS reads the PEM files; empty names keep the system roots and no client certificate.
func loadTLS(c TLSConfig) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("exporters.otlp.tls.ca_file: cannot read %q: %w", c.CAFile, unwrapPathError(err))
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("exporters.otlp.tls.ca_file: %q holds no PEM certificate", c.CAFile)
		}
		cfg.RootCAs = pool
	}
	if c.CertFile != "" || c.KeyFile != "" {
		cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("exporters.otlp.tls: cannot load cert_file %q and key_file %q: %w", c.CertFile, c.KeyFile, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// otlpOptionSet builds the options of one OTLP exporter package from otlpSettings, so that the
// four exporters (traces and metrics, gRPC and HTTP) share one rule. urlPath is nil for gRPC.
type otlpOptionSet[O any] struct {
	endpointURL func(string) O
	endpoint    func(string) O
	urlPath     func(string) O
	insecure    func() O
	tls         func(*tls.Config) O
	headers     func(map[string]string) O
	timeout     func(time.Duration) O
	gzip        func(bool) O
	retry       func(otlpRetry) O
}

// otlpRetry is the retry policy of every OTLP exporter: a failed export is retried after
// 500ms, then up to every 5s, for at most 15s (and never past the export's timeout), so that a
// short collector restart loses nothing while a dead one does not hold the queue for a minute.
type otlpRetry struct {
	initial, max, elapsed time.Duration
}

var defaultOTLPRetry = otlpRetry{initial: 500 * time.Millisecond, max: 5 * time.Second, elapsed: 15 * time.Second}

func (o otlpOptionSet[O]) build(st otlpSettings, signalPath string) []O {
	opts := []O{o.retry(defaultOTLPRetry)}
	switch {
	case st.endpointURL != "":
		opts = append(opts, o.endpointURL(st.endpointURL))
	case st.hostPort != "":
		opts = append(opts, o.endpoint(st.hostPort))
		if o.urlPath != nil {
			opts = append(opts, o.urlPath(signalPath))
		}
	}
	if st.insecure != nil && *st.insecure {
		opts = append(opts, o.insecure())
	}
	if st.tls != nil {
		opts = append(opts, o.tls(st.tls))
	}
	if st.headers != nil {
		opts = append(opts, o.headers(st.headers))
	}
	if st.timeout > 0 {
		opts = append(opts, o.timeout(st.timeout))
	}
	if st.gzip != nil {
		opts = append(opts, o.gzip(*st.gzip))
	}
	return opts
}

var (
	traceHTTPOptions = otlpOptionSet[otlptracehttp.Option]{
		endpointURL: otlptracehttp.WithEndpointURL, endpoint: otlptracehttp.WithEndpoint, urlPath: otlptracehttp.WithURLPath,
		insecure: otlptracehttp.WithInsecure, tls: otlptracehttp.WithTLSClientConfig, headers: otlptracehttp.WithHeaders,
		timeout: otlptracehttp.WithTimeout,
		retry: func(r otlpRetry) otlptracehttp.Option {
			return otlptracehttp.WithRetry(otlptracehttp.RetryConfig{Enabled: true, InitialInterval: r.initial, MaxInterval: r.max, MaxElapsedTime: r.elapsed})
		},
		gzip: func(on bool) otlptracehttp.Option {
			return otlptracehttp.WithCompression(map[bool]otlptracehttp.Compression{true: otlptracehttp.GzipCompression, false: otlptracehttp.NoCompression}[on])
		},
	}
	traceGRPCOptions = otlpOptionSet[otlptracegrpc.Option]{
		endpointURL: otlptracegrpc.WithEndpointURL, endpoint: otlptracegrpc.WithEndpoint,
		insecure: otlptracegrpc.WithInsecure, headers: otlptracegrpc.WithHeaders, timeout: otlptracegrpc.WithTimeout,
		tls: func(c *tls.Config) otlptracegrpc.Option {
			return otlptracegrpc.WithTLSCredentials(credentials.NewTLS(c))
		},
		gzip: func(on bool) otlptracegrpc.Option { return otlptracegrpc.WithCompressor(grpcCompressor(on)) },
		retry: func(r otlpRetry) otlptracegrpc.Option {
			return otlptracegrpc.WithRetry(otlptracegrpc.RetryConfig{Enabled: true, InitialInterval: r.initial, MaxInterval: r.max, MaxElapsedTime: r.elapsed})
		},
	}
	metricHTTPOptions = otlpOptionSet[otlpmetrichttp.Option]{
		endpointURL: otlpmetrichttp.WithEndpointURL, endpoint: otlpmetrichttp.WithEndpoint, urlPath: otlpmetrichttp.WithURLPath,
		insecure: otlpmetrichttp.WithInsecure, tls: otlpmetrichttp.WithTLSClientConfig, headers: otlpmetrichttp.WithHeaders,
		timeout: otlpmetrichttp.WithTimeout,
		retry: func(r otlpRetry) otlpmetrichttp.Option {
			return otlpmetrichttp.WithRetry(otlpmetrichttp.RetryConfig{Enabled: true, InitialInterval: r.initial, MaxInterval: r.max, MaxElapsedTime: r.elapsed})
		},
		gzip: func(on bool) otlpmetrichttp.Option {
			return otlpmetrichttp.WithCompression(map[bool]otlpmetrichttp.Compression{true: otlpmetrichttp.GzipCompression, false: otlpmetrichttp.NoCompression}[on])
		},
	}
	metricGRPCOptions = otlpOptionSet[otlpmetricgrpc.Option]{
		endpointURL: otlpmetricgrpc.WithEndpointURL, endpoint: otlpmetricgrpc.WithEndpoint,
		insecure: otlpmetricgrpc.WithInsecure, headers: otlpmetricgrpc.WithHeaders, timeout: otlpmetricgrpc.WithTimeout,
		tls: func(c *tls.Config) otlpmetricgrpc.Option {
			return otlpmetricgrpc.WithTLSCredentials(credentials.NewTLS(c))
		},
		gzip: func(on bool) otlpmetricgrpc.Option { return otlpmetricgrpc.WithCompressor(grpcCompressor(on)) },
		retry: func(r otlpRetry) otlpmetricgrpc.Option {
			return otlpmetricgrpc.WithRetry(otlpmetricgrpc.RetryConfig{Enabled: true, InitialInterval: r.initial, MaxInterval: r.max, MaxElapsedTime: r.elapsed})
		},
	}
)

// NewOTLPSpanExporter returns the OTLP span exporter that c describes (otlptracegrpc or
// otlptracehttp), with the standard OTEL_EXPORTER_OTLP_* variables filling in what c leaves
// unset, exactly as Setup builds it; c.Enabled is not consulted. It does not connect: the
// first export does. c is checked with the rules of Config.Validate first. The caller must
// Shutdown the exporter.
func NewOTLPSpanExporter(ctx context.Context, c OTLPConfig) (sdktrace.SpanExporter, error) {
	if err := (Config{Exporters: ExportersConfig{OTLP: c}}).Validate(); err != nil {
		return nil, err
	}
	env, err := readOTLPEnv(tracesSignal)
	if err != nil {
		return nil, err
	}
	return newOTLPSpanExporter(ctx, c, envSettings{otlp: map[string]otlpEnv{tracesSignal.name: env}})
}

func newOTLPSpanExporter(ctx context.Context, c OTLPConfig, env envSettings) (sdktrace.SpanExporter, error) {
	st, err := newOTLPSettings(c, env.otlp[tracesSignal.name], tracesSignal)
	if err != nil {
		return nil, err
	}
	if st.protocol == ProtocolHTTPProtobuf {
		// Protobuf always, even when OTEL_EXPORTER_OTLP_PROTOCOL says http/json.
		opts := append([]otlptracehttp.Option{otlptracehttp.WithEncoding(otlptracehttp.EncodingProtobuf)}, traceHTTPOptions.build(st, otlpTracesPath)...)
		exp, err := otlptracehttp.New(ctx, opts...)
		return exp, wrapOTLPError("traces", st.protocol, err)
	}
	exp, err := otlptracegrpc.New(ctx, traceGRPCOptions.build(st, otlpTracesPath)...)
	return exp, wrapOTLPError("traces", st.protocol, err)
}

// NewOTLPMetricExporter returns the OTLP metric exporter that c describes (otlpmetricgrpc or
// otlpmetrichttp), as NewOTLPSpanExporter does for spans. Temporality is cumulative unless
// OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE says otherwise.
func NewOTLPMetricExporter(ctx context.Context, c OTLPConfig) (sdkmetric.Exporter, error) {
	if err := (Config{Exporters: ExportersConfig{OTLP: c}}).Validate(); err != nil {
		return nil, err
	}
	env, err := readOTLPEnv(metricsSignal)
	if err != nil {
		return nil, err
	}
	return newOTLPMetricExporter(ctx, c, envSettings{otlp: map[string]otlpEnv{metricsSignal.name: env}})
}

func newOTLPMetricExporter(ctx context.Context, c OTLPConfig, env envSettings) (sdkmetric.Exporter, error) {
	st, err := newOTLPSettings(c, env.otlp[metricsSignal.name], metricsSignal)
	if err != nil {
		return nil, err
	}
	if st.protocol == ProtocolHTTPProtobuf {
		exp, err := otlpmetrichttp.New(ctx, metricHTTPOptions.build(st, otlpMetricsPath)...)
		return exp, wrapOTLPError("metrics", st.protocol, err)
	}
	exp, err := otlpmetricgrpc.New(ctx, metricGRPCOptions.build(st, otlpMetricsPath)...)
	return exp, wrapOTLPError("metrics", st.protocol, err)
}

func grpcCompressor(gzip bool) string {
	if gzip {
		return CompressionGzip
	}
	return CompressionNone
}

func wrapOTLPError(signal, protocol string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("exporters.otlp: cannot create the %s %s exporter: %w", protocol, signal, err)
}

var errNothingToExport = errors.New("nothing to export: exporters.file.enabled is false and no OTLP endpoint is set " +
	"(exporters.otlp.endpoint, " + envOTLPEndpoint + ", " + envOTLPTracesEndpoint + "); " +
	"set OTEL_SDK_DISABLED=true to turn telemetry off")
