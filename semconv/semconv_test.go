package semconv

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	otelsemconv "go.opentelemetry.io/otel/semconv/v1.41.0"
	"go.opentelemetry.io/otel/semconv/v1.41.0/genaiconv"
	"gopkg.in/yaml.v3"
)

// modelsDir holds the official GenAI convention models this package is pinned to, shipped in
// the module (and built into the CLI) by internal/semcheck.
var modelsDir = filepath.Join("..", "internal", "semcheck", "model", "v"+SchemaVersion)

// keyConst is an attribute-key constant found in the package source.
type keyConst struct {
	name    string // Go identifier
	key     string // the attribute key it spells
	comment string // the trailing line comment, without "//"
	pos     string // file:line
}

// keyConsts parses the package's non-test Go files and returns every constant whose value is
// attribute.Key("..."), so that a constant added later cannot escape the checks below.
func keyConsts(t *testing.T) []keyConst {
	t.Helper()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	var out []keyConst
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		require.NoError(t, err)
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, v := range vs.Values {
					key, ok := attributeKeyLiteral(t, v)
					if !ok {
						continue
					}
					kc := keyConst{name: vs.Names[i].Name, key: key, pos: fset.Position(v.Pos()).String()}
					if vs.Comment != nil {
						kc.comment = strings.TrimSpace(strings.TrimPrefix(vs.Comment.List[0].Text, "//"))
					}
					out = append(out, kc)
				}
			}
		}
	}
	require.NotEmpty(t, out, "no attribute.Key constants found in the package source")
	return out
}

// attributeKeyLiteral returns the string of an attribute.Key("...") expression.
func attributeKeyLiteral(t *testing.T, e ast.Expr) (string, bool) {
	call, ok := e.(*ast.CallExpr)
	if !ok || len(call.Args) != 1 {
		return "", false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Key" {
		return "", false
	}
	if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "attribute" {
		return "", false
	}
	lit, ok := call.Args[0].(*ast.BasicLit)
	require.True(t, ok && lit.Kind == token.STRING, "attribute.Key at %v takes a non-literal argument", call.Pos())
	s, err := strconv.Unquote(lit.Value)
	require.NoError(t, err)
	return s, true
}

// registryAttr is one attribute of registry.yaml; Type is a scalar ("string", "int", ...) or a
// mapping with the enum's members.
type registryAttr struct {
	ID   string    `yaml:"id"`
	Type yaml.Node `yaml:"type"`
}

type enumMember struct {
	ID         string `yaml:"id"`
	Value      any    `yaml:"value"`
	Deprecated any    `yaml:"deprecated"`
}

// attrType is an attribute type as the Go side writes it: a registry type, with enums as
// their value type.
type attrType struct {
	base    string              // string, int, double, boolean, string[], any, ...
	enum    bool                // the registry type is an enum
	members map[string]struct{} // the enum's values, deprecated ones excluded
}

func loadYAML(t *testing.T, name string, v any) {
	t.Helper()
	path := filepath.Join(modelsDir, name)
	data, err := os.ReadFile(path)
	require.NoError(t, err, "the GenAI conventions v%s models are expected in %s "+
		"(registry.yaml, metrics.yaml from the semantic-conventions-genai release)", SchemaVersion, modelsDir)
	require.NoError(t, yaml.Unmarshal(data, v), "parsing %s", path)
}

// loadRegistry returns every attribute of registry.yaml by key.
func loadRegistry(t *testing.T) map[string]attrType {
	t.Helper()
	var doc struct {
		Groups []struct {
			ID         string         `yaml:"id"`
			Attributes []registryAttr `yaml:"attributes"`
		} `yaml:"groups"`
	}
	loadYAML(t, "registry.yaml", &doc)
	out := make(map[string]attrType)
	for _, g := range doc.Groups {
		for _, a := range g.Attributes {
			require.NotEmpty(t, a.ID, "registry group %s has an attribute without id", g.ID)
			out[a.ID] = parseRegistryType(t, a)
		}
	}
	require.NotEmpty(t, out, "registry.yaml holds no attributes")
	return out
}

