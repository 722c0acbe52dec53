package semconv

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// reservedPrefixes are the prefixes of the strings that live in this package only.
var reservedPrefixes = []string{"gen_ai.", "otelagent."}

// reservedLiterals returns every string literal in the Go files under root that starts with a
// reserved prefix, as "file:line: literal". Test files, testdata, hidden directories, this
// package's own directory (skip) and nested modules are not searched.
func reservedLiterals(t *testing.T, root, skip string) []string {
	t.Helper()
	fset := token.NewFileSet()
	var found []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path == skip || name == "testdata" || name == "vendor" ||
				(path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_"))) {
				return filepath.SkipDir
			}
			if path != root {
				if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
					return filepath.SkipDir // another module
				}
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				s = lit.Value
			}
			for _, p := range reservedPrefixes {
				if strings.HasPrefix(s, p) {
					rel, _ := filepath.Rel(root, fset.Position(lit.Pos()).Filename)
					found = append(found, rel+":"+strconv.Itoa(fset.Position(lit.Pos()).Line)+": "+lit.Value)
				}
			}
			return true
		})
		return nil
	})
	require.NoError(t, err)
	return found
}

// TestNoReservedLiteralsOutsideSemconv makes every gen_ai.* and otelagent.* string of the module
// come from this package's constants.
func TestNoReservedLiteralsOutsideSemconv(t *testing.T) {
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(root, "go.mod"))
	require.NoError(t, err, "the module root is expected one directory above semconv")
	here, err := filepath.Abs(".")
	require.NoError(t, err)

	found := reservedLiterals(t, root, here)
	assert.Empty(t, found, "spell these with the semconv constants (add one there if it is missing)")
}

func TestReservedLiteralsFinds(t *testing.T) {
	root := t.TempDir()
	write := func(rel, content string) {
		path := filepath.Join(root, rel)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	}
	write("go.mod", "module example.com/m\n")
	write("a/a.go", "package a\n\nconst k = \"gen_ai.agent.name\"\n\nvar v = `otelagent.cost`\n\n// \"gen_ai.in.comment\" is fine\nvar ok = \"otelagent\"\n")
	write("a/a_test.go", "package a\n\nvar inTest = \"gen_ai.test\"\n")
	write("a/testdata/x.go", "package x\n\nvar inTestdata = \"gen_ai.testdata\"\n")
	write("semconv/s.go", "package semconv\n\nconst own = \"otelagent.own\"\n")
	write("nested/go.mod", "module example.com/nested\n")
	write("nested/n.go", "package nested\n\nvar other = \"gen_ai.nested\"\n")
	write(".hidden/h.go", "package h\n\nvar hidden = \"gen_ai.hidden\"\n")

	found := reservedLiterals(t, root, filepath.Join(root, "semconv"))
	assert.Equal(t, []string{
		filepath.Join("a", "a.go") + ":3: \"gen_ai.agent.name\"",
		filepath.Join("a", "a.go") + ":5: `otelagent.cost`",
	}, found)
}
