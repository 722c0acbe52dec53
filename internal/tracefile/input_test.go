package tracefile

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agenttrace/otelagent/exporters"
)

// TestExpandInputsListsEachDirectoryOnce expands a glob and a shell-expanded list over a
// directory of many files and one rotated file: the directory is listed once, and the
// rotated backups are looked for only for the file that has them.
func TestExpandInputsListsEachDirectoryOnce(t *testing.T) {
	dir := t.TempDir()
	const files = 500
	var expanded []string
	for i := range files {
		path := filepath.Join(dir, fmt.Sprintf("trace%04d.jsonl", i))
		require.NoError(t, os.WriteFile(path, nil, 0o600))
		expanded = append(expanded, path)
	}
	active := filepath.Join(dir, "agent_trace.jsonl")
	backup := filepath.Join(dir, "agent_trace-2026-03-01T08-00-00.000.jsonl.gz")
	require.NoError(t, os.WriteFile(active, nil, 0o600))
	require.NoError(t, os.WriteFile(backup, nil, 0o600))

	var dirReads, rotatedCalls int
	readDir = func(name string) ([]os.DirEntry, error) { dirReads++; return os.ReadDir(name) }
	rotatedFiles = func(path string) ([]string, error) { rotatedCalls++; return exporters.RotatedFiles(path) }
	t.Cleanup(func() { readDir, rotatedFiles = os.ReadDir, exporters.RotatedFiles })

	tests := []struct {
		name string
		args []string
	}{
		{name: "glob", args: []string{filepath.Join(dir, "*.jsonl*")}},
		{name: "list", args: append([]string{active}, expanded...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dirReads, rotatedCalls = 0, 0
			got, err := ExpandInputs(tt.args)
			require.NoError(t, err)
			assert.Len(t, got, files+2)
			assert.Equal(t, []string{backup, active}, got[:2], "the backup first, then its file")
			assert.Equal(t, 1, dirReads)
			assert.Equal(t, 1, rotatedCalls, "only the file with a backup")
		})
	}
}
