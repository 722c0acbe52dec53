package exporters

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"net"
	"net/url"
	"os"
	"strings"
	"time"
)

// Defaults of Config, in one place. A setting left at its zero value takes the default below,
// unless an OTEL_* environment variable sets it (see Setup).
const (
	// DefaultServiceName is the service.name of the resource when neither the config nor
	// OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES name the service.
	DefaultServiceName = "otelagent"
	// DefaultTracesPath is the file the span file exporter writes when exporters.file.path is
	// empty.
	DefaultTracesPath = "agent_trace.jsonl"
	// DefaultMetricsPath is the file the metric file exporter writes when
	// exporters.file.metrics_path is empty.
	DefaultMetricsPath = "agent_metrics.jsonl"
	// DefaultSamplingRatio is the ratio of root traces sampled when sampling.ratio is unset and
	// OTEL_TRACES_SAMPLER is not set.
	DefaultSamplingRatio = 1.0
	// DefaultContentMaxBytes is the limit of each captured message content attribute.
	DefaultContentMaxBytes = 16 * 1024
	// DefaultLogLevel is the level of the logger when logging.level is empty.
	DefaultLogLevel = "INFO"
	// DefaultLogFormat is the format of the logger when logging.format is empty.
	DefaultLogFormat = LogFormatText

	// ProtocolGRPC selects OTLP over gRPC, the default protocol.
	ProtocolGRPC = "grpc"
	// ProtocolHTTPProtobuf selects OTLP over HTTP with protobuf bodies.
	ProtocolHTTPProtobuf = "http/protobuf"

	// CompressionGzip compresses OTLP requests with gzip.
	CompressionGzip = "gzip"
	// CompressionNone sends OTLP requests uncompressed.
	CompressionNone = "none"

	// LogFormatJSON writes one JSON object per log record.
	LogFormatJSON = "json"
	// LogFormatText writes key=value lines (slog's text format).
	LogFormatText = "text"
)

// Config is the whole telemetry configuration: resource, sampling, exporters, batching, metric
// export, content capture, pricing and logging. Its zero value is valid and means: spans to
// DefaultTracesPath, metrics to DefaultMetricsPath, logs to the console at INFO.
//
// Keys are snake_case in YAML and JSON. Pointer fields distinguish "not set" (nil: the
// environment or the default decides) from an explicit false or zero. Relative paths are
// relative to the working directory of the process.
type Config struct {
	// ServiceName is the service.name resource attribute. Default DefaultServiceName;
	// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override it.
	ServiceName string `yaml:"service_name,omitempty" json:"service_name,omitempty"`
	// ResourceAttributes are added to the resource. OTEL_RESOURCE_ATTRIBUTES overrides keys it
	// shares with them.
	ResourceAttributes map[string]string `yaml:"resource_attributes,omitempty" json:"resource_attributes,omitempty"`
	Sampling           SamplingConfig    `yaml:"sampling,omitempty" json:"sampling,omitempty"`
	Exporters          ExportersConfig   `yaml:"exporters,omitempty" json:"exporters,omitempty"`
	Batch              BatchConfig       `yaml:"batch,omitempty" json:"batch,omitempty"`
	Metrics            MetricsConfig     `yaml:"metrics,omitempty" json:"metrics,omitempty"`
	Content            ContentConfig     `yaml:"content,omitempty" json:"content,omitempty"`
	// Pricing is the path of a pricing JSON file (see otelagent.LoadPricing). Empty means no
	// pricing. Validate checks that the file exists; the otelagent package reads it.
	Pricing string        `yaml:"pricing,omitempty" json:"pricing,omitempty"`
	Logging LoggingConfig `yaml:"logging,omitempty" json:"logging,omitempty"`
}

// SamplingConfig selects which traces are recorded.
type SamplingConfig struct {
	// Ratio is the fraction of root traces sampled, 0..1, through
	// ParentBased(TraceIDRatioBased(Ratio)): children follow their parent's decision. When nil,
	// OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG decide if set, else DefaultSamplingRatio.
	Ratio *float64 `yaml:"ratio,omitempty" json:"ratio,omitempty"`
}

