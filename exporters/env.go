package exporters

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// The OTEL_* variables Setup reads itself. Each is checked as its config key is: a bad value
// is an error naming the variable, never a panic, a silent default or a value passed on to the
// SDK.
const (
	envSDKDisabled       = "OTEL_SDK_DISABLED"
	envTracesSampler     = "OTEL_TRACES_SAMPLER"
	envTracesSamplerArg  = "OTEL_TRACES_SAMPLER_ARG"
	envBSPScheduleDelay  = "OTEL_BSP_SCHEDULE_DELAY"
	envBSPExportTimeout  = "OTEL_BSP_EXPORT_TIMEOUT"
	envBSPMaxQueueSize   = "OTEL_BSP_MAX_QUEUE_SIZE"
	envBSPMaxExportBatch = "OTEL_BSP_MAX_EXPORT_BATCH_SIZE"
	envMetricInterval    = "OTEL_METRIC_EXPORT_INTERVAL"
	envMetricTimeout     = "OTEL_METRIC_EXPORT_TIMEOUT"
)

// Bounds of the queue and batch sizes, from the config or the environment.
const (
	maxQueueSizeLimit = 1_000_000
	maxDurationMillis = int64(time.Hour / time.Millisecond)
)

// Defaults of the span queues (those of the OpenTelemetry specification) and of shutdown.
const (
	DefaultMaxQueueSize       = 2048
	DefaultMaxExportBatchSize = 512
	DefaultScheduleDelay      = 5 * time.Second
	DefaultExportTimeout      = 30 * time.Second
	// DefaultShutdownTimeout bounds Telemetry.Shutdown when shutdown_timeout is unset.
	DefaultShutdownTimeout = 5 * time.Second
)

// envSettings holds the variables Setup reads itself, checked. Zero values are unset.
type envSettings struct {
	disabled bool
	sampler  sdktrace.Sampler
	batch    BatchConfig
	metrics  MetricsConfig
	otlp     map[string]otlpEnv // by signal name
}

// readEnv reads and checks every OTEL_* variable Setup honours, and reports every bad one.
func readEnv() (envSettings, error) {
	var errs []error
	var e envSettings
	if v, ok := lookupEnv(envSDKDisabled); ok {
		b, err := parseEnvBool(envSDKDisabled, v)
		addErr(&errs, err)
		e.disabled = b
	}
	s, err := envSampler()
	addErr(&errs, err)
	e.sampler = s

	q, err := envInt(envBSPMaxQueueSize, 1, maxQueueSizeLimit)
	addErr(&errs, err)
	b, err := envInt(envBSPMaxExportBatch, 1, maxQueueSizeLimit)
	addErr(&errs, err)
	e.batch.MaxQueueSize, e.batch.MaxExportBatchSize = q, b
	d, err := envMillis(envBSPScheduleDelay)
	addErr(&errs, err)
	e.batch.ScheduleDelay = Duration(d)
	d, err = envMillis(envBSPExportTimeout)
	addErr(&errs, err)
	e.batch.ExportTimeout = Duration(d)
	d, err = envMillis(envMetricInterval)
	addErr(&errs, err)
	e.metrics.ExportInterval = Duration(d)
	d, err = envMillis(envMetricTimeout)
	addErr(&errs, err)
	e.metrics.ExportTimeout = Duration(d)

	e.otlp = map[string]otlpEnv{}
	for _, sig := range []otlpSignal{tracesSignal, metricsSignal} {
		oe, err := readOTLPEnv(sig)
		addErr(&errs, err)
		e.otlp[sig.name] = oe
	}
	return e, errors.Join(errs...)
}

// addErr appends err when it is not nil.
func addErr(errs *[]error, err error) {
	if err != nil {
		*errs = append(*errs, err)
	}
}

// lookupEnv returns the trimmed value of a variable that is set and not blank.
func lookupEnv(name string) (string, bool) {
	v := strings.TrimSpace(os.Getenv(name))
	return v, v != ""
}

func parseEnvBool(name, v string) (bool, error) {
	switch strings.ToLower(v) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("%s: %q is not true or false", name, v)
}

// envInt reads a whole number in lo..hi; 0 when unset.
func envInt(name string, lo, hi int) (int, error) {
	v, ok := lookupEnv(name)
	if !ok {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %q is not a whole number", name, v)
	}
	if n < int64(lo) || n > int64(hi) {
		return 0, fmt.Errorf("%s: %d is outside %d..%d", name, n, lo, hi)
	}
	return int(n), nil
}

// envMillis reads a positive number of milliseconds, at most an hour; 0 when unset.
func envMillis(name string) (time.Duration, error) {
	v, ok := lookupEnv(name)
	if !ok {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %q is not a whole number of milliseconds", name, v)
	}
	if n < 1 || n > maxDurationMillis {
		return 0, fmt.Errorf("%s: %d is outside 1..%d milliseconds", name, n, maxDurationMillis)
	}
	return time.Duration(n) * time.Millisecond, nil
}

// envSampler builds the sampler OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG name; nil when
// the variable is unset.
func envSampler() (sdktrace.Sampler, error) {
	name, ok := lookupEnv(envTracesSampler)
	if !ok {
		return nil, nil
	}
	name = strings.ToLower(name)
	ratio := 1.0
	if v, ok := lookupEnv(envTracesSamplerArg); ok && strings.HasSuffix(name, "traceidratio") {
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(r) || r < 0 || r > 1 {
			return nil, fmt.Errorf("%s: %q is not a ratio in 0..1", envTracesSamplerArg, v)
		}
		ratio = r
	}
	switch name {
	case "always_on":
		return sdktrace.AlwaysSample(), nil
	case "always_off":
		return sdktrace.NeverSample(), nil
	case "traceidratio":
		return sdktrace.TraceIDRatioBased(ratio), nil
	case "parentbased_always_on":
		return sdktrace.ParentBased(sdktrace.AlwaysSample()), nil
	case "parentbased_always_off":
		return sdktrace.ParentBased(sdktrace.NeverSample()), nil
	case "parentbased_traceidratio":
		return sdktrace.ParentBased(sdktrace.TraceIDRatioBased(ratio)), nil
	}
	return nil, fmt.Errorf("%s: %q is not one of always_on, always_off, traceidratio, "+
		"parentbased_always_on, parentbased_always_off, parentbased_traceidratio", envTracesSampler, name)
}
