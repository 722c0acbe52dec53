package exporters

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

func TestLoadConfigSeedFileUnchanged(t *testing.T) {
	cfg, err := LoadConfig(filepath.Join("testdata", "config", "seed.json"))
	require.NoError(t, err)

	want := Config{Logging: LoggingConfig{
		Level:   "INFO",
		Format:  "%(asctime)s - %(name)s - %(levelname)s - %(message)s",
		File:    "agent_trace.log",
		Console: new(true),
	}}
	assert.Equal(t, want, cfg)
}

func TestLoadConfigEveryKey(t *testing.T) {
	want := Config{
		ServiceName:        "support-desk",
		ResourceAttributes: map[string]string{"deployment.environment.name": "staging", "team": "agents"},
		Sampling:           SamplingConfig{Ratio: new(0.25)},
		Exporters: ExportersConfig{
			File: FileExporterConfig{
				Enabled: new(true), Path: "out/spans.jsonl", MetricsPath: "out/metrics.jsonl",
				MaxSizeMB: 10, MaxBackups: 3, MaxAgeDays: 7, Compress: true,
			},
			OTLP: OTLPConfig{
				Enabled: new(true), Endpoint: "collector:4317", Protocol: ProtocolGRPC,
				Headers: map[string]string{"authorization": "Bearer abc"}, Insecure: new(true),
				Timeout: Duration(5 * time.Second), Compression: CompressionGzip,
			},
		},
		Batch: BatchConfig{
			MaxQueueSize: 4096, MaxExportBatchSize: 256, ExportTimeout: Duration(20 * time.Second),
			ScheduleDelay: Duration(500 * time.Millisecond), Blocking: true,
		},
		Metrics: MetricsConfig{ExportInterval: Duration(15 * time.Second), ExportTimeout: Duration(5 * time.Second)},
		Content: ContentConfig{Capture: new(true), MaxBytes: 4096},
		Logging: LoggingConfig{
			Level: "debug", Format: LogFormatJSON, File: "out/agent.log", Console: new(false),
			MaxSizeMB: 20, MaxBackups: 2, MaxAgeDays: 1, Compress: true,
		},
	}
	for _, name := range []string{"full.yaml", "full.json"} {
		t.Run(name, func(t *testing.T) {
			cfg, err := LoadConfig(filepath.Join("testdata", "config", name))
			require.NoError(t, err)
			assert.Equal(t, want, cfg)
		})
	}
}

func TestLoadConfigEmptyFile(t *testing.T) {
	cfg, err := LoadConfig(filepath.Join("testdata", "config", "empty.yaml"))
	require.NoError(t, err)
	assert.Equal(t, Config{}, cfg)
}

func TestLoadConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []string // substrings of the error, each a separate problem
	}{
		{
			name: "unsupported extension",
			file: "config.toml",
			want: []string{`unsupported extension ".toml"; use .json, .yaml or .yml`},
		},
		{
			name: "missing file",
			file: "absent.yaml",
			want: []string{"absent.yaml", "no such file"},
		},
		{
			name: "unknown key in yaml names its path and a suggestion",
			file: "unknown_key.yaml",
			want: []string{`exporters.otlp.endpont (line 3): unknown key; did you mean "endpoint"?`},
		},
		{
			name: "unknown keys in json, nested and top level",
			file: "unknown_key.json",
			want: []string{
				"exporters.file.rotate (line 1): unknown key; known keys: enabled, path, metrics_path",
				"colour (line 1): unknown key; known keys: service_name",
			},
		},
		{
			name: "bad values, all reported",
			file: "bad_values.yaml",
			want: []string{
				"sampling.ratio: 1.5 is outside 0..1",
				`exporters.otlp.protocol: "grpcx" is not one of grpc, http/protobuf`,
				`exporters.otlp.compression: "zstd" is not one of gzip, none`,
				`logging.level: "loud" is not one of DEBUG, INFO, WARN, WARNING, ERROR, CRITICAL`,
			},
		},
		{
			name: "wrong types",
			file: "bad_types.yaml",
			want: []string{
				`exporters.file.max_size_mb (line 3): expected a whole number, got the string "lots"`,
				`exporters.file.compress (line 4): expected a boolean (true or false), got the string "yes"`,
				"exporters.otlp.headers (line 6): expected a mapping of names to strings, got a list",
				`batch.schedule_delay (line 8): expected a duration string such as "10s", got 5`,
			},
		},
		{
			name: "type errors and value errors in one pass",
			file: "types_and_values.yaml",
			want: []string{
				`exporters.file.max_size_mb (line 5): expected a whole number, got the string "lots"`,
				"sampling.ratio: 1.5 is outside 0..1",
				`exporters.otlp.protocol: "grpcx" is not one of grpc, http/protobuf`,
			},
		},
		{
			name: "bad duration",
			file: "bad_duration.json",
			want: []string{`exporters.otlp.timeout (line 1): "10 seconds" is not a duration such as "10s" or "1m30s"`},
		},
		{
			name: "json syntax",
			file: "bad_syntax.json",
			want: []string{"line 1: invalid JSON"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadConfig(filepath.Join("testdata", "config", tc.file))
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestLoadConfigExtensionCaseAndYML(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"c.YAML", "c.yml", "c.JSON"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			body := "service_name: a\n"
			if filepath.Ext(name) == ".JSON" {
				body = `{"service_name": "a"}`
			}
			require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
			cfg, err := LoadConfig(path)
			require.NoError(t, err)
			assert.Equal(t, "a", cfg.ServiceName)
		})
	}
}

