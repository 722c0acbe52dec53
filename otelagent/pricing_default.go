package otelagent

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"regexp"
	"strings"
)

// defaultPricingJSON is the embedded list-price table: dated, with its source, and read once.
//
//go:embed pricing_default.json
var defaultPricingJSON []byte

// defaultPrices is the decoded embedded table.
var defaultPrices = mustParseDefaultPricing(defaultPricingJSON)

type defaultPricingFile struct {
	AsOf   string  `json:"as_of"`
	Source string  `json:"source"`
	Models Pricing `json:"models"`
}

func parseDefaultPricing(data []byte) (defaultPricingFile, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f defaultPricingFile
	if err := dec.Decode(&f); err != nil {
		return f, err
	}
	if f.AsOf == "" || f.Source == "" || len(f.Models) == 0 {
		return f, fmt.Errorf("as_of, source and models are required")
	}
	return f, f.Models.Validate()
}

// mustParseDefaultPricing panics only on a broken embedded file, which a test rules out.
func mustParseDefaultPricing(data []byte) defaultPricingFile {
	f, err := parseDefaultPricing(data)
	if err != nil {
		panic("otelagent: embedded pricing_default.json: " + err.Error())
	}
	return f
}

// DefaultPricing returns a copy of the embedded price table that New uses unless
// WithDefaultPricing(false) is given: list prices of current OpenAI and Anthropic models in US
// dollars per million tokens, as of the date that Stats.PricingAsOf reports. Safe for
// concurrent use.
func DefaultPricing() Pricing { return maps.Clone(defaultPrices.Models) }

// WithDefaultPricing turns the embedded list-price table (DefaultPricing) on or off. The default
// is on. A WithPricing table is merged over it model by model: a user entry replaces the default
// entry of the same name, and default entries the user does not name stay. With the defaults off
// and no WithPricing, nothing is priced and every cost is zero.
func WithDefaultPricing(on bool) Option {
	return optionFunc(func(c *config) { c.noDefaultPricing = !on })
}

// snapshotSuffix matches what providers append to a model family to name a snapshot: a date
// ("-2024-08-06", "-20250929", Vertex's "@20250514"), optionally with Bedrock's version
// ("-v1:0"), or "-latest".
var snapshotSuffix = regexp.MustCompile(`(?:[-@](?:\d{4}-\d{2}-\d{2}|\d{8})(?:-v\d+(?::\d+)?)?|-latest)$`)

// modelFamily returns model without a provider prefix ("openai/gpt-4o", Bedrock's
// "us.anthropic.claude-...") and without a snapshot suffix: the name price tables use.
func modelFamily(model string) string {
	if i := strings.LastIndexByte(model, '/'); i >= 0 {
		model = model[i+1:]
	}
	if i := strings.Index(model, "anthropic."); i >= 0 {
		model = model[i+len("anthropic."):]
	}
	return snapshotSuffix.ReplaceAllLiteralString(model, "")
}

// init sets the Tracer's prices: the default table (unless turned off) with the user's entries
// merged over it.
func (x *priceIndex) init(c config) {
	x.prefix = c.pricing
	if c.noDefaultPricing {
		x.table = c.pricing
		return
	}
	x.asOf = defaultPrices.AsOf
	x.table = maps.Clone(defaultPrices.Models)
	for name, mp := range c.pricing {
		x.table[name] = mp
	}
}

// resolve finds the price of model as Pricing.Lookup does, except that default entries never
// match by prefix: the exact name or family in the merged table, else a prefix among the user's
// entries. So a model released after the table ("claude-opus-4-6") is reported unpriced rather
// than costed as an older one ("claude-opus-4"), and with the defaults off resolve is Lookup.
func (x *priceIndex) resolve(model string) (ModelPrice, bool) {
	if mp, ok := x.table.byName(model); ok {
		return mp, true
	}
	return x.prefix.byPrefix(model)
}

// warnUnpriced logs, once per model, that a model's tokens are counted without a cost.
func warnUnpriced(model, asOf string) {
	slog.Warn("otelagent: model has no price; its tokens count but its cost does not (add it with WithPricing)",
		"model", model, "default_pricing_as_of", asOf)
}
