package otlpenv

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// The OTLP/HTTP paths of each signal, appended to a base endpoint.
const (
	TracesPath  = "/v1/traces"
	MetricsPath = "/v1/metrics"
	LogsPath    = "/v1/logs"
)

// Endpoint is an endpoint setting (exporters.otlp.endpoint, OTEL_EXPORTER_OTLP_ENDPOINT,
// replay's --endpoint), parsed. It has one meaning wherever the module reads one: the base
// of the receiver, as the specification defines OTEL_EXPORTER_OTLP_ENDPOINT. gRPC sends to its
// host and port; OTLP/HTTP sends each signal to its path appended to the base (see SignalURL).
type Endpoint struct {
	// Scheme is "http" or "https" for a URL, "" for host:port.
	Scheme string
	// Host is host:port (or a URL's host).
	Host string
	// URL is the parsed URL; nil for host:port.
	URL *url.URL
	// full marks a signal's own endpoint (ParseSignalEndpoint): its URL is used as given.
	full bool
}

// ParseEndpoint reads "host:port" or an http(s) URL with a host; a URL's query is kept (the
// OpenTelemetry SDK exporters cannot send one, so the exporters package refuses it). A
// host:port may not hold credentials ('@'): they would reach name resolution and its error
// messages; credentials go in headers. The error never contains s: callers name the setting
// and show s as they redact it.
func ParseEndpoint(s string) (Endpoint, error) {
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil {
			return Endpoint{}, errors.New("is not a valid URL")
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			return Endpoint{}, fmt.Errorf("has scheme %q; use http, https or host:port", u.Scheme)
		}
		if u.Host == "" {
			return Endpoint{}, errors.New("has no host")
		}
		return Endpoint{Scheme: u.Scheme, Host: u.Host, URL: u}, nil
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil || host == "" || port == "" || strings.ContainsAny(s, "/ @") {
		return Endpoint{}, errors.New("is neither host:port nor an http(s) URL")
	}
	return Endpoint{Host: s}, nil
}

// ParseSignalEndpoint reads the value of a signal's own variable
// (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, ..._METRICS_ENDPOINT): as ParseEndpoint, except that a
// URL is the signal's full URL, which SignalURL returns as given, as the specification says.
func ParseSignalEndpoint(s string) (Endpoint, error) {
	e, err := ParseEndpoint(s)
	e.full = e.URL != nil
	return e, err
}

// EndpointFromEnv returns where signal ("traces", "metrics" or "logs") is sent when no
// endpoint is configured: the signal's own variable (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) read
// by ParseSignalEndpoint, else OTEL_EXPORTER_OTLP_ENDPOINT read by ParseEndpoint. Values are
// trimmed of spaces. name is the variable used, "" when neither is set. An error names the
// variable, never its value.
func EndpointFromEnv(getenv func(string) string, signal string) (e Endpoint, name string, err error) {
	name = "OTEL_EXPORTER_OTLP_" + strings.ToUpper(signal) + "_ENDPOINT"
	parse := ParseSignalEndpoint
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		name, parse = "OTEL_EXPORTER_OTLP_ENDPOINT", ParseEndpoint
		if v = strings.TrimSpace(getenv(name)); v == "" {
			return Endpoint{}, "", nil
		}
	}
	if e, err = parse(v); err != nil {
		return Endpoint{}, name, fmt.Errorf("%s: the value %w", name, err)
	}
	return e, name, nil
}

// SignalURL returns the OTLP/HTTP URL of the signal whose path is signalPath (TracesPath,
// MetricsPath, LogsPath): signalPath appended to the endpoint's path, so "http://collector:4318"
// sends traces to "http://collector:4318/v1/traces" and "https://gw/otlp" to
// "https://gw/otlp/v1/traces". A path that already ends with a signal's path has it replaced,
// so a signal URL pasted as the endpoint ("http://collector:4318/v1/traces") still sends each
// signal to its own path. A host:port gets "http" when insecure, else "https". The URL of a
// signal's own endpoint (ParseSignalEndpoint) is returned as given.
func (e Endpoint) SignalURL(signalPath string, insecure bool) string {
	if e.full {
		return e.URL.String()
	}
	var u url.URL
	if e.URL != nil {
		u = *e.URL
	} else {
		u = url.URL{Scheme: "https", Host: e.Host}
		if insecure {
			u.Scheme = "http"
		}
	}
	base := strings.TrimRight(u.Path, "/")
	for _, p := range []string{TracesPath, MetricsPath, LogsPath} {
		if strings.HasSuffix(base, p) {
			base = strings.TrimSuffix(base, p)
			break
		}
	}
	u.Path = base + signalPath
	u.RawPath = ""
	return u.String()
}