func parseRegistryType(t *testing.T, a registryAttr) attrType {
	t.Helper()
	switch a.Type.Kind {
	case yaml.ScalarNode:
		return attrType{base: a.Type.Value}
	case yaml.MappingNode:
		var enum struct {
			Members []enumMember `yaml:"members"`
		}
		require.NoError(t, a.Type.Decode(&enum), "enum type of %s", a.ID)
		require.NotEmpty(t, enum.Members, "enum %s has no members", a.ID)
		at := attrType{base: "string", enum: true, members: make(map[string]struct{})}
		for _, m := range enum.Members {
			v, ok := m.Value.(string)
			require.True(t, ok, "member %s of %s: only string enums are expected, got %T", m.ID, a.ID, m.Value)
			if m.Deprecated == nil {
				at.members[v] = struct{}{}
			}
		}
		return at
	default:
		t.Fatalf("registry attribute %s has no type", a.ID)
		return attrType{}
	}
}

// typeComment is the trailing comment of a gen_ai key in genai.go: a type, then optionally a
// note in parentheses: "int", "string[]", "string (enum)", "any (JSON)".
var typeComment = regexp.MustCompile(`^(string\[\]|string|int\[\]|int|double\[\]|double|boolean\[\]|boolean|any)(?: \(([^)]*)\))?$`)

func TestGenAIKeysMatchRegistry(t *testing.T) {
	registry := loadRegistry(t)
	var checked int
	for _, kc := range keyConsts(t) {
		if !strings.HasPrefix(kc.key, "gen_ai.") {
			continue
		}
		checked++
		t.Run(kc.name, func(t *testing.T) {
			want, ok := registry[kc.key]
			require.True(t, ok, "%s (%s): %q is not in registry.yaml v%s", kc.name, kc.pos, kc.key, SchemaVersion)
			m := typeComment.FindStringSubmatch(kc.comment)
			require.NotNil(t, m, "%s (%s) needs a trailing type comment such as // int, // string[], // string (enum) or // any (JSON); has %q",
				kc.name, kc.pos, kc.comment)
			assert.Equal(t, want.base, m[1], "%s: type of %q", kc.name, kc.key)
			assert.Equal(t, want.enum, m[2] == "enum", "%s: %q is an enum in the registry: %v; the comment says %q",
				kc.name, kc.key, want.enum, kc.comment)
		})
	}
	require.Positive(t, checked, "no gen_ai.* keys found")
}

func TestEnumValuesAreRegistryMembers(t *testing.T) {
	registry := loadRegistry(t)
	tests := []struct {
		name  string
		key   attribute.Key
		value string
	}{
		{"OperationInvokeAgent", GenAIOperationNameKey, OperationInvokeAgent},
		{"OperationChat", GenAIOperationNameKey, OperationChat},
		{"OperationExecuteTool", GenAIOperationNameKey, OperationExecuteTool},
		{"OperationInvokeWorkflow", GenAIOperationNameKey, OperationInvokeWorkflow},
		{"TokenTypeInput", GenAITokenTypeKey, TokenTypeInput},
		{"TokenTypeOutput", GenAITokenTypeKey, TokenTypeOutput},
		{"ProviderOpenAI", GenAIProviderNameKey, ProviderOpenAI},
		{"ProviderAnthropic", GenAIProviderNameKey, ProviderAnthropic},
		{"ProviderAzureOpenAI", GenAIProviderNameKey, ProviderAzureOpenAI},
		{"ProviderDeepSeek", GenAIProviderNameKey, ProviderDeepSeek},
		{"ProviderGroq", GenAIProviderNameKey, ProviderGroq},
		{"ProviderMistralAI", GenAIProviderNameKey, ProviderMistralAI},
		{"ProviderPerplexity", GenAIProviderNameKey, ProviderPerplexity},
		{"ProviderXAI", GenAIProviderNameKey, ProviderXAI},
		{"ProviderGCPGemini", GenAIProviderNameKey, ProviderGCPGemini},
		// ProviderOther ("_OTHER") is not listed: gen_ai.provider.name is an open enum and
		// v1.41.1 names no value for an unknown provider.
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			typ, ok := registry[string(tt.key)]
			require.True(t, ok, "%s is not in registry.yaml", tt.key)
			require.True(t, typ.enum, "%s is not an enum in registry.yaml", tt.key)
			assert.Contains(t, typ.members, tt.value, "%q is not a (non-deprecated) member of %s", tt.value, tt.key)
		})
	}
}

