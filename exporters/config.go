package exporters

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"strings"
	"time"

	"github.com/agenttrace/otelagent/internal/otlpenv"
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
	// Pricing is the path of a pricing JSON file (see otelagent.LoadPricing), merged over the
	// built-in list prices (otelagent.DefaultPricing). Empty means the built-in prices alone.
	// Validate checks that the file exists, Setup loads it (a bad file is a Setup error) and
	// Telemetry.Tracer applies it.
	Pricing string        `yaml:"pricing,omitempty" json:"pricing,omitempty"`
	Logging LoggingConfig `yaml:"logging,omitempty" json:"logging,omitempty"`
	// ShutdownTimeout bounds Telemetry.Shutdown as a whole (the file exporters first, then
	// OTLP). Default DefaultShutdownTimeout; a shorter deadline on Shutdown's context wins.
	ShutdownTimeout Duration `yaml:"shutdown_timeout,omitempty" json:"shutdown_timeout,omitempty"`
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
	// Enabled turns the file exporters on or off. When nil they are on, also when OTLP export
	// is on: the local copy is cheap and survives a collector outage.
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
	// means what OTEL_EXPORTER_OTLP_ENDPOINT and replay's --endpoint mean (otlpenv.Endpoint):
	// for HTTP it is a base to which /v1/traces and /v1/metrics are appended (a path already
	// ending in one of them has it replaced); a URL's scheme decides TLS (http: plain, https:
	// TLS); a bare host:port uses TLS unless Insecure is true.
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

// BatchConfig configures the span queue of every span exporter. Zero values leave the
// settings to OTEL_BSP_* and then to the defaults: a queue of DefaultMaxQueueSize spans
// (at most 1,000,000), batches of DefaultMaxExportBatchSize, DefaultScheduleDelay between
// exports, DefaultExportTimeout per export.
type BatchConfig struct {
	MaxQueueSize       int      `yaml:"max_queue_size,omitempty" json:"max_queue_size,omitempty"`
	MaxExportBatchSize int      `yaml:"max_export_batch_size,omitempty" json:"max_export_batch_size,omitempty"`
	ExportTimeout      Duration `yaml:"export_timeout,omitempty" json:"export_timeout,omitempty"`
	ScheduleDelay      Duration `yaml:"schedule_delay,omitempty" json:"schedule_delay,omitempty"`
	// Blocking makes a span's End wait for room in the OTLP queue instead of dropping the span
	// (counted on otelagent.spans.dropped) when the queue is full. The default, false, drops.
	// The file's queue always waits.
	Blocking bool `yaml:"blocking,omitempty" json:"blocking,omitempty"`
}

// MetricsConfig configures the periodic metric readers. Zero values leave the settings to
// OTEL_METRIC_EXPORT_INTERVAL / OTEL_METRIC_EXPORT_TIMEOUT and the SDK defaults (60s, 30s).
type MetricsConfig struct {
	ExportInterval Duration `yaml:"export_interval,omitempty" json:"export_interval,omitempty"`
	ExportTimeout  Duration `yaml:"export_timeout,omitempty" json:"export_timeout,omitempty"`
}

// ContentConfig says whether message content goes on spans. Telemetry.Tracer applies it
// (otelagent.WithContentCapture, otelagent.WithMaxContentBytes); a Tracer built otherwise
// does not see it.
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
	var p problems
	for k := range c.ResourceAttributes {
		if strings.TrimSpace(k) == "" {
			p.add("resource_attributes", "an attribute name is empty")
		}
	}
	c.Sampling.validate(&p)
	c.Exporters.File.validate(&p)
	c.Exporters.OTLP.validate(&p)
	c.Batch.validate(&p)
	c.Metrics.validate(&p)
	p.nonNegative("content.max_bytes", c.Content.MaxBytes)
	if c.Pricing != "" {
		if info, err := os.Stat(c.Pricing); err != nil {
			p.add("pricing", "cannot read %q: %v", c.Pricing, unwrapPathError(err))
		} else if !info.Mode().IsRegular() {
			p.add("pricing", "%q is not a regular file", c.Pricing)
		}
	}
	c.Logging.validate(&p, c.Exporters.File)
	p.nonNegativeDuration("shutdown_timeout", c.ShutdownTimeout)
	return errors.Join(p.errs...)
}

// problems collects the errors of a validation, each prefixed with its key path.
type problems struct{ errs []error }

// on reports whether the file exporters run: unless Enabled is false.
func (f FileExporterConfig) on() bool { return f.Enabled == nil || *f.Enabled }

// checkAgainstEnv reports the contradictions between c and the OTEL_* variables that neither
// shows alone.
func (c Config) checkAgainstEnv(env envSettings) error {
	q, qName := c.Batch.MaxQueueSize, "batch.max_queue_size"
	if q == 0 {
		q, qName = env.batch.MaxQueueSize, envBSPMaxQueueSize
	}
	b, bName := c.Batch.MaxExportBatchSize, "batch.max_export_batch_size"
	if b == 0 {
		b, bName = env.batch.MaxExportBatchSize, envBSPMaxExportBatch
	}
	if q == 0 {
		q, qName = DefaultMaxQueueSize, "the default queue size"
	}
	if b > q && (c.Batch.MaxQueueSize == 0 || c.Batch.MaxExportBatchSize == 0) {
		return fmt.Errorf("%s: %d is larger than %s %d", bName, b, qName, q)
	}
	return nil
}