func TestLoadConfigNullLeavesUnset(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	require.NoError(t, os.WriteFile(path, []byte("sampling:\n  ratio: null\nlogging:\n  console:\n"), 0o600))
	cfg, err := LoadConfig(path)
	require.NoError(t, err)
	assert.Nil(t, cfg.Sampling.Ratio)
	assert.Nil(t, cfg.Logging.Console)
}

func TestLoadConfigYAMLAnchorsAndWholeNumberRatio(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	body := "sampling: {ratio: 1}\nresource_attributes: &attrs {team: a, build: 7}\n"
	require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
	cfg, err := LoadConfig(path)
	require.NoError(t, err)
	require.NotNil(t, cfg.Sampling.Ratio)
	assert.Equal(t, 1.0, *cfg.Sampling.Ratio)
	assert.Equal(t, map[string]string{"team": "a", "build": "7"}, cfg.ResourceAttributes)
}

// TestConfigMarshalRoundTrip writes a loaded Config back as YAML and JSON, as a command
// printing the effective configuration would, and loads it again unchanged.
func TestConfigMarshalRoundTrip(t *testing.T) {
	for _, start := range []string{"full.yaml", "seed.json", "empty.yaml"} {
		want, err := LoadConfig(filepath.Join("testdata", "config", start))
		require.NoError(t, err)
		for _, format := range []string{"yaml", "json"} {
			t.Run(start+" as "+format, func(t *testing.T) {
				var data []byte
				var err error
				if format == "yaml" {
					data, err = yaml.Marshal(want)
				} else {
					data, err = json.MarshalIndent(want, "", "  ")
				}
				require.NoError(t, err)
				path := filepath.Join(t.TempDir(), "c."+format)
				require.NoError(t, os.WriteFile(path, data, 0o600))
				got, err := LoadConfig(path)
				require.NoError(t, err, string(data))
				assert.Equal(t, want, got)
			})
		}
	}
}

// TestLoadConfigDesignExample loads the design document's example; its pricing file must
// exist, relative to the working directory.
func TestLoadConfigDesignExample(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "config", "design.yaml"))
	require.NoError(t, err)
	t.Chdir(t.TempDir())
	require.NoError(t, os.WriteFile("design.yaml", data, 0o600))

	_, err = LoadConfig("design.yaml")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `pricing: cannot read "pricing.json": no such file or directory`)

	require.NoError(t, os.WriteFile("pricing.json", []byte(`{}`), 0o600))
	cfg, err := LoadConfig("design.yaml")
	require.NoError(t, err)
	assert.Equal(t, "my-agents", cfg.ServiceName)
	assert.Equal(t, "localhost:4317", cfg.Exporters.OTLP.Endpoint)
	assert.Equal(t, Duration(10*time.Second), cfg.Exporters.OTLP.Timeout)
	require.NotNil(t, cfg.Content.Capture)
	assert.False(t, *cfg.Content.Capture)
}