func TestOwnKeysUseOwnPrefix(t *testing.T) {
	registry := loadRegistry(t)
	for _, kc := range keyConsts(t) {
		if kc.key == string(ErrorTypeKey) {
			continue // the general conventions' error.type
		}
		if strings.HasPrefix(kc.key, "gen_ai.") {
			// Only the conventions' own keys may take gen_ai.; ours never do.
			_, ok := registry[kc.key]
			assert.True(t, ok, "%s (%s): %q uses the gen_ai. prefix but is not a convention key", kc.name, kc.pos, kc.key)
			continue
		}
		assert.True(t, strings.HasPrefix(kc.key, "otelagent."),
			"%s (%s): key %q is neither gen_ai.* from the registry nor otelagent.*", kc.name, kc.pos, kc.key)
	}
}

// TestOwnNamesUseOwnPrefix checks the metric and event names of otelagent.go: every dotted
// string there (keys, metric names, event names) starts with otelagent., never gen_ai.; the
// undotted ones are values and units.
func TestOwnNamesUseOwnPrefix(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "otelagent.go", nil, 0)
	require.NoError(t, err)
	var names int
	for _, decl := range f.Decls {
		if gd, ok := decl.(*ast.GenDecl); ok && gd.Tok == token.IMPORT {
			continue
		}
		ast.Inspect(decl, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			require.NoError(t, err)
			if strings.Contains(s, ".") {
				names++
				assert.True(t, strings.HasPrefix(s, "otelagent."), "%s: %q must start with otelagent.", fset.Position(lit.Pos()), s)
			}
			return true
		})
	}
	for _, name := range []string{InvocationsName, TokensName, CacheTokensSavedName, CostName, CostSavedName,
		InvocationsActiveName, EventOperationCompleted, EventDefaultName} {
		assert.True(t, strings.HasPrefix(name, "otelagent."), "%q must start with otelagent.", name)
	}
	require.GreaterOrEqual(t, names, 8, "dotted names found in otelagent.go")
}

