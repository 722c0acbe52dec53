//go:build unix

package exporters

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFilesRefuseLinksAndPipes opens each file this package appends to (span file, metric
// file, log file) at a named pipe or a symbolic link: each is refused with an error naming
// the path, without blocking on the pipe and without touching what the link points to.
func TestFilesRefuseLinksAndPipes(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.jsonl")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	target := filepath.Join(dir, "elsewhere.txt")
	require.NoError(t, os.WriteFile(target, []byte("someone else's\n"), 0o644))
	link := filepath.Join(dir, "link.jsonl")
	require.NoError(t, os.Symlink(target, link))
	missing := filepath.Join(dir, "missing.txt")
	dangling := filepath.Join(dir, "dangling.jsonl")
	require.NoError(t, os.Symlink(missing, dangling))

	opens := map[string]func(path string) error{
		"span file": func(path string) error {
			_, err := NewFileExporter(path)
			return err
		},
		"metric file": func(path string) error {
			_, err := NewMetricFileExporter(path)
			return err
		},
		"log file": func(path string) error {
			_, err := newLogOutput(LoggingConfig{Level: "INFO", Format: "text", File: path, Console: new(false)}, "x", &bytes.Buffer{})
			return err
		},
	}
	tests := []struct {
		name    string
		path    string
		wantErr string
	}{
		{name: "named pipe", path: fifo, wantErr: `"` + fifo + `" is not a regular file but a named pipe`},
		{name: "link to a file", path: link, wantErr: `"` + link + `" is a symbolic link`},
		{name: "link to nothing", path: dangling, wantErr: `"` + dangling + `" is a symbolic link`},
	}
	for _, tt := range tests {
		for what, open := range opens {
			t.Run(tt.name+"/"+what, func(t *testing.T) {
				err := open(tt.path)
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
			})
		}
	}

	data, err := os.ReadFile(target)
	require.NoError(t, err)
	assert.Equal(t, "someone else's\n", string(data), "the link's target is untouched")
	info, err := os.Stat(target)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), info.Mode().Perm())
	assert.NoFileExists(t, missing, "a dangling link is not followed to create its target")
}

// TestRotationNeverWritesThroughLink replaces the file by a symbolic link between writes, as
// another user with access to the directory could: rotation moves the link aside and starts
// a regular file, and the link's target is never created.
func TestRotationNeverWritesThroughLink(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	target := filepath.Join(dir, "elsewhere.txt")
	rf, err := openRotatingFile(path, rotation{maxBytes: 4})
	require.NoError(t, err)
	_, err = rf.Write([]byte("one\n"))
	require.NoError(t, err)
	require.NoError(t, os.Remove(path))
	require.NoError(t, os.Symlink(target, path))
	_, err = rf.Write([]byte("two\n"))
	require.NoError(t, err)
	require.NoError(t, rf.close(t.Context()))

	assert.NoFileExists(t, target)
	info, err := os.Lstat(path)
	require.NoError(t, err)
	assert.True(t, info.Mode().IsRegular())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "two\n", string(data))
}
