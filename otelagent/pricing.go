package otelagent

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync/atomic"
)

// ModelPrice is what a model costs, in US dollars per million tokens.
type ModelPrice struct {
	// Input is the price of an input token that is neither read from nor written to a cache.
	Input float64 `json:"input"`
	// Output is the price of an output token, reasoning included.
	Output float64 `json:"output"`
	// CacheRead is the price of an input token read from the provider's prompt cache.
	// 0 means no discount is known: Input is charged and no saving is claimed.
	CacheRead float64 `json:"cache_read,omitempty"`
	// CacheWrite is the price of an input token written to the provider's prompt cache.
	// 0 means Input.
	CacheWrite float64 `json:"cache_write,omitempty"`
}

// Pricing maps a model name to its price. A model is found as Lookup says. A model not found
// costs nothing and is listed in Stats.UnpricedModels.
type Pricing map[string]ModelPrice

// LoadPricing reads a Pricing from a JSON file:
//
//	{"gpt-4o": {"input": 2.5, "output": 10, "cache_read": 1.25}, "claude-sonnet-4": {...}}
func LoadPricing(path string) (Pricing, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("otelagent: pricing: %w", err)
	}
	p, err := ParsePricing(data)
	if err != nil {
		return nil, fmt.Errorf("otelagent: pricing file %s: %w", path, err)
	}
	return p, nil
}

// ParsePricing decodes the JSON of LoadPricing and validates it (see Pricing.Validate).
// Unknown fields, values of the wrong type, empty model names and invalid prices are errors
// naming the model and field; on error no table is returned.
func ParsePricing(data []byte) (Pricing, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, errors.New("expected a JSON object of model prices")
	}
	p := make(Pricing, len(raw))
	var errs []error
	for _, model := range sortedKeys(raw) {
		dec := json.NewDecoder(bytes.NewReader(raw[model]))
		dec.DisallowUnknownFields()
		var mp ModelPrice
		if err := dec.Decode(&mp); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", model, err))
			continue
		}
		p[model] = mp
	}
	if err := errors.Join(append(errs, p.Validate())...); err != nil {
		return nil, err
	}
	return p, nil
}

// maxPrice bounds a price, in US dollars per million tokens, so that any valid usage costs a
// finite amount.
const maxPrice = 1e9

