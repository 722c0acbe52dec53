package exporters

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// LoadConfig reads a configuration file: JSON for .json, YAML for .yaml and .yml (any case);
// other extensions are an error. Decoding is strict: an unknown key, a value of the wrong type
// and a bad duration are errors naming the key path and line. The keys that decoded are
// checked with Validate in the same pass, and every problem is reported, joined. Keys left out keep their zero value; defaults and the
// environment apply in Setup.
func LoadConfig(path string) (Config, error) {
	var isJSON bool
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		isJSON = true
	case ".yaml", ".yml":
	default:
		return Config{}, fmt.Errorf("exporters: config %q: unsupported extension %q; use .json, .yaml or .yml", path, filepath.Ext(path))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("exporters: config: %w", err)
	}
	cfg, err := decodeConfig(data, isJSON)
	if err != nil {
		return Config{}, fmt.Errorf("exporters: config %q: %w", path, err)
	}
	return cfg, nil
}

// decodeConfig parses and validates data, reporting every problem in one pass.
func decodeConfig(data []byte, isJSON bool) (Config, error) {
	cfg, err := parseConfig(data, isJSON)
	var se syntaxError
	if !errors.As(err, &se) {
		// The keys that decoded are validated too, so that one pass reports every problem.
		err = errors.Join(err, cfg.Validate())
	}
	return cfg, err
}

// parseConfig decodes data. JSON goes through the YAML parser too (JSON is YAML 1.2) after a
// syntax check, so both formats get the same key-path errors.
func parseConfig(data []byte, isJSON bool) (Config, error) {
	if isJSON && !json.Valid(data) {
		var v any
		err := json.Unmarshal(data, &v)
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line := 1 + bytes.Count(data[:se.Offset], []byte("\n"))
			return Config{}, syntaxError{fmt.Errorf("line %d: invalid JSON: %v", line, err)}
		}
		return Config{}, syntaxError{fmt.Errorf("invalid JSON: %v", err)}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return Config{}, syntaxError{fmt.Errorf("invalid YAML: %v", strings.TrimPrefix(err.Error(), "yaml: "))}
	}
	var cfg Config
	if root.Kind == 0 || len(root.Content) == 0 {
		return cfg, nil // an empty file: every default
	}
	d := nodeDecoder{}
	d.decode(root.Content[0], reflect.ValueOf(&cfg).Elem(), "")
	return cfg, errors.Join(d.errs...)
}

// syntaxError is a file that is not JSON or YAML at all: nothing decoded, nothing to validate.
type syntaxError struct{ error }

func (e syntaxError) Unwrap() error { return e.error }

// nodeDecoder walks a YAML node tree alongside the Config type, so that every error can name
// its key path.
type nodeDecoder struct {
	errs []error
}

func (d *nodeDecoder) fail(n *yaml.Node, path, format string, args ...any) {
	if path == "" {
		path = "(top level)"
	}
	d.errs = append(d.errs, fmt.Errorf("%s (line %d): %s", path, n.Line, fmt.Sprintf(format, args...)))
}

var textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()

func (d *nodeDecoder) decode(n *yaml.Node, v reflect.Value, path string) {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		v.SetZero() // "key:" or "key: null" leaves the setting unset
		return
	}
	switch {
	case reflect.PointerTo(v.Type()).Implements(textUnmarshalerType):
		if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
			d.fail(n, path, "expected a duration string such as \"10s\", got %s", describe(n))
			return
		}
		if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(n.Value)); err != nil {
			d.fail(n, path, "%v", err)
		}
	case v.Kind() == reflect.Struct:
		if n.Kind != yaml.MappingNode {
			d.fail(n, path, "expected a mapping of keys, got %s", describe(n))
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			sub := joinKey(path, key.Value)
			field, ok := fieldByKey(v, key.Value)
			if !ok {
				d.fail(key, sub, "unknown key%s", suggestKey(v.Type(), key.Value))
				continue
			}
			d.decode(val, field, sub)
		}
	case v.Kind() == reflect.Map:
		if n.Kind != yaml.MappingNode {
			d.fail(n, path, "expected a mapping of names to strings, got %s", describe(n))
			return
		}
		m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			sub := joinKey(path, key.Value)
			if val.Kind != yaml.ScalarNode || val.Tag == "!!null" {
				d.fail(val, sub, "expected a string, got %s", describe(val))
				continue
			}
			// Numbers and booleans are accepted as their text: header and attribute values are
			// strings on the wire.
			m.SetMapIndex(reflect.ValueOf(key.Value), reflect.ValueOf(val.Value))
		}
		v.Set(m)
	case v.Kind() == reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		before := len(d.errs)
		d.decode(n, p.Elem(), path)
		if len(d.errs) == before {
			v.Set(p)
		}
	default:
		d.decodeScalar(n, v, path)
	}
}

// decodeScalar decodes a string, bool, int or float, refusing YAML's silent conversions
// (a quoted "true" for a bool, 1.5 for an int).
func (d *nodeDecoder) decodeScalar(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.ScalarNode {
		d.fail(n, path, "expected a %s, got %s", kindName(v.Kind()), describe(n))
		return
	}
	want := map[reflect.Kind]string{reflect.String: "!!str", reflect.Bool: "!!bool", reflect.Int: "!!int", reflect.Float64: "!!float"}[v.Kind()]
	ok := n.Tag == want || (v.Kind() == reflect.Float64 && n.Tag == "!!int")
	if !ok {
		d.fail(n, path, "expected a %s, got %s", kindName(v.Kind()), describe(n))
		return
	}
	if err := n.Decode(v.Addr().Interface()); err != nil {
		d.fail(n, path, "%s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
}

func kindName(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean (true or false)"
	case reflect.Int:
		return "whole number"
	case reflect.Float64:
		return "number"
	default:
		return k.String()
	}
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!str":
			return fmt.Sprintf("the string %q", n.Value)
		case "!!null":
			return "null"
		default:
			return n.Value
		}
	default:
		return "an unexpected value"
	}
}

func joinKey(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// fieldByKey finds the field of struct v whose yaml tag is key.
func fieldByKey(v reflect.Value, key string) (reflect.Value, bool) {
	t := v.Type()
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); name == key {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

// suggestKey names the known key of t closest to key (same letters up to case and
// separators, or at most two edits away), else lists them all.
func suggestKey(t reflect.Type, key string) string {
	norm := func(s string) string { return strings.NewReplacer("_", "", "-", "").Replace(strings.ToLower(s)) }
	var known []string
	best, bestDist := "", 3
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		known = append(known, name)
		if d := editDistance(norm(name), norm(key)); d < bestDist {
			best, bestDist = name, d
		}
	}
	if best != "" {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	return "; known keys: " + strings.Join(known, ", ")
}

// editDistance is the Levenshtein distance of a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
