package exporters

import (
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
)

// TestFileExporterBackupNeverReplaced rotates at nearly every export while the clock says the
// same millisecond, or goes back, or lags behind backups a previous run left, and checks that
// every span survives once and RotatedFiles lists the files in the order they were written.
func TestFileExporterBackupNeverReplaced(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		clock    func(call int) time.Time
		previous []time.Time // backups of an earlier run, each holding no span
	}{
		{name: "frozen clock", clock: func(int) time.Time { return start }},
		{name: "clock goes back", clock: func(call int) time.Time { return start.Add(-time.Duration(call) * time.Microsecond * 300) }},
		{
			name:     "older run's backups in the future",
			clock:    func(int) time.Time { return start },
			previous: []time.Time{start, start.Add(time.Millisecond), start.Add(time.Hour)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "traces.jsonl")
			for _, at := range tt.previous {
				require.NoError(t, os.WriteFile(backupName(path, at), nil, 0o600))
			}
			exp, err := NewFileExporter(path, WithMaxBackups(-1))
			require.NoError(t, err)
			rf, ok := exp.file.w.(*rotatingFile)
			require.True(t, ok)
			calls := 0
			rf.now = func() time.Time { calls++; return tt.clock(calls) }
			const limit = 3000 // bytes: about two spans a file
			exp.file.maxFile, rf.maxBytes = limit, limit

			spans := bigSpans(200, 1000)
			for i := range spans {
				require.NoError(t, exp.ExportSpans(t.Context(), spans[i:i+1]))
			}
			require.NoError(t, exp.Shutdown(t.Context()))
			require.Greater(t, calls, 50, "rotated many times")

			names, files := readAllTraceFiles(t, dir)
			assert.Greater(t, files, 50)
			assert.Len(t, names, len(spans), "every span is in some file")
			for name, n := range names {
				assert.Equal(t, 1, n, "span %q written once", name)
			}
			ordered, err := RotatedFiles(path)
			require.NoError(t, err)
			assert.Len(t, ordered, files, "RotatedFiles lists every backup")
			var got []string
			for _, f := range ordered {
				got = append(got, spanNamesIn(t, f)...)
			}
			want := make([]string, len(spans))
			for i, s := range spans {
				want[i] = s.Name()
			}
			assert.Equal(t, want, got, "backup names sort in the order they were written")
		})
	}
}

// spanNamesIn returns the names of the spans of one trace file, in file order.
func spanNamesIn(t *testing.T, path string) []string {
	t.Helper()
	var names []string
	for _, td := range readTraceLines(t, path) {
		for i := range td.ResourceSpans().Len() {
			ss := td.ResourceSpans().At(i).ScopeSpans()
			for j := range ss.Len() {
				spans := ss.At(j).Spans()
				for k := range spans.Len() {
					names = append(names, spans.At(k).Name())
				}
			}
		}
	}
	return names
}

func TestRotatingFileMill(t *testing.T) {
	start := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name        string
		rotation    rotation
		wantBackups []string // backups left after five rotations, by the minute they were rotated
	}{
		{name: "keep all", rotation: rotation{}, wantBackups: []string{"01", "02", "03", "04", "05"}},
		{name: "keep two", rotation: rotation{backups: 2}, wantBackups: []string{"04", "05"}},
		{name: "at most two minutes old", rotation: rotation{maxAge: 2 * time.Minute}, wantBackups: []string{"03", "04", "05"}},
		{name: "compressed", rotation: rotation{backups: 3, compress: true}, wantBackups: []string{"03.gz", "04.gz", "05.gz"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "app.log")
			r := tt.rotation
			r.maxBytes = 4
			rf, err := openRotatingFile(path, r)
			require.NoError(t, err)
			minute := 0
			rf.now = func() time.Time { return start.Add(time.Duration(minute) * time.Minute) }
			for i := range 6 {
				minute = i
				_, err := rf.Write(fmt.Appendf(nil, "%03d\n", i))
				require.NoError(t, err)
				rf.milling.Wait() // each pass sees one rotation more, as in production
			}
			require.NoError(t, rf.close(t.Context()))

			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			var got []string
			for _, e := range entries {
				if e.Name() == "app.log" {
					continue
				}
				got = append(got, strings.TrimPrefix(e.Name(), "app-2026-01-10T00-")[:2]+strings.TrimPrefix(filepath.Ext(e.Name()), ".log"))
				info, err := e.Info()
				require.NoError(t, err)
				assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), e.Name())
			}
			assert.Equal(t, tt.wantBackups, got)
			if r.compress {
				zr, err := os.Open(filepath.Join(dir, "app-2026-01-10T00-05-00.000.log.gz"))
				require.NoError(t, err)
				defer zr.Close()
				gz, err := gzip.NewReader(zr)
				require.NoError(t, err)
				data, err := io.ReadAll(gz)
				require.NoError(t, err)
				assert.Equal(t, "004\n", string(data))
			}
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, "005\n", string(data))
		})
	}
}

// errorRecorder collects what is reported to otel.Handle while installed.
type errorRecorder struct{ errs []error }

func (r *errorRecorder) Handle(err error) { r.errs = append(r.errs, err) }

func TestOpenRotatingFileWarnsAboutSharedMode(t *testing.T) {
	tests := []struct {
		name     string
		existing os.FileMode // 0: no file
		wantWarn bool
	}{
		{name: "new file"},
		{name: "private file", existing: 0o600},
		{name: "group readable", existing: 0o640, wantWarn: true},
		{name: "world readable", existing: 0o644, wantWarn: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &errorRecorder{}
			otel.SetErrorHandler(rec)
			t.Cleanup(func() { otel.SetErrorHandler(otel.ErrorHandlerFunc(func(error) {})) })
			path := filepath.Join(t.TempDir(), "traces.jsonl")
			if tt.existing != 0 {
				require.NoError(t, os.WriteFile(path, nil, 0o600))
				require.NoError(t, os.Chmod(path, tt.existing))
			}
			rf, err := openRotatingFile(path, rotation{maxBytes: 1 << 20})
			require.NoError(t, err)
			require.NoError(t, rf.close(t.Context()))
			info, err := os.Stat(path)
			require.NoError(t, err)
			if tt.existing == 0 {
				assert.Equal(t, fileMode, info.Mode().Perm())
			} else {
				assert.Equal(t, tt.existing, info.Mode().Perm(), "an existing file keeps its mode")
			}
			if tt.wantWarn {
				require.Len(t, rec.errs, 1)
				assert.ErrorContains(t, rec.errs[0], path)
				assert.ErrorContains(t, rec.errs[0], "other users may read")
			} else {
				assert.Empty(t, rec.errs)
			}
		})
	}
}
