package exporters

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConfigValidate(t *testing.T) {
	pricingFile := filepath.Join(t.TempDir(), "pricing.json")
	require.NoError(t, os.WriteFile(pricingFile, []byte(`{}`), 0o600))
	missingFile := filepath.Join(t.TempDir(), "none.json")

	tests := []struct {
		name string
		cfg  Config
		want []string // one substring per expected problem; none means valid
	}{
		{name: "zero config", cfg: Config{}},
		{
			name: "seed logging pattern",
			cfg:  Config{Logging: LoggingConfig{Level: "info", Format: "%(asctime)s - %(name)s - %(levelname)s - %(message)s"}},
		},
		{name: "ratio 0 and 1 are valid", cfg: Config{Sampling: SamplingConfig{Ratio: new(0.0)}}},
		{name: "ratio above 1", cfg: Config{Sampling: SamplingConfig{Ratio: new(1.01)}}, want: []string{"sampling.ratio: 1.01 is outside 0..1"}},
		{name: "ratio below 0", cfg: Config{Sampling: SamplingConfig{Ratio: new(-0.5)}}, want: []string{"sampling.ratio: -0.5 is outside 0..1"}},
		{
			name: "protocol",
			cfg:  Config{Exporters: ExportersConfig{OTLP: OTLPConfig{Protocol: "grpcx"}}},
			want: []string{`exporters.otlp.protocol: "grpcx" is not one of grpc, http/protobuf`},
		},
		{
			name: "http/json is not supported",
			cfg:  Config{Exporters: ExportersConfig{OTLP: OTLPConfig{Protocol: "http/json"}}},
			want: []string{`exporters.otlp.protocol: "http/json" is not one of grpc, http/protobuf`},
		},
		{
			name: "compression",
			cfg:  Config{Exporters: ExportersConfig{OTLP: OTLPConfig{Compression: "zstd"}}},
			want: []string{`exporters.otlp.compression: "zstd" is not one of gzip, none`},
		},
		{
			name: "negative durations",
			cfg: Config{
				Exporters: ExportersConfig{OTLP: OTLPConfig{Timeout: Duration(-time.Second)}},
				Batch:     BatchConfig{ExportTimeout: Duration(-time.Second), ScheduleDelay: Duration(-time.Second)},
				Metrics:   MetricsConfig{ExportInterval: Duration(-time.Second), ExportTimeout: Duration(-time.Second)},
			},
			want: []string{
				"exporters.otlp.timeout: -1s is negative", "batch.export_timeout: -1s is negative",
				"batch.schedule_delay: -1s is negative", "metrics.export_interval: -1s is negative",
				"metrics.export_timeout: -1s is negative",
			},
		},
		{
			name: "negative sizes",
			cfg: Config{
				Exporters: ExportersConfig{File: FileExporterConfig{MaxSizeMB: -1, MaxAgeDays: -2}},
				Batch:     BatchConfig{MaxQueueSize: -3, MaxExportBatchSize: -4},
				Content:   ContentConfig{MaxBytes: -5},
				Logging:   LoggingConfig{MaxSizeMB: -6, MaxAgeDays: -7},
			},
			want: []string{
				"exporters.file.max_size_mb: -1 is negative", "exporters.file.max_age_days: -2 is negative",
				"batch.max_queue_size: -3 is negative", "batch.max_export_batch_size: -4 is negative",
				"content.max_bytes: -5 is negative", "logging.max_size_mb: -6 is negative",
				"logging.max_age_days: -7 is negative",
			},
		},
		{
			name: "batch larger than queue",
			cfg:  Config{Batch: BatchConfig{MaxQueueSize: 100, MaxExportBatchSize: 200}},
			want: []string{"batch.max_export_batch_size: 200 is larger than batch.max_queue_size 100"},
		},
		{
			name: "same file for spans and metrics",
			cfg:  Config{Exporters: ExportersConfig{File: FileExporterConfig{Path: "x.jsonl", MetricsPath: "x.jsonl"}}},
			want: []string{`exporters.file.metrics_path: is the same file as exporters.file.path ("x.jsonl")`},
		},
		{
			name: "log file is an exporter file",
			cfg:  Config{Logging: LoggingConfig{File: DefaultTracesPath}},
			want: []string{`logging.file: "agent_trace.jsonl" is also an exporter file`},
		},
		{
			name: "endpoint forms",
			cfg:  Config{Exporters: ExportersConfig{OTLP: OTLPConfig{Endpoint: "localhost"}}},
			want: []string{`exporters.otlp.endpoint: "localhost" is neither host:port nor an http(s) URL`},
		},
		{
			name: "endpoint scheme",
			cfg:  Config{Exporters: ExportersConfig{OTLP: OTLPConfig{Endpoint: "ftp://collector:4317"}}},
			want: []string{`exporters.otlp.endpoint: "ftp://collector:4317" has scheme "ftp"; use http, https or host:port`},
		},
		{name: "ipv6 host:port", cfg: Config{Exporters: ExportersConfig{OTLP: OTLPConfig{Endpoint: "[::1]:4317"}}}},
		{name: "https base URL", cfg: Config{Exporters: ExportersConfig{OTLP: OTLPConfig{Endpoint: "https://otlp.example.com/prefix"}}}},
		{
			name: "insecure false with http URL",
			cfg:  Config{Exporters: ExportersConfig{OTLP: OTLPConfig{Endpoint: "http://c:4318", Insecure: new(false)}}},
			want: []string{`exporters.otlp.insecure: is false but exporters.otlp.endpoint "http://c:4318" asks for plain http`},
		},
		{
			name: "insecure true with https URL",
			cfg:  Config{Exporters: ExportersConfig{OTLP: OTLPConfig{Endpoint: "https://c:4318", Insecure: new(true)}}},
			want: []string{`exporters.otlp.insecure: is true but exporters.otlp.endpoint "https://c:4318" asks for https`},
		},
		{
			name: "tls files with insecure",
			cfg:  Config{Exporters: ExportersConfig{OTLP: OTLPConfig{Insecure: new(true), TLS: TLSConfig{CAFile: "ca.pem"}}}},
			want: []string{"exporters.otlp.tls: files are set but exporters.otlp.insecure is true"},
		},
		{
			name: "cert without key",
			cfg:  Config{Exporters: ExportersConfig{OTLP: OTLPConfig{TLS: TLSConfig{CertFile: "c.pem"}}}},
			want: []string{"exporters.otlp.tls: cert_file and key_file go together; only one is set"},
		},
		{
			name: "otlp disabled with an endpoint",
			cfg:  Config{Exporters: ExportersConfig{OTLP: OTLPConfig{Enabled: new(false), Endpoint: "c:4317"}}},
			want: []string{`exporters.otlp.enabled: is false but exporters.otlp.endpoint is set to "c:4317"`},
		},
		{
			name: "empty header and attribute names",
			cfg: Config{
				ResourceAttributes: map[string]string{" ": "x"},
				Exporters:          ExportersConfig{OTLP: OTLPConfig{Headers: map[string]string{"": "x"}}},
			},
			want: []string{"resource_attributes: an attribute name is empty", "exporters.otlp.headers: a header name is empty"},
		},
		{name: "pricing file exists", cfg: Config{Pricing: pricingFile}},
		{
			name: "pricing file missing",
			cfg:  Config{Pricing: missingFile},
			want: []string{`pricing: cannot read "` + missingFile + `": no such file or directory`},
		},
		{name: "pricing is a directory", cfg: Config{Pricing: t.TempDir()}, want: []string{"is not a regular file"}},
		{
			name: "log level and format",
			cfg:  Config{Logging: LoggingConfig{Level: "verbose", Format: "xml"}},
			want: []string{
				`logging.level: "verbose" is not one of DEBUG, INFO, WARN, WARNING, ERROR, CRITICAL`,
				`logging.format: "xml" is not json, text, or a %-style pattern`,
			},
		},
		{
			name: "unknown pattern placeholder",
			cfg:  Config{Logging: LoggingConfig{Format: "%(asctime)s %(funcName)s"}},
			want: []string{"logging.format: unknown placeholder %(funcName)s"},
		},
		{name: "nothing to export is left to Setup", cfg: Config{Exporters: ExportersConfig{File: FileExporterConfig{Enabled: new(false)}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if len(tc.want) == 0 {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Len(t, strings.Split(err.Error(), "\n"), len(tc.want), "one line per problem: %v", err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestConfigWithDefaults(t *testing.T) {
	got := Config{}.withDefaults()
	assert.Equal(t, DefaultTracesPath, got.Exporters.File.Path)
	assert.Equal(t, DefaultMetricsPath, got.Exporters.File.MetricsPath)
	assert.Equal(t, DefaultContentMaxBytes, got.Content.MaxBytes)
	assert.Equal(t, DefaultLogLevel, got.Logging.Level)
	assert.Equal(t, DefaultLogFormat, got.Logging.Format)
	require.NotNil(t, got.Logging.Console)
	assert.True(t, *got.Logging.Console)
	// Settings the environment may decide stay unset.
	assert.Empty(t, got.ServiceName)
	assert.Nil(t, got.Sampling.Ratio)
	assert.Empty(t, got.Exporters.OTLP.Protocol)
	assert.Zero(t, got.Exporters.OTLP.Timeout)

	headers := map[string]string{"a": "1"}
	c := Config{Exporters: ExportersConfig{OTLP: OTLPConfig{Headers: headers}}}.withDefaults()
	c.Exporters.OTLP.Headers["a"] = "2"
	assert.Equal(t, "1", headers["a"], "withDefaults copies maps")
}

func TestDurationText(t *testing.T) {
	var d Duration
	require.NoError(t, d.UnmarshalText([]byte(" 1m30s ")))
	assert.Equal(t, Duration(90*time.Second), d)
	text, err := d.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "1m30s", string(text))
	assert.EqualError(t, d.UnmarshalText([]byte("10")), `"10" is not a duration such as "10s" or "1m30s"`)
}