// ExportersConfig lists the span and metric destinations.
type ExportersConfig struct {
	File FileExporterConfig `yaml:"file,omitempty" json:"file,omitempty"`
	OTLP OTLPConfig         `yaml:"otlp,omitempty" json:"otlp,omitempty"`
}

// FileExporterConfig configures the OTLP/JSON file exporters (FileExporter and
// MetricFileExporter).
type FileExporterConfig struct {
	// Enabled turns the file exporters on or off. When nil they are on if Path or MetricsPath is
	// set or if no OTLP export is configured, so that Config{} writes files and a config that
	// only names a collector does not.
	Enabled *bool `yaml:"enabled,omitempty" json:"enabled,omitempty"`
	// Path is the span file. Default DefaultTracesPath.
	Path string `yaml:"path,omitempty" json:"path,omitempty"`
	// MetricsPath is the metric file. Default DefaultMetricsPath.
	MetricsPath string `yaml:"metrics_path,omitempty" json:"metrics_path,omitempty"`
	// MaxSizeMB, MaxBackups, MaxAgeDays and Compress control rotation; see WithMaxSizeMB,
	// WithMaxBackups, WithMaxAgeDays and WithCompress for their defaults.
	MaxSizeMB  int  `yaml:"max_size_mb,omitempty" json:"max_size_mb,omitempty"`
	MaxBackups int  `yaml:"max_backups,omitempty" json:"max_backups,omitempty"`
	MaxAgeDays int  `yaml:"max_age_days,omitempty" json:"max_age_days,omitempty"`
	Compress   bool `yaml:"compress,omitempty" json:"compress,omitempty"`
}

// OTLPConfig configures the OTLP span and metric exporters. Every field left unset leaves the
// setting to the standard OTEL_EXPORTER_OTLP_* variables and then to the exporters' defaults.
type OTLPConfig struct {
	// Enabled turns OTLP export on or off. When nil, span export is on if Endpoint,
	// OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set, and metric
	// export if Endpoint, OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_METRICS_ENDPOINT is.
	// True with no endpoint anywhere uses the exporters' default (localhost:4317 for gRPC,
	// http://localhost:4318 for HTTP).
	Enabled *bool `yaml:"enabled,omitempty" json:"enabled,omitempty"`
	// Endpoint is "host:port" or a URL ("http://host:port", "https://host:port/prefix"). It
	// means what OTEL_EXPORTER_OTLP_ENDPOINT means: for HTTP it is a base to which /v1/traces
	// and /v1/metrics are appended; a URL's scheme decides TLS (http: plain, https: TLS); a
	// bare host:port uses TLS unless Insecure is true.
	Endpoint string `yaml:"endpoint,omitempty" json:"endpoint,omitempty"`
	// Protocol is ProtocolGRPC or ProtocolHTTPProtobuf. When empty,
	// OTEL_EXPORTER_OTLP_PROTOCOL (or its _TRACES_ / _METRICS_ form) decides, else gRPC.
	Protocol string `yaml:"protocol,omitempty" json:"protocol,omitempty"`
	// Headers are sent with every request. When empty, OTEL_EXPORTER_OTLP_HEADERS (and its
	// _TRACES_ / _METRICS_ forms) decide.
	Headers map[string]string `yaml:"headers,omitempty" json:"headers,omitempty"`
	// Insecure, when true, sends without TLS; when false, forces TLS even if
	// OTEL_EXPORTER_OTLP_INSECURE is true.
	Insecure *bool     `yaml:"insecure,omitempty" json:"insecure,omitempty"`
	TLS      TLSConfig `yaml:"tls,omitempty" json:"tls,omitempty"`
	// Timeout bounds each export request (OTEL_EXPORTER_OTLP_TIMEOUT when zero; 10s by default).
	Timeout Duration `yaml:"timeout,omitempty" json:"timeout,omitempty"`
	// Compression is CompressionGzip or CompressionNone (OTEL_EXPORTER_OTLP_COMPRESSION when
	// empty; none by default).
	Compression string `yaml:"compression,omitempty" json:"compression,omitempty"`
}