// TestKeysMatchOpenTelemetryGo compares the keys, values and metric names with those that
// go.opentelemetry.io/otel/semconv/v1.41.0 generates from the same conventions.
func TestKeysMatchOpenTelemetryGo(t *testing.T) {
	keys := []struct {
		ours, otel attribute.Key
	}{
		{GenAIOperationNameKey, otelsemconv.GenAIOperationNameKey},
		{GenAIProviderNameKey, otelsemconv.GenAIProviderNameKey},
		{GenAIAgentNameKey, otelsemconv.GenAIAgentNameKey},
		{GenAIAgentIDKey, otelsemconv.GenAIAgentIDKey},
		{GenAIAgentDescriptionKey, otelsemconv.GenAIAgentDescriptionKey},
		{GenAIConversationIDKey, otelsemconv.GenAIConversationIDKey},
		{GenAIRequestModelKey, otelsemconv.GenAIRequestModelKey},
		{GenAIResponseModelKey, otelsemconv.GenAIResponseModelKey},
		{GenAIResponseIDKey, otelsemconv.GenAIResponseIDKey},
		{GenAIResponseFinishReasonsKey, otelsemconv.GenAIResponseFinishReasonsKey},
		{GenAIUsageInputTokensKey, otelsemconv.GenAIUsageInputTokensKey},
		{GenAIUsageOutputTokensKey, otelsemconv.GenAIUsageOutputTokensKey},
		{GenAIUsageCacheReadInputTokensKey, otelsemconv.GenAIUsageCacheReadInputTokensKey},
		{GenAIUsageCacheCreationInputTokensKey, otelsemconv.GenAIUsageCacheCreationInputTokensKey},
		{GenAIUsageReasoningOutputTokensKey, otelsemconv.GenAIUsageReasoningOutputTokensKey},
		{GenAIInputMessagesKey, otelsemconv.GenAIInputMessagesKey},
		{GenAIOutputMessagesKey, otelsemconv.GenAIOutputMessagesKey},
		{GenAISystemInstructionsKey, otelsemconv.GenAISystemInstructionsKey},
		{GenAIToolNameKey, otelsemconv.GenAIToolNameKey},
		{GenAIToolCallIDKey, otelsemconv.GenAIToolCallIDKey},
		{GenAIToolTypeKey, otelsemconv.GenAIToolTypeKey},
		{GenAIToolDescriptionKey, otelsemconv.GenAIToolDescriptionKey},
		{GenAIToolCallArgumentsKey, otelsemconv.GenAIToolCallArgumentsKey},
		{GenAIToolCallResultKey, otelsemconv.GenAIToolCallResultKey},
		{GenAIWorkflowNameKey, otelsemconv.GenAIWorkflowNameKey},
		{GenAITokenTypeKey, otelsemconv.GenAITokenTypeKey},
		{GenAIRequestMaxTokensKey, otelsemconv.GenAIRequestMaxTokensKey},
		{GenAIRequestTemperatureKey, otelsemconv.GenAIRequestTemperatureKey},
		{GenAIRequestTopPKey, otelsemconv.GenAIRequestTopPKey},
		{GenAIRequestTopKKey, otelsemconv.GenAIRequestTopKKey},
		{GenAIRequestStopSequencesKey, otelsemconv.GenAIRequestStopSequencesKey},
		{GenAIRequestFrequencyPenaltyKey, otelsemconv.GenAIRequestFrequencyPenaltyKey},
		{GenAIRequestPresencePenaltyKey, otelsemconv.GenAIRequestPresencePenaltyKey},
		{GenAIRequestSeedKey, otelsemconv.GenAIRequestSeedKey},
		{GenAIRequestChoiceCountKey, otelsemconv.GenAIRequestChoiceCountKey},
		{GenAIRequestStreamKey, otelsemconv.GenAIRequestStreamKey},
		{GenAIResponseTimeToFirstChunkKey, otelsemconv.GenAIResponseTimeToFirstChunkKey},
		{ErrorTypeKey, otelsemconv.ErrorTypeKey},
	}
	compared := make(map[string]bool)
	for _, k := range keys {
		assert.Equal(t, string(k.otel), string(k.ours))
		compared[string(k.ours)] = true
	}
	// Every gen_ai key found in the source must be in the table, so none goes unchecked.
	for _, kc := range keyConsts(t) {
		if strings.HasPrefix(kc.key, "gen_ai.") {
			assert.True(t, compared[kc.key], "%s (%s) = %q is missing from the table of TestKeysMatchOpenTelemetryGo", kc.name, kc.pos, kc.key)
		}
	}

	values := []struct {
		name string
		ours string
		otel attribute.KeyValue
	}{
		{"OperationInvokeAgent", OperationInvokeAgent, otelsemconv.GenAIOperationNameInvokeAgent},
		{"OperationChat", OperationChat, otelsemconv.GenAIOperationNameChat},
		{"OperationExecuteTool", OperationExecuteTool, otelsemconv.GenAIOperationNameExecuteTool},
		{"OperationInvokeWorkflow", OperationInvokeWorkflow, otelsemconv.GenAIOperationNameInvokeWorkflow},
		{"TokenTypeInput", TokenTypeInput, otelsemconv.GenAITokenTypeInput},
		{"TokenTypeOutput", TokenTypeOutput, otelsemconv.GenAITokenTypeOutput},
	}
	for _, v := range values {
		assert.Equal(t, v.otel.Value.AsString(), v.ours, v.name)
	}
	assert.Equal(t, otelsemconv.ErrorTypeOther.Value.AsString(), ErrorTypeOther)
	assert.Equal(t, otelsemconv.SchemaURL[:strings.LastIndex(otelsemconv.SchemaURL, "/")+1],
		SchemaURL[:strings.LastIndex(SchemaURL, "/")+1], "schema URL prefix")

	assert.Equal(t, genaiconv.ClientTokenUsage{}.Name(), GenAIClientTokenUsageName)
	assert.Equal(t, genaiconv.ClientTokenUsage{}.Unit(), GenAIClientTokenUsageUnit)
	assert.Equal(t, genaiconv.ClientOperationDuration{}.Name(), GenAIClientOperationDurationName)
	assert.Equal(t, genaiconv.ClientOperationDuration{}.Unit(), GenAIClientOperationDurationUnit)
}

