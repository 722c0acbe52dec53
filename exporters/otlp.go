package exporters

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"strings"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/grpc/credentials"
)

// Standard environment variables read here; the OTLP exporters read the rest of the
// OTEL_EXPORTER_OTLP_* family (HEADERS, INSECURE, TIMEOUT, COMPRESSION, CERTIFICATE, ...)
// themselves, and every option passed from the config overrides them.
const (
	envOTLPEndpoint        = "OTEL_EXPORTER_OTLP_ENDPOINT"
	envOTLPTracesEndpoint  = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
	envOTLPMetricsEndpoint = "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"
	envOTLPProtocol        = "OTEL_EXPORTER_OTLP_PROTOCOL"
	envOTLPTracesProtocol  = "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
	envOTLPMetricsProtocol = "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL"

	otlpTracesPath  = "/v1/traces"
	otlpMetricsPath = "/v1/metrics"
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
func otlpEnabled(c OTLPConfig, s otlpSignal) bool {
	if c.Enabled != nil {
		return *c.Enabled
	}
	return c.Endpoint != "" || os.Getenv(envOTLPEndpoint) != "" || os.Getenv(s.endpointEnv) != ""
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

func newOTLPSettings(c OTLPConfig, s otlpSignal) (otlpSettings, error) {
	protocol, err := otlpProtocol(c, s)
	if err != nil {
		return otlpSettings{}, err
	}
	st := otlpSettings{protocol: protocol, insecure: c.Insecure, timeout: time.Duration(c.Timeout)}
	if len(c.Headers) > 0 {
		st.headers = c.Headers
	}
	if c.Endpoint != "" {
		if strings.Contains(c.Endpoint, "://") {
			u, err := url.Parse(c.Endpoint)
			if err != nil {
				return otlpSettings{}, fmt.Errorf("exporters.otlp.endpoint: %q is not a valid URL", c.Endpoint)
			}
			if protocol == ProtocolHTTPProtobuf {
				// A base URL, as OTEL_EXPORTER_OTLP_ENDPOINT: the signal path goes after its path.
				u.Path = path.Join("/", u.Path, s.urlPath)
			}
			st.endpointURL = u.String()
		} else {
			st.hostPort = c.Endpoint
		}
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
			st.endpointURL = "https://" + st.hostPort + s.urlPath
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

// NewOTLPSpanExporter returns the OTLP span exporter that c describes (otlptracegrpc or
// otlptracehttp), with the standard OTEL_EXPORTER_OTLP_* variables filling in what c leaves
// unset, exactly as Setup builds it; c.Enabled is not consulted. It does not connect: the
// first export does. c is checked with the rules of Config.Validate first. The caller must
// Shutdown the exporter.
func NewOTLPSpanExporter(ctx context.Context, c OTLPConfig) (sdktrace.SpanExporter, error) {
	if err := (Config{Exporters: ExportersConfig{OTLP: c}}).Validate(); err != nil {
		return nil, err
	}
	st, err := newOTLPSettings(c, tracesSignal)
	if err != nil {
		return nil, err
	}
	if st.protocol == ProtocolHTTPProtobuf {
		// Protobuf always, even when OTEL_EXPORTER_OTLP_PROTOCOL says http/json.
		opts := []otlptracehttp.Option{otlptracehttp.WithEncoding(otlptracehttp.EncodingProtobuf)}
		switch {
		case st.endpointURL != "":
			opts = append(opts, otlptracehttp.WithEndpointURL(st.endpointURL))
		case st.hostPort != "":
			opts = append(opts, otlptracehttp.WithEndpoint(st.hostPort), otlptracehttp.WithURLPath(otlpTracesPath))
		}
		if st.insecure != nil && *st.insecure {
			opts = append(opts, otlptracehttp.WithInsecure())
		}
		if st.tls != nil {
			opts = append(opts, otlptracehttp.WithTLSClientConfig(st.tls))
		}
		if st.headers != nil {
			opts = append(opts, otlptracehttp.WithHeaders(st.headers))
		}
		if st.timeout > 0 {
			opts = append(opts, otlptracehttp.WithTimeout(st.timeout))
		}
		if st.gzip != nil {
			comp := otlptracehttp.NoCompression
			if *st.gzip {
				comp = otlptracehttp.GzipCompression
			}
			opts = append(opts, otlptracehttp.WithCompression(comp))
		}
		exp, err := otlptracehttp.New(ctx, opts...)
		return exp, wrapOTLPError("traces", st.protocol, err)
	}

	var opts []otlptracegrpc.Option
	switch {
	case st.endpointURL != "":
		opts = append(opts, otlptracegrpc.WithEndpointURL(st.endpointURL))
	case st.hostPort != "":
		opts = append(opts, otlptracegrpc.WithEndpoint(st.hostPort))
	}
	if st.insecure != nil && *st.insecure {
		opts = append(opts, otlptracegrpc.WithInsecure())
	}
	if st.tls != nil {
		opts = append(opts, otlptracegrpc.WithTLSCredentials(credentials.NewTLS(st.tls)))
	}
	if st.headers != nil {
		opts = append(opts, otlptracegrpc.WithHeaders(st.headers))
	}
	if st.timeout > 0 {
		opts = append(opts, otlptracegrpc.WithTimeout(st.timeout))
	}
	if st.gzip != nil {
		opts = append(opts, otlptracegrpc.WithCompressor(grpcCompressor(*st.gzip)))
	}
	exp, err := otlptracegrpc.New(ctx, opts...)
	return exp, wrapOTLPError("traces", st.protocol, err)
}

// NewOTLPMetricExporter returns the OTLP metric exporter that c describes (otlpmetricgrpc or
// otlpmetrichttp), as NewOTLPSpanExporter does for spans. Temporality is cumulative unless
// OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE says otherwise.
func NewOTLPMetricExporter(ctx context.Context, c OTLPConfig) (sdkmetric.Exporter, error) {
	if err := (Config{Exporters: ExportersConfig{OTLP: c}}).Validate(); err != nil {
		return nil, err
	}
	st, err := newOTLPSettings(c, metricsSignal)
	if err != nil {
		return nil, err
	}
	if st.protocol == ProtocolHTTPProtobuf {
		var opts []otlpmetrichttp.Option
		switch {
		case st.endpointURL != "":
			opts = append(opts, otlpmetrichttp.WithEndpointURL(st.endpointURL))
		case st.hostPort != "":
			opts = append(opts, otlpmetrichttp.WithEndpoint(st.hostPort), otlpmetrichttp.WithURLPath(otlpMetricsPath))
		}
		if st.insecure != nil && *st.insecure {
			opts = append(opts, otlpmetrichttp.WithInsecure())
		}
		if st.tls != nil {
			opts = append(opts, otlpmetrichttp.WithTLSClientConfig(st.tls))
		}
		if st.headers != nil {
			opts = append(opts, otlpmetrichttp.WithHeaders(st.headers))
		}
		if st.timeout > 0 {
			opts = append(opts, otlpmetrichttp.WithTimeout(st.timeout))
		}
		if st.gzip != nil {
			comp := otlpmetrichttp.NoCompression
			if *st.gzip {
				comp = otlpmetrichttp.GzipCompression
			}
			opts = append(opts, otlpmetrichttp.WithCompression(comp))
		}
		exp, err := otlpmetrichttp.New(ctx, opts...)
		return exp, wrapOTLPError("metrics", st.protocol, err)
	}

	var opts []otlpmetricgrpc.Option
	switch {
	case st.endpointURL != "":
		opts = append(opts, otlpmetricgrpc.WithEndpointURL(st.endpointURL))
	case st.hostPort != "":
		opts = append(opts, otlpmetricgrpc.WithEndpoint(st.hostPort))
	}
	if st.insecure != nil && *st.insecure {
		opts = append(opts, otlpmetricgrpc.WithInsecure())
	}
	if st.tls != nil {
		opts = append(opts, otlpmetricgrpc.WithTLSCredentials(credentials.NewTLS(st.tls)))
	}
	if st.headers != nil {
		opts = append(opts, otlpmetricgrpc.WithHeaders(st.headers))
	}
	if st.timeout > 0 {
		opts = append(opts, otlpmetricgrpc.WithTimeout(st.timeout))
	}
	if st.gzip != nil {
		opts = append(opts, otlpmetricgrpc.WithCompressor(grpcCompressor(*st.gzip)))
	}
	exp, err := otlpmetricgrpc.New(ctx, opts...)
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
