package replay

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/agenttrace/otelagent/internal/otlpenv"
)

// Protocols of Config.Protocol.
const (
	ProtocolGRPC         = "grpc"
	ProtocolHTTPProtobuf = "http/protobuf"
)

// Defaults of Config.
const (
	DefaultBatchSpans     = 512
	DefaultConcurrency    = 4
	DefaultMaxAttempts    = 5
	DefaultInitialBackoff = 500 * time.Millisecond
	DefaultMaxBackoff     = 30 * time.Second
	DefaultTimeout        = 10 * time.Second
	defaultGRPCEndpoint   = "localhost:4317"
	defaultHTTPEndpoint   = "http://localhost:4318"
)

// Config says where and how to send. The zero value sends to localhost:4317 over gRPC without
// TLS; FromEnv fills it from the OTEL_EXPORTER_OTLP_* variables.
type Config struct {
	// Endpoint is the receiver's base, as OTEL_EXPORTER_OTLP_ENDPOINT and
	// exporters.otlp.endpoint mean it (otlpenv.ParseEndpoint): host:port or an http(s) URL,
	// whose scheme decides TLS. gRPC sends to its host and port; HTTP to its path followed by
	// /v1/traces (a path already ending in /v1/traces is kept; host:port gets https://, or
	// http:// when Insecure). Empty means localhost:4317 for gRPC, http://localhost:4318 for
	// HTTP.
	Endpoint string
	// signalEndpoint marks an Endpoint read from OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, whose URL
	// is the traces URL used as given (otlpenv.ParseSignalEndpoint).
	signalEndpoint bool
	// Protocol is ProtocolGRPC (default) or ProtocolHTTPProtobuf.
	Protocol string
	// Insecure sends without TLS; an http:// endpoint implies it, https:// forbids it.
	Insecure bool
	// CertificateFile is a PEM file of the certificate authorities that sign the receiver's
	// certificate; empty means the system's.
	CertificateFile string
	// Headers are sent with every request (gRPC metadata or HTTP headers).
	Headers map[string]string
	// Timeout bounds each request; 0 means DefaultTimeout.
	Timeout time.Duration
	// BatchSpans is the most spans per request (a record holding more goes alone); 0 means
	// DefaultBatchSpans.
	BatchSpans int
	// Concurrency is the most requests in flight at once; 0 means DefaultConcurrency. The
	// files are read and decoded while earlier batches are encoded and sent, so the spans of
	// different requests may arrive in any order; 1 sends them in file order.
	Concurrency int
	// MaxAttempts bounds the tries of one request; 0 means DefaultMaxAttempts.
	MaxAttempts int
	// InitialBackoff is the wait after the first failure, doubled after each next one up to
	// MaxBackoff; 0 means the defaults.
	InitialBackoff, MaxBackoff time.Duration
	// DryRun reads and counts without sending.
	DryRun bool
	// Progress, if not nil, is called after every request (and once at the end) from the
	// goroutine that called Replay.
	Progress func(Progress)
}

// FromEnv returns c with its empty fields filled from the standard OTLP exporter variables
// (OTEL_EXPORTER_OTLP_TRACES_* before OTEL_EXPORTER_OTLP_*): ENDPOINT, PROTOCOL, HEADERS,
// INSECURE, CERTIFICATE and TIMEOUT (milliseconds). ENDPOINT is read by
// otlpenv.EndpointFromEnv and HEADERS by otlpenv.ParseHeaders, as the exporters read them: the
// base OTEL_EXPORTER_OTLP_ENDPOINT gets /v1/traces appended for HTTP, the URL of
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as given. Bad values are errors naming the variable (and a header's key, never its
// value).
func (c Config) FromEnv(getenv func(string) string) (Config, error) {
	get := func(name string) (string, string) {
		if v := getenv("OTEL_EXPORTER_OTLP_TRACES_" + name); v != "" {
			return v, "OTEL_EXPORTER_OTLP_TRACES_" + name
		}
		return getenv("OTEL_EXPORTER_OTLP_" + name), "OTEL_EXPORTER_OTLP_" + name
	}
	if c.Protocol == "" {
		c.Protocol, _ = get("PROTOCOL")
	}
	if c.Endpoint == "" {
		_, name, err := otlpenv.EndpointFromEnv(getenv, "traces")
		if err != nil {
			return c, err
		}
		if name != "" {
			c.Endpoint = strings.TrimSpace(getenv(name))
			c.signalEndpoint = name != "OTEL_EXPORTER_OTLP_ENDPOINT"
		}
	}
	if v, name := get("HEADERS"); v != "" {
		h, err := otlpenv.ParseHeaders(v)
		if err != nil {
			return c, fmt.Errorf("%s: %w", name, err)
		}
		if c.Headers == nil {
			c.Headers = make(map[string]string)
		}
		for k, val := range h {
			if _, set := c.Headers[k]; !set {
				c.Headers[k] = val
			}
		}
	}
	if v, name := get("INSECURE"); v != "" && !c.Insecure {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return c, fmt.Errorf("%s: %q is not true or false", name, v)
		}
		c.Insecure = b
	}
	if v, _ := get("CERTIFICATE"); v != "" && c.CertificateFile == "" {
		c.CertificateFile = v
	}
	if v, name := get("TIMEOUT"); v != "" && c.Timeout == 0 {
		ms, err := strconv.Atoi(v)
		if err != nil || ms < 0 {
			return c, fmt.Errorf("%s: %q is not a number of milliseconds", name, v)
		}
		c.Timeout = time.Duration(ms) * time.Millisecond
	}
	return c, nil
}

// endpoint parses Endpoint, or def when it is empty.
func (c Config) endpoint(def string) (otlpenv.Endpoint, error) {
	switch {
	case c.Endpoint == "":
		return otlpenv.ParseEndpoint(def)
	case c.signalEndpoint:
		return otlpenv.ParseSignalEndpoint(c.Endpoint)
	}
	return otlpenv.ParseEndpoint(c.Endpoint)
}

// withDefaults checks c and fills its defaults.
func (c Config) withDefaults() (Config, error) {
	var errs []error
	switch c.Protocol {
	case "":
		c.Protocol = ProtocolGRPC
	case ProtocolGRPC, ProtocolHTTPProtobuf:
	default:
		errs = append(errs, fmt.Errorf("protocol %q: want %s or %s", c.Protocol, ProtocolGRPC, ProtocolHTTPProtobuf))
	}
	if c.Timeout < 0 || c.BatchSpans < 0 || c.Concurrency < 0 || c.MaxAttempts < 0 || c.InitialBackoff < 0 || c.MaxBackoff < 0 {
		errs = append(errs, errors.New("timeout, batch size, concurrency, attempts and backoffs must not be negative"))
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("replay: %w", errors.Join(errs...))
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.BatchSpans == 0 {
		c.BatchSpans = DefaultBatchSpans
	}
	if c.Concurrency == 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.InitialBackoff == 0 {
		c.InitialBackoff = DefaultInitialBackoff
	}
	if c.MaxBackoff == 0 {
		c.MaxBackoff = DefaultMaxBackoff
	}
	c.MaxBackoff = max(c.MaxBackoff, c.InitialBackoff)
	return c, nil
}
