package exporters

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/agenttrace/otelagent/internal/otlpenv"
)

// otlpEnv is what the OTEL_EXPORTER_OTLP_* variables say for one signal, checked. The
// signal's own variable wins over the general one, as in the OpenTelemetry exporters.
type otlpEnv struct {
	// endpoint is true when an endpoint variable is set.
	endpoint bool
	// resolved is the endpoint the variables give (otlpenv.EndpointFromEnv), when set.
	resolved otlpenv.Endpoint
	// headers are the parsed headers; nil when no headers variable is set.
	headers map[string]string
}

// otlpVars returns the signal's variable NAME (OTEL_EXPORTER_OTLP_TRACES_NAME) and the general
// one (OTEL_EXPORTER_OTLP_NAME).
func otlpVars(s otlpSignal, name string) []string {
	return []string{"OTEL_EXPORTER_OTLP_" + strings.ToUpper(s.name) + "_" + name, "OTEL_EXPORTER_OTLP_" + name}
}

// readOTLPEnv checks every OTEL_EXPORTER_OTLP_* variable of the signal and its general form.
// Errors name the variable and never hold a header value, a URL's password or query values.
func readOTLPEnv(s otlpSignal) (otlpEnv, error) {
	var e otlpEnv
	var errs []error
	for _, name := range otlpVars(s, "ENDPOINT") {
		if v, ok := lookupEnv(name); ok {
			e.endpoint = true
			if _, err := checkEndpoint(v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
			}
		}
	}
	for i, name := range otlpVars(s, "HEADERS") {
		v, ok := lookupEnv(name)
		if !ok {
			continue
		}
		h, err := otlpenv.ParseHeaders(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		if i == 0 || e.headers == nil {
			e.headers = h
		}
	}
	if e.endpoint && len(errs) == 0 {
		e.resolved, _, _ = otlpenv.EndpointFromEnv(func(name string) string { v, _ := lookupEnv(name); return v }, s.name)
	}
	for _, name := range otlpVars(s, "TIMEOUT") {
		if _, err := envMillis(name); err != nil {
			errs = append(errs, err)
		}
	}
	for _, name := range otlpVars(s, "COMPRESSION") {
		if v, ok := lookupEnv(name); ok && v != CompressionGzip && v != CompressionNone {
			errs = append(errs, fmt.Errorf("%s: %q is not one of %s, %s", name, v, CompressionGzip, CompressionNone))
		}
	}
	for _, name := range otlpVars(s, "INSECURE") {
		if v, ok := lookupEnv(name); ok {
			if _, err := parseEnvBool(name, v); err != nil {
				errs = append(errs, err)
			}
		}
	}
	for _, file := range []string{"CERTIFICATE", "CLIENT_CERTIFICATE", "CLIENT_KEY"} {
		for _, name := range otlpVars(s, file) {
			if v, ok := lookupEnv(name); ok {
				if _, err := os.Stat(v); err != nil {
					errs = append(errs, fmt.Errorf("%s: cannot read %q: %w", name, v, unwrapPathError(err)))
				}
			}
		}
	}
	return e, errors.Join(errs...)
}
