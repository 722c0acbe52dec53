package exporters

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRotatedFiles(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		want  []string
	}{
		{name: "nothing written"},
		{name: "current file only", files: []string{"traces.jsonl"}, want: []string{"traces.jsonl"}},
		{
			name: "backups oldest first, then the current file",
			files: []string{
				"traces.jsonl",
				"traces-2026-01-02T00-00-00.000.jsonl.gz",
				"traces-2026-01-01T00-00-00.000.jsonl",
				"traces-2026-01-01T00-00-00.001.jsonl.gz",
			},
			want: []string{
				"traces-2026-01-01T00-00-00.000.jsonl",
				"traces-2026-01-01T00-00-00.001.jsonl.gz",
				"traces-2026-01-02T00-00-00.000.jsonl.gz",
				"traces.jsonl",
			},
		},
		{
			name:  "backup being compressed",
			files: []string{"traces-2026-01-01T00-00-00.000.jsonl", "traces-2026-01-01T00-00-00.000.jsonl.gz"},
			want:  []string{"traces-2026-01-01T00-00-00.000.jsonl"},
		},
		{
			name: "other files ignored",
			files: []string{
				"traces.jsonl", "metrics-2026-01-01T00-00-00.000.jsonl", "traces-latest.jsonl",
				"traces-2026-01-01T00-00-00.000.json", "traces.jsonl.bak", "tracesX2026-01-01T00-00-00.000.jsonl",
			},
			want: []string{"traces.jsonl"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tt.files {
				require.NoError(t, os.WriteFile(filepath.Join(dir, f), nil, 0o600))
			}
			require.NoError(t, os.Mkdir(filepath.Join(dir, "traces-2026-01-01T00-00-00.002.jsonl"), 0o700), "directories are ignored")
			got, err := RotatedFiles(filepath.Join(dir, "traces.jsonl"))
			require.NoError(t, err)
			var names []string
			for _, g := range got {
				assert.Equal(t, dir, filepath.Dir(g))
				names = append(names, filepath.Base(g))
			}
			assert.Equal(t, tt.want, names)
		})
	}

	missing := filepath.Join(t.TempDir(), "gone", "traces.jsonl")
	_, err := RotatedFiles(missing)
	assert.ErrorContains(t, err, missing)
}

// TestRotatedFilesAfterRotation reads back, in order, everything an exporter wrote through
// several rotations.
func TestRotatedFilesAfterRotation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "traces.jsonl")
	exp, err := NewFileExporter(path, WithMaxSizeMB(1), WithMaxBackups(-1))
	require.NoError(t, err)
	spans := bigSpans(150, 20_000)
	for i := 0; i < len(spans); i += 10 {
		require.NoError(t, exp.ExportSpans(t.Context(), spans[i:i+10]))
	}
	require.NoError(t, exp.Shutdown(t.Context()))

	files, err := RotatedFiles(path)
	require.NoError(t, err)
	require.Greater(t, len(files), 2)
	assert.Equal(t, path, files[len(files)-1])
	var order []string
	for _, f := range files {
		for _, td := range readTraceLines(t, f) {
			for _, fs := range indexSpans(td) {
				if strings.HasSuffix(fs.span.Name(), "0") {
					order = append(order, fs.span.Name())
				}
			}
		}
	}
	want := make([]string, 0, 15)
	for i := 0; i < len(spans); i += 10 {
		want = append(want, spans[i].Name())
	}
	assert.Equal(t, want, order, "records come back in the order they were written")
}
