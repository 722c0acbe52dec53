package semcheck

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// ShippedVersion is the version of the GenAI conventions models built into the binary, the
// one package semconv is pinned to.
const ShippedVersion = "1.41.1"

// shipped holds the models of ShippedVersion, copied unchanged from the GenAI semantic
// conventions release with their LICENSE (Apache-2.0).
//
//go:embed model/v1.41.1
var shipped embed.FS

// shippedDir is the directory of the shipped models inside shipped.
const shippedDir = "model/v" + ShippedVersion

// Files of a conventions directory.
const (
	RegistryFile           = "registry.yaml"
	DeprecatedRegistryFile = "registry-deprecated.yaml"
	SpansFile              = "spans.yaml"
)

// Attribute is one key of the registry.
type Attribute struct {
	Key string
	// Type is the registry's type: string, int, double, boolean, string[], any, ...; "enum"
	// for a type given by members, whose values are in Members (open: other values allowed).
	Type    string
	Members []string
	// Deprecated holds the reason ("renamed to X", "obsoleted") of a deprecated key.
	Deprecated string
}

// SpanDef is one span group of spans.yaml with its extends chain resolved.
type SpanDef struct {
	ID       string
	Kind     string            // client, internal, ...
	Required []string          // keys whose requirement_level is required
	OnError  []string          // keys conditionally required "if the operation ended in an error"
	Levels   map[string]string // key -> requirement level (required, recommended, opt_in, conditionally_required)
}

// Model is a loaded conventions directory. It is read-only after Load and safe for concurrent
// use.
type Model struct {
	Dir        string
	Attributes map[string]Attribute
	Spans      map[string]SpanDef // by group ID
	// byOperation lists the span definitions of each operation group ("inference",
	// "invoke_agent", ...), sorted by ID.
	byOperation map[string][]SpanDef
}

type yamlFile struct {
	Groups []yamlGroup `yaml:"groups"`
}

type yamlGroup struct {
	ID         string          `yaml:"id"`
	Type       string          `yaml:"type"`
	SpanKind   string          `yaml:"span_kind"`
	Extends    string          `yaml:"extends"`
	Attributes []yamlAttribute `yaml:"attributes"`
}

type yamlAttribute struct {
	ID               string    `yaml:"id"`
	Ref              string    `yaml:"ref"`
	Type             yaml.Node `yaml:"type"`
	RequirementLevel yaml.Node `yaml:"requirement_level"`
	Deprecated       yaml.Node `yaml:"deprecated"`
}

// Load reads the conventions in dir, such as another version's models than the shipped ones.
// A missing or malformed file is an error naming it.
func Load(dir string) (*Model, error) {
	return load(os.DirFS(dir), ".", dir)
}

// LoadShipped returns the conventions of ShippedVersion built into the binary; it needs no
// file beside the program.
func LoadShipped() (*Model, error) {
	return load(shipped, shippedDir, "built-in GenAI conventions v"+ShippedVersion)
}