// TLSConfig names the PEM files of a TLS connection to the collector. Setting any of them
// replaces the TLS settings of the OTEL_EXPORTER_OTLP_CERTIFICATE family.
type TLSConfig struct {
	// CAFile verifies the collector's certificate (the system roots when empty).
	CAFile string `yaml:"ca_file,omitempty" json:"ca_file,omitempty"`
	// CertFile and KeyFile are the client certificate and key, for mutual TLS; both or neither.
	CertFile string `yaml:"cert_file,omitempty" json:"cert_file,omitempty"`
	KeyFile  string `yaml:"key_file,omitempty" json:"key_file,omitempty"`
}

// BatchConfig configures the batch span processor of every span exporter. Zero values leave
// the settings to OTEL_BSP_* and the SDK defaults (queue 2048, batch 512, timeout 30s, delay
// 5s).
type BatchConfig struct {
	MaxQueueSize       int      `yaml:"max_queue_size,omitempty" json:"max_queue_size,omitempty"`
	MaxExportBatchSize int      `yaml:"max_export_batch_size,omitempty" json:"max_export_batch_size,omitempty"`
	ExportTimeout      Duration `yaml:"export_timeout,omitempty" json:"export_timeout,omitempty"`
	ScheduleDelay      Duration `yaml:"schedule_delay,omitempty" json:"schedule_delay,omitempty"`
	// Blocking makes a span end wait for queue space instead of dropping the span when the
	// queue is full. The default, false, drops.
	Blocking bool `yaml:"blocking,omitempty" json:"blocking,omitempty"`
}

// MetricsConfig configures the periodic metric readers. Zero values leave the settings to
// OTEL_METRIC_EXPORT_INTERVAL / OTEL_METRIC_EXPORT_TIMEOUT and the SDK defaults (60s, 30s).
type MetricsConfig struct {
	ExportInterval Duration `yaml:"export_interval,omitempty" json:"export_interval,omitempty"`
	ExportTimeout  Duration `yaml:"export_timeout,omitempty" json:"export_timeout,omitempty"`
}

// ContentConfig says whether message content goes on spans. Setup does not use it: pass it to
// otelagent.WithContentCapture and otelagent.WithMaxContentBytes.
type ContentConfig struct {
	// Capture turns content capture on or off. When nil the otelagent package decides
	// (OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT, else off).
	Capture *bool `yaml:"capture,omitempty" json:"capture,omitempty"`
	// MaxBytes limits each content attribute. Default DefaultContentMaxBytes.
	MaxBytes int `yaml:"max_bytes,omitempty" json:"max_bytes,omitempty"`
}

// LoggingConfig configures the *slog.Logger that Setup builds.
type LoggingConfig struct {
	// Level is DEBUG, INFO, WARN (or WARNING), ERROR or CRITICAL, in any case. Default INFO.
	Level string `yaml:"level,omitempty" json:"level,omitempty"`
	// Format is LogFormatJSON, LogFormatText, or a Python logging pattern such as
	// "%(asctime)s - %(name)s - %(levelname)s - %(message)s" with the placeholders asctime,
	// created, levelname, levelno, message, msecs, name and process, followed by the record's
	// attributes as key=value; control characters are escaped. Default text.
	Format string `yaml:"format,omitempty" json:"format,omitempty"`
	// File is a log file, appended to and rotated; empty means none.
	File string `yaml:"file,omitempty" json:"file,omitempty"`
	// Console writes logs to standard error. When nil it is true.
	Console *bool `yaml:"console,omitempty" json:"console,omitempty"`
	// MaxSizeMB, MaxBackups, MaxAgeDays and Compress rotate File: at 100 MB by default,
	// keeping 5 backups of any age, uncompressed.
	MaxSizeMB  int  `yaml:"max_size_mb,omitempty" json:"max_size_mb,omitempty"`
	MaxBackups int  `yaml:"max_backups,omitempty" json:"max_backups,omitempty"`
	MaxAgeDays int  `yaml:"max_age_days,omitempty" json:"max_age_days,omitempty"`
	Compress   bool `yaml:"compress,omitempty" json:"compress,omitempty"`
}

