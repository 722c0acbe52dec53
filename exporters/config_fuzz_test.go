package exporters

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// problemStart is how each reported problem begins: a key path (with its line when the
// decoder found it), or the line of a syntax error.
var problemStart = regexp.MustCompile(`^((?s).+ \(line \d+\): |\(top level\) \(line \d+\): |[a-z_.]+: |line \d+: invalid JSON|invalid (JSON|YAML))`)

// FuzzLoadConfig feeds arbitrary bytes to the config decoder as YAML and as JSON: it never
// panics, and every problem it reports names a key or a line.
func FuzzLoadConfig(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "config", "*"))
	for _, name := range seeds {
		data, err := os.ReadFile(name)
		if err == nil {
			f.Add(data, filepath.Ext(name) == ".json")
		}
	}
	f.Add([]byte("batch: {max_queue_size: -1}\nexporters: {otlp: {endpoint: 'http://u:p@h:1?k=v'}}"), false)
	f.Add([]byte(`{"sampling": {"ratio": 1e400}, "logging": {"level": [1]}}`), true)
	f.Fuzz(func(t *testing.T, data []byte, isJSON bool) {
		_, err := decodeConfig(data, isJSON)
		if err == nil {
			return
		}
		for _, p := range flatten(err) {
			var se syntaxError
			if errors.As(p, &se) {
				continue
			}
			if !problemStart.MatchString(p.Error()) {
				t.Errorf("a problem names no key: %q", p.Error())
			}
		}
	})
}

// flatten returns the leaves of a tree of errors.Join results.
func flatten(err error) []error {
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return []error{err}
	}
	var out []error
	for _, e := range j.Unwrap() {
		out = append(out, flatten(e)...)
	}
	return out
}