// load reads the models in directory dir of fsys; label names them in errors and Model.Dir.
func load(fsys fs.FS, dir, label string) (*Model, error) {
	m := &Model{Dir: label, Attributes: make(map[string]Attribute), Spans: make(map[string]SpanDef)}
	read := func(name string) (*yamlFile, error) {
		file := filepath.Join(label, name)
		data, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("semcheck: %s: %w", file, unwrapPathError(err))
		}
		var f yamlFile
		if err := yaml.Unmarshal(data, &f); err != nil {
			return nil, fmt.Errorf("semcheck: %s: %w", file, err)
		}
		if len(f.Groups) == 0 {
			return nil, fmt.Errorf("semcheck: %s: no groups: not a semantic conventions model", file)
		}
		return &f, nil
	}
	reg, err := read(RegistryFile)
	if err != nil {
		return nil, err
	}
	dep, err := read(DeprecatedRegistryFile)
	if err != nil {
		return nil, err
	}
	spans, err := read(SpansFile)
	if err != nil {
		return nil, err
	}
	for _, f := range []*yamlFile{reg, dep} {
		for _, g := range f.Groups {
			for _, a := range g.Attributes {
				if a.ID == "" {
					continue
				}
				m.Attributes[a.ID] = attributeOf(a)
			}
		}
	}
	if len(m.Attributes) == 0 {
		return nil, fmt.Errorf("semcheck: %s: no attributes", filepath.Join(label, RegistryFile))
	}

	groups := make(map[string]yamlGroup, len(spans.Groups))
	for _, g := range spans.Groups {
		groups[g.ID] = g
	}
	for _, g := range spans.Groups {
		if g.Type != "span" {
			continue
		}
		def, err := resolve(groups, g.ID, nil)
		if err != nil {
			return nil, fmt.Errorf("semcheck: %s: %w", filepath.Join(label, SpansFile), err)
		}
		def.ID, def.Kind = g.ID, g.SpanKind
		for key, level := range def.Levels {
			switch level {
			case "required":
				def.Required = append(def.Required, key)
			case "on_error":
				def.OnError = append(def.OnError, key)
				def.Levels[key] = "conditionally_required"
			}
		}
		slices.Sort(def.Required)
		slices.Sort(def.OnError)
		m.Spans[g.ID] = def
	}
	if len(m.Spans) == 0 {
		return nil, fmt.Errorf("semcheck: %s: no span groups", filepath.Join(label, SpansFile))
	}
	m.byOperation = make(map[string][]SpanDef)
	for id, def := range m.Spans {
		// span.gen_ai.OPERATION.KIND
		parts := strings.Split(id, ".")
		if len(parts) == 4 && parts[0] == "span" && parts[1] == "gen_ai" {
			m.byOperation[parts[2]] = append(m.byOperation[parts[2]], def)
		}
	}
	for _, defs := range m.byOperation {
		slices.SortFunc(defs, func(a, b SpanDef) int { return strings.Compare(a.ID, b.ID) })
	}
	return m, nil
}

func attributeOf(a yamlAttribute) Attribute {
	out := Attribute{Key: a.ID}
	switch a.Type.Kind {
	case yaml.ScalarNode:
		out.Type = a.Type.Value
	case yaml.MappingNode:
		out.Type = "enum"
		var t struct {
			Members []struct {
				Value any `yaml:"value"`
			} `yaml:"members"`
		}
		if a.Type.Decode(&t) == nil {
			for _, mb := range t.Members {
				out.Members = append(out.Members, fmt.Sprint(mb.Value))
			}
		}
	}
	if !a.Deprecated.IsZero() {
		var d struct {
			Reason    string `yaml:"reason"`
			RenamedTo string `yaml:"renamed_to"`
		}
		_ = a.Deprecated.Decode(&d)
		switch {
		case d.RenamedTo != "":
			out.Deprecated = "renamed to " + d.RenamedTo
		case d.Reason != "":
			out.Deprecated = d.Reason
		default:
			out.Deprecated = "deprecated"
		}
	}
	return out
}

// resolve merges a group's attributes over those of the groups it extends.
func resolve(groups map[string]yamlGroup, id string, seen []string) (SpanDef, error) {
	if slices.Contains(seen, id) {
		return SpanDef{}, fmt.Errorf("extends cycle: %s", strings.Join(append(seen, id), " -> "))
	}
	g, ok := groups[id]
	if !ok {
		return SpanDef{}, fmt.Errorf("group %q extends unknown group %q", seen[len(seen)-1], id)
	}
	def := SpanDef{Levels: make(map[string]string)}
	if g.Extends != "" {
		parent, err := resolve(groups, g.Extends, append(seen, id))
		if err != nil {
			return SpanDef{}, err
		}
		def.Levels = parent.Levels
	}
	for _, a := range g.Attributes {
		key := a.Ref
		if key == "" {
			key = a.ID
		}
		if key == "" || a.RequirementLevel.IsZero() {
			if _, ok := def.Levels[key]; !ok && key != "" {
				def.Levels[key] = "recommended"
			}
			continue
		}
		def.Levels[key] = levelOf(a.RequirementLevel)
	}
	return def, nil
}

// levelOf reads requirement_level: a scalar, or a map such as {conditionally_required: why}.
func levelOf(n yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return n.Value
	}
	if n.Kind == yaml.MappingNode && len(n.Content) >= 2 {
		level, why := n.Content[0].Value, n.Content[1].Value
		if level == "conditionally_required" && strings.Contains(why, "ended in an error") {
			return "on_error"
		}
		return level
	}
	return "recommended"
}

// unwrapPathError drops the fs path of err, which names the file relative to the FS; the
// caller names it in full.
func unwrapPathError(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}