func (p *problems) add(key, format string, args ...any) {
	p.errs = append(p.errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
}

func (p *problems) nonNegative(key string, v int) {
	if v < 0 {
		p.add(key, "%d is negative", v)
	}
}

func (p *problems) nonNegativeDuration(key string, d Duration) {
	if d < 0 {
		p.add(key, "%s is negative", d)
	}
}

func (c SamplingConfig) validate(p *problems) {
	if r := c.Ratio; r != nil && (math.IsNaN(*r) || *r < 0 || *r > 1) {
		p.add("sampling.ratio", "%v is outside 0..1", *r)
	}
}

func (f FileExporterConfig) validate(p *problems) {
	p.nonNegative("exporters.file.max_size_mb", f.MaxSizeMB)
	p.nonNegative("exporters.file.max_age_days", f.MaxAgeDays)
	if f.Path != "" && f.Path == f.MetricsPath {
		p.add("exporters.file.metrics_path", "is the same file as exporters.file.path (%q); spans and metrics need files of their own", f.Path)
	}
}

func (o OTLPConfig) validate(p *problems) {
	if o.Protocol != "" && o.Protocol != ProtocolGRPC && o.Protocol != ProtocolHTTPProtobuf {
		p.add("exporters.otlp.protocol", "%q is not one of %s, %s", o.Protocol, ProtocolGRPC, ProtocolHTTPProtobuf)
	}
	if o.Compression != "" && o.Compression != CompressionGzip && o.Compression != CompressionNone {
		p.add("exporters.otlp.compression", "%q is not one of %s, %s", o.Compression, CompressionGzip, CompressionNone)
	}
	p.nonNegativeDuration("exporters.otlp.timeout", o.Timeout)
	if o.Endpoint != "" {
		if scheme, err := checkEndpoint(o.Endpoint); err != nil {
			p.add("exporters.otlp.endpoint", "%v", err)
		} else if scheme == "http" && o.Insecure != nil && !*o.Insecure {
			p.add("exporters.otlp.insecure", "is false but exporters.otlp.endpoint %q asks for plain http", redactURL(o.Endpoint))
		} else if scheme == "https" && o.Insecure != nil && *o.Insecure {
			p.add("exporters.otlp.insecure", "is true but exporters.otlp.endpoint %q asks for https", redactURL(o.Endpoint))
		}
	}
	for k := range o.Headers {
		if strings.TrimSpace(k) == "" {
			p.add("exporters.otlp.headers", "a header name is empty")
		}
	}
	if (o.TLS.CertFile == "") != (o.TLS.KeyFile == "") {
		p.add("exporters.otlp.tls", "cert_file and key_file go together; only one is set")
	}
	if o.TLS != (TLSConfig{}) && o.Insecure != nil && *o.Insecure {
		p.add("exporters.otlp.tls", "files are set but exporters.otlp.insecure is true")
	}
	if o.Enabled != nil && !*o.Enabled && o.Endpoint != "" {
		p.add("exporters.otlp.enabled", "is false but exporters.otlp.endpoint is set to %q", redactURL(o.Endpoint))
	}
}

func (b BatchConfig) validate(p *problems) {
	p.nonNegative("batch.max_queue_size", b.MaxQueueSize)
	p.nonNegative("batch.max_export_batch_size", b.MaxExportBatchSize)
	if b.MaxQueueSize > maxQueueSizeLimit {
		p.add("batch.max_queue_size", "%d is larger than %d", b.MaxQueueSize, maxQueueSizeLimit)
	}
	if b.MaxQueueSize > 0 && b.MaxExportBatchSize > b.MaxQueueSize {
		p.add("batch.max_export_batch_size", "%d is larger than batch.max_queue_size %d", b.MaxExportBatchSize, b.MaxQueueSize)
	}
	p.nonNegativeDuration("batch.export_timeout", b.ExportTimeout)
	p.nonNegativeDuration("batch.schedule_delay", b.ScheduleDelay)
}

func (m MetricsConfig) validate(p *problems) {
	p.nonNegativeDuration("metrics.export_interval", m.ExportInterval)
	p.nonNegativeDuration("metrics.export_timeout", m.ExportTimeout)
}

// validate checks the logging settings; files names the exporter files, which the log file
// must not be.
func (l LoggingConfig) validate(p *problems, files FileExporterConfig) {
	if l.Level != "" {
		if _, err := parseLogLevel(l.Level); err != nil {
			p.add("logging.level", "%v", err)
		}
	}
	if l.Format != "" {
		if _, err := parseLogFormat(l.Format); err != nil {
			p.add("logging.format", "%v", err)
		}
	}
	p.nonNegative("logging.max_size_mb", l.MaxSizeMB)
	p.nonNegative("logging.max_age_days", l.MaxAgeDays)
	if l.File != "" && (l.File == files.Path || l.File == files.MetricsPath ||
		(files.Path == "" && l.File == DefaultTracesPath) ||
		(files.MetricsPath == "" && l.File == DefaultMetricsPath)) {
		p.add("logging.file", "%q is also an exporter file", l.File)
	}
}

// checkEndpoint accepts what otlpenv.ParseEndpoint accepts, without a query or fragment (the
// OTLP exporters cannot send them), and returns the URL scheme ("" for host:port).
func checkEndpoint(endpoint string) (scheme string, err error) {
	e, err := otlpenv.ParseEndpoint(endpoint)
	if err != nil {
		return "", fmt.Errorf("%q %w", redactURL(endpoint), err)
	}
	if e.URL != nil && (e.URL.RawQuery != "" || e.URL.Fragment != "") {
		return "", fmt.Errorf("%q has a query or fragment", redactURL(endpoint))
	}
	return e.Scheme, nil
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