// Validate reports empty model names and prices that are negative, not finite or above 1e9
// US dollars per million tokens (so every cost stays finite), naming the model and field of
// each.
func (p Pricing) Validate() error {
	var errs []error
	for _, model := range p.models() {
		if err := p.validateEntry(model); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (p Pricing) validateEntry(model string) error {
	if strings.TrimSpace(model) == "" {
		return errors.New("empty model name")
	}
	mp := p[model]
	var errs []error
	for _, f := range []struct {
		name string
		v    float64
	}{{"input", mp.Input}, {"output", mp.Output}, {"cache_read", mp.CacheRead}, {"cache_write", mp.CacheWrite}} {
		if !(f.v >= 0 && f.v <= maxPrice) { // false for NaN too
			errs = append(errs, fmt.Errorf("%s.%s: %v is not a price (USD per million tokens, 0 to 1e9)", model, f.name, f.v))
		}
	}
	return errors.Join(errs...)
}

// valid returns a copy of p without its invalid entries, and the error naming them.
func (p Pricing) valid() (Pricing, error) {
	if p == nil {
		return nil, nil
	}
	c := make(Pricing, len(p))
	var errs []error
	for _, model := range p.models() {
		if err := p.validateEntry(model); err != nil {
			errs = append(errs, err)
			continue
		}
		c[model] = p[model]
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("otelagent: pricing entries ignored: %w", errors.Join(errs...))
	}
	return c, nil
}

// Lookup returns the price of model and whether the table knows it. A model is found, in
// order, by its exact name; by its family, the name without a provider prefix
// ("openai/gpt-4o", "us.anthropic.claude-...") or snapshot suffix ("-2024-08-06", "@20250514",
// "-latest"); by the longest entry that is a prefix of it followed by '-', '@' or ':' ("gpt-4o"
// prices "gpt-4o-mini"), tried on the name and on the name without its provider prefix. A
// Tracer given this table and WithDefaultPricing(false) prices every model as Lookup does.
func (p Pricing) Lookup(model string) (ModelPrice, bool) {
	if mp, ok := p.byName(model); ok {
		return mp, true
	}
	return p.byPrefix(model)
}

// byName finds model by its exact name, else by its family (modelFamily).
func (p Pricing) byName(model string) (ModelPrice, bool) {
	if mp, ok := p[model]; ok {
		return mp, true
	}
	mp, ok := p[modelFamily(model)]
	return mp, ok
}

// byPrefix finds the longest entry that is a prefix of model followed by '-', '@' or ':',
// trying model and then model without its provider prefix.
func (p Pricing) byPrefix(model string) (ModelPrice, bool) {
	if mp, ok := p.longestPrefix(model); ok {
		return mp, true
	}
	if i := strings.LastIndexByte(model, '/'); i >= 0 {
		return p.longestPrefix(model[i+1:])
	}
	return ModelPrice{}, false
}

func (p Pricing) longestPrefix(model string) (ModelPrice, bool) {
	best, found := "", false
	for name := range p {
		if len(name) > len(best) && len(model) > len(name) && strings.HasPrefix(model, name) &&
			strings.ContainsRune("-@:", rune(model[len(name)])) {
			best, found = name, true
		}
	}
	if !found {
		return ModelPrice{}, false
	}
	return p[best], true
}

func (p Pricing) models() []string { return sortedKeys(p) }

func sortedKeys[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (mp ModelPrice) cacheReadPrice() float64 {
	if mp.CacheRead == 0 {
		return mp.Input
	}
	return mp.CacheRead
}

func (mp ModelPrice) cacheWritePrice() float64 {
	if mp.CacheWrite == 0 {
		return mp.Input
	}
	return mp.CacheWrite
}

// Cost is what u costs at mp and what its cache reads saved, in US dollars. Input tokens
// that are neither read from nor written to the provider's cache cost Input, cache reads
// CacheRead, cache writes CacheWrite, output tokens Output; savedByCacheRead is
// CacheReadTokens * (Input - CacheRead). An unset (0) CacheRead or CacheWrite means Input, so
// no saving is claimed. Sums are taken in float64, so counts near math.MaxInt64 cannot wrap;
// with a valid Pricing both results are finite. Statistics, span attributes, metrics and the
// report all price usage by this rule.
func (mp ModelPrice) Cost(u TokenUsage) (spent, savedByCacheRead float64) {
	c := countsOf(u)
	return mp.cost(c), mp.cacheReadSaving(c)
}

// cost is the spent part of Cost.
func (mp ModelPrice) cost(c counts) float64 {
	uncached := float64(c.prompt) - float64(c.cacheRead) - float64(c.cacheCreation)
	return (uncached*mp.Input + float64(c.cacheRead)*mp.cacheReadPrice() +
		float64(c.cacheCreation)*mp.cacheWritePrice() + float64(c.completion)*mp.Output) / 1e6
}

// cacheReadSaving is the savedByCacheRead part of Cost.
func (mp ModelPrice) cacheReadSaving(c counts) float64 {
	return float64(c.cacheRead) * (mp.Input - mp.cacheReadPrice()) / 1e6
}

// priceIndex caches Pricing lookups, since prefix matching walks the whole table. It caches at
// most maxGroups model names, so memory stays bounded whatever names callers use.
type priceIndex struct {
	table  Pricing // every entry, matched by name and family (see resolve)
	prefix Pricing // the user's entries, also matched by prefix
	asOf   string  // date of the default table, "" when it is off
	cache  syncMap[string, priceEntry]
	cached atomic.Int64
}

type priceEntry struct {
	price ModelPrice
	known bool
}

func (x *priceIndex) lookup(model string) (ModelPrice, bool) {
	if x.table == nil || model == "" {
		return ModelPrice{}, false
	}
	if e, ok := x.cache.Load(model); ok {
		return e.price, e.known
	}
	mp, ok := x.resolve(model)
	if x.cached.Load() < maxGroups {
		if _, loaded := x.cache.LoadOrStore(model, priceEntry{mp, ok}); !loaded {
			x.cached.Add(1)
		}
	}
	return mp, ok
}