// Duration is a time.Duration written as a Go duration string ("10s", "1m30s", "250ms") in
// YAML and JSON. Zero means unset.
type Duration time.Duration

// UnmarshalText parses a Go duration string.
func (d *Duration) UnmarshalText(text []byte) error {
	v, err := time.ParseDuration(strings.TrimSpace(string(text)))
	if err != nil {
		return fmt.Errorf("%q is not a duration such as \"10s\" or \"1m30s\"", text)
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes the duration as a Go duration string.
func (d Duration) MarshalText() ([]byte, error) {
	return []byte(time.Duration(d).String()), nil
}

// String returns the duration as a Go duration string.
func (d Duration) String() string { return time.Duration(d).String() }

// withDefaults returns a copy of c, maps included, with every default that does not depend on
// the environment filled in.
func (c Config) withDefaults() Config {
	c.ResourceAttributes = maps.Clone(c.ResourceAttributes)
	c.Exporters.OTLP.Headers = maps.Clone(c.Exporters.OTLP.Headers)
	if c.Exporters.File.Path == "" {
		c.Exporters.File.Path = DefaultTracesPath
	}
	if c.Exporters.File.MetricsPath == "" {
		c.Exporters.File.MetricsPath = DefaultMetricsPath
	}
	if c.Content.MaxBytes == 0 {
		c.Content.MaxBytes = DefaultContentMaxBytes
	}
	if c.Logging.Level == "" {
		c.Logging.Level = DefaultLogLevel
	}
	if c.Logging.Format == "" {
		c.Logging.Format = DefaultLogFormat
	}
	if c.Logging.Console == nil {
		console := true
		c.Logging.Console = &console
	}
	return c
}

// Validate reports every problem of c, joined, each naming its key path: values out of range,
// unknown names and settings that contradict each other. It reads nothing but the pricing
// file's metadata. A Config that exports nothing (file exporters disabled, no OTLP endpoint)
// is valid here, because the environment may supply the endpoint; Setup rejects it.
func (c Config) Validate() error {
	var errs []error
	add := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}

	for k := range c.ResourceAttributes {
		if strings.TrimSpace(k) == "" {
			add("resource_attributes", "an attribute name is empty")
		}
	}
	if r := c.Sampling.Ratio; r != nil && (math.IsNaN(*r) || *r < 0 || *r > 1) {
		add("sampling.ratio", "%v is outside 0..1", *r)
	}

	f := c.Exporters.File
	nonNegative(add, "exporters.file.max_size_mb", f.MaxSizeMB)
	nonNegative(add, "exporters.file.max_age_days", f.MaxAgeDays)
	if f.Path != "" && f.Path == f.MetricsPath {
		add("exporters.file.metrics_path", "is the same file as exporters.file.path (%q); spans and metrics need files of their own", f.Path)
	}

	o := c.Exporters.OTLP
	if o.Protocol != "" && o.Protocol != ProtocolGRPC && o.Protocol != ProtocolHTTPProtobuf {
		add("exporters.otlp.protocol", "%q is not one of %s, %s", o.Protocol, ProtocolGRPC, ProtocolHTTPProtobuf)
	}
	if o.Compression != "" && o.Compression != CompressionGzip && o.Compression != CompressionNone {
		add("exporters.otlp.compression", "%q is not one of %s, %s", o.Compression, CompressionGzip, CompressionNone)
	}
	if o.Timeout < 0 {
		add("exporters.otlp.timeout", "%s is negative", o.Timeout)
	}
	if o.Endpoint != "" {
		if scheme, err := checkEndpoint(o.Endpoint); err != nil {
			add("exporters.otlp.endpoint", "%v", err)
		} else if scheme == "http" && o.Insecure != nil && !*o.Insecure {
			add("exporters.otlp.insecure", "is false but exporters.otlp.endpoint %q asks for plain http", o.Endpoint)
		} else if scheme == "https" && o.Insecure != nil && *o.Insecure {
			add("exporters.otlp.insecure", "is true but exporters.otlp.endpoint %q asks for https", o.Endpoint)
		}
	}
	for k := range o.Headers {
		if strings.TrimSpace(k) == "" {
			add("exporters.otlp.headers", "a header name is empty")
		}
	}
	if (o.TLS.CertFile == "") != (o.TLS.KeyFile == "") {
		add("exporters.otlp.tls", "cert_file and key_file go together; only one is set")
	}
	if o.TLS != (TLSConfig{}) && o.Insecure != nil && *o.Insecure {
		add("exporters.otlp.tls", "files are set but exporters.otlp.insecure is true")
	}
	if o.Enabled != nil && !*o.Enabled && o.Endpoint != "" {
		add("exporters.otlp.enabled", "is false but exporters.otlp.endpoint is set to %q", o.Endpoint)
	}

	b := c.Batch
	nonNegative(add, "batch.max_queue_size", b.MaxQueueSize)
	nonNegative(add, "batch.max_export_batch_size", b.MaxExportBatchSize)
	if b.MaxQueueSize > 0 && b.MaxExportBatchSize > b.MaxQueueSize {
		add("batch.max_export_batch_size", "%d is larger than batch.max_queue_size %d", b.MaxExportBatchSize, b.MaxQueueSize)
	}
	if b.ExportTimeout < 0 {
		add("batch.export_timeout", "%s is negative", b.ExportTimeout)
	}
	if b.ScheduleDelay < 0 {
		add("batch.schedule_delay", "%s is negative", b.ScheduleDelay)
	}
	if c.Metrics.ExportInterval < 0 {
		add("metrics.export_interval", "%s is negative", c.Metrics.ExportInterval)
	}
	if c.Metrics.ExportTimeout < 0 {
		add("metrics.export_timeout", "%s is negative", c.Metrics.ExportTimeout)
	}

	nonNegative(add, "content.max_bytes", c.Content.MaxBytes)

	if c.Pricing != "" {
		if info, err := os.Stat(c.Pricing); err != nil {
			add("pricing", "cannot read %q: %v", c.Pricing, unwrapPathError(err))
		} else if !info.Mode().IsRegular() {
			add("pricing", "%q is not a regular file", c.Pricing)
		}
	}

	l := c.Logging
	if l.Level != "" {
		if _, err := parseLogLevel(l.Level); err != nil {
			add("logging.level", "%v", err)
		}
	}
	if l.Format != "" {
		if _, err := parseLogFormat(l.Format); err != nil {
			add("logging.format", "%v", err)
		}
	}
	nonNegative(add, "logging.max_size_mb", l.MaxSizeMB)
	nonNegative(add, "logging.max_age_days", l.MaxAgeDays)
	if l.File != "" && (l.File == c.Exporters.File.Path || l.File == c.Exporters.File.MetricsPath ||
		(c.Exporters.File.Path == "" && l.File == DefaultTracesPath) ||
		(c.Exporters.File.MetricsPath == "" && l.File == DefaultMetricsPath)) {
		add("logging.file", "%q is also an exporter file", l.File)
	}
	return errors.Join(errs...)
}

func nonNegative(add func(key, format string, args ...any), key string, v int) {
	if v < 0 {
		add(key, "%d is negative", v)
	}
}

// checkEndpoint accepts "host:port" and http(s) URLs with a host, and returns the URL scheme
// ("" for host:port).
func checkEndpoint(endpoint string) (scheme string, err error) {
	if strings.Contains(endpoint, "://") {
		u, err := url.Parse(endpoint)
		if err != nil {
			return "", fmt.Errorf("%q is not a valid URL", endpoint)
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			return "", fmt.Errorf("%q has scheme %q; use http, https or host:port", endpoint, u.Scheme)
		}
		if u.Host == "" {
			return "", fmt.Errorf("%q has no host", endpoint)
		}
		if u.RawQuery != "" || u.Fragment != "" {
			return "", fmt.Errorf("%q has a query or fragment", endpoint)
		}
		return u.Scheme, nil
	}
	host, port, err := net.SplitHostPort(endpoint)
	if err != nil || host == "" || port == "" || strings.ContainsAny(endpoint, "/ ") {
		return "", fmt.Errorf("%q is neither host:port nor an http(s) URL", endpoint)
	}
	return "", nil
}

// unwrapPathError drops the operation and path of an *os.PathError, which the caller already
// names.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
