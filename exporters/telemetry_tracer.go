package exporters

import (
	"log/slog"
	"maps"
	"sync"

	"go.opentelemetry.io/otel/trace"

	"github.com/agenttrace/otelagent/otelagent"
)

// Tracer returns an otelagent.Tracer on t's providers with the config's instrumentation
// settings applied: the pricing file named by pricing (loaded by Setup), content.capture when
// set, and content.max_bytes; then opts, which win over them. Each call returns a new Tracer.
// On a nil t it returns a Tracer on no-op providers.
func (t *Telemetry) Tracer(opts ...otelagent.Option) *otelagent.Tracer {
	base := []otelagent.Option{otelagent.WithTracerProvider(t.TracerProvider()), otelagent.WithMeterProvider(t.MeterProvider())}
	if t != nil {
		if t.pricing != nil {
			base = append(base, otelagent.WithPricing(maps.Clone(t.pricing)))
		}
		if c := t.cfg.Content.Capture; c != nil {
			base = append(base, otelagent.WithContentCapture(*c))
		}
		base = append(base, otelagent.WithMaxContentBytes(t.cfg.Content.MaxBytes))
	}
	return otelagent.New(append(base, opts...)...)
}

// configHintProvider is the global TracerProvider Setup installs when the config has settings
// that only Telemetry.Tracer applies (pricing, content capture). A Tracer that otelagent.New
// builds on the globals asks it for the otelagent scope; the first such request logs, once,
// that those settings do not reach that Tracer. Telemetry.Tracer uses the SDK provider
// directly, so it never triggers the hint.
type configHintProvider struct {
	trace.TracerProvider
	once sync.Once
	warn func()
}

func (p *configHintProvider) Tracer(name string, opts ...trace.TracerOption) trace.Tracer {
	if name == otelagent.ScopeName {
		p.once.Do(p.warn)
	}
	return p.TracerProvider.Tracer(name, opts...)
}

// globalTracerProvider returns the provider to install as the global: t.tp, wrapped in a
// configHintProvider when the config has instrumentation settings.
func (t *Telemetry) globalTracerProvider() trace.TracerProvider {
	var settings []any
	if t.cfg.Pricing != "" {
		settings = append(settings, "pricing", t.cfg.Pricing)
	}
	if t.cfg.Content.Capture != nil {
		settings = append(settings, "content.capture", *t.cfg.Content.Capture)
	}
	if len(settings) == 0 {
		return t.tp
	}
	logger := t.logger
	return &configHintProvider{TracerProvider: t.tp, warn: func() {
		logger.Warn("a Tracer from otelagent.New on the global providers does not get the config's "+
			"pricing and content settings; build it with Telemetry.Tracer", slog.Group("config", settings...))
	}}
}