// TestKeyConstantsParsed guards the source parser the other tests rely on: what it finds must
// agree with the compiled constants.
func TestKeyConstantsParsed(t *testing.T) {
	compiled := map[string]attribute.Key{
		"GenAIOperationNameKey": GenAIOperationNameKey, "GenAIUsageInputTokensKey": GenAIUsageInputTokensKey,
		"GenAITokenTypeKey": GenAITokenTypeKey, "ErrorTypeKey": ErrorTypeKey,
		"CacheHitKey": CacheHitKey, "TokenKindKey": TokenKindKey, "RollupLateKey": RollupLateKey,
	}
	found := make(map[string]keyConst)
	for _, kc := range keyConsts(t) {
		_, dup := found[kc.name]
		require.False(t, dup, "constant %s found twice", kc.name)
		found[kc.name] = kc
	}
	for name, key := range compiled {
		kc, ok := found[name]
		if assert.True(t, ok, "parser missed %s", name) {
			assert.Equal(t, string(key), kc.key, name)
		}
	}
	assert.Equal(t, "int", found["GenAIUsageInputTokensKey"].comment)
	assert.Equal(t, "string (enum)", found["GenAIOperationNameKey"].comment)

	seen := make(map[string]string)
	for _, kc := range found {
		if other, dup := seen[kc.key]; dup {
			t.Errorf("%q is defined twice: %s and %s", kc.key, other, kc.name)
		}
		seen[kc.key] = kc.name
	}
}

func TestTypeComment(t *testing.T) {
	tests := []struct {
		comment  string
		ok       bool
		base, in string
	}{
		{"int", true, "int", ""},
		{"string[]", true, "string[]", ""},
		{"string (enum)", true, "string", "enum"},
		{"any (JSON)", true, "any", "JSON"},
		{"boolean", true, "boolean", ""},
		{"", false, "", ""},
		{"integer", false, "", ""},
		{"string, enum", false, "", ""},
		{"the agent's name", false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.comment, func(t *testing.T) {
			m := typeComment.FindStringSubmatch(tt.comment)
			require.Equal(t, tt.ok, m != nil)
			if tt.ok {
				assert.Equal(t, tt.base, m[1])
				assert.Equal(t, tt.in, m[2])
			}
		})
	}
}

func TestMetricsMatchConventions(t *testing.T) {
	var doc struct {
		Groups []struct {
			Type        string `yaml:"type"`
			MetricName  string `yaml:"metric_name"`
			Instrument  string `yaml:"instrument"`
			Unit        string `yaml:"unit"`
			Annotations struct {
				CodeGeneration struct {
					MetricValueType string `yaml:"metric_value_type"`
				} `yaml:"code_generation"`
			} `yaml:"annotations"`
		} `yaml:"groups"`
	}
	loadYAML(t, "metrics.yaml", &doc)
	tests := []struct {
		name, unit string
		valueType  string // the value type otelagent records: Int64Histogram or Float64Histogram
	}{
		{GenAIClientTokenUsageName, GenAIClientTokenUsageUnit, "int"},
		{GenAIClientOperationDurationName, GenAIClientOperationDurationUnit, "double"},
		{GenAIClientOperationTimeToFirstChunkName, GenAIClientOperationTimeToFirstChunkUnit, "double"},
		{GenAIClientOperationTimePerOutputChunkName, GenAIClientOperationTimePerOutputChunkUnit, "double"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var found int
			for _, g := range doc.Groups {
				if g.Type != "metric" || g.MetricName != tt.name {
					continue
				}
				found++
				assert.Equal(t, "histogram", g.Instrument)
				assert.Equal(t, tt.unit, g.Unit)
				assert.Equal(t, tt.valueType, g.Annotations.CodeGeneration.MetricValueType)
			}
			assert.Equal(t, 1, found, "metric %s in metrics.yaml", tt.name)
		})
	}
}

// TestBucketBoundaries checks the advised boundaries. They are not in the YAML models nor in
// go.opentelemetry.io/otel/semconv/v1.41.0; the expected values are those of the conventions'
// docs/gen-ai/gen-ai-metrics.md ("This metric SHOULD be specified with
// ExplicitBucketBoundaries of ..."), for gen_ai.client.token.usage and
// gen_ai.client.operation.duration.
func TestBucketBoundaries(t *testing.T) {
	tests := []struct {
		name string
		got  func() []float64
		want []float64
	}{
		{GenAIClientTokenUsageName, TokenUsageBuckets,
			[]float64{1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864}},
		{GenAIClientOperationDurationName, DurationBuckets,
			[]float64{0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.got()
			assert.Equal(t, tt.want, got)
			assert.True(t, slices.IsSorted(got), "boundaries must increase")
			got[0] = -1 // a caller changing its copy must not change the next one
			assert.Equal(t, tt.want, tt.got())
		})
	}
}
