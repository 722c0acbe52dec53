package exporters

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

const (
	// backupTimeFormat is the timestamp, in UTC, in the names of rotated files; lumberjack
	// uses the same, so files it rotated are listed too.
	backupTimeFormat = "2006-01-02T15-04-05.000"
	compressedSuffix = ".gz"
)

// backup is one rotated file and the time in its name.
type backup struct {
	path string
	at   time.Time
}

// backupName returns the name of the backup of path rotated at t: NAME-TIMESTAMP.EXT.
func backupName(path string, t time.Time) string {
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + "-" + t.UTC().Format(backupTimeFormat) + ext
}

// listBackups returns the rotated files of path, gzipped or not, oldest first; a plain file
// comes before its gzipped form.
func listBackups(path string) ([]backup, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	ext := filepath.Ext(base)
	prefix := strings.TrimSuffix(base, ext) + "-"
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list the rotated files of %q: %w", path, err)
	}
	var backups []backup
	for _, e := range entries { // sorted by name: plain before gzipped
		if e.IsDir() {
			continue
		}
		name := e.Name()
		stem := strings.TrimSuffix(name, compressedSuffix)
		if !strings.HasPrefix(stem, prefix) || !strings.HasSuffix(stem, ext) || len(stem) < len(prefix)+len(ext) {
			continue
		}
		at, err := time.Parse(backupTimeFormat, stem[len(prefix):len(stem)-len(ext)])
		if err != nil {
			continue
		}
		backups = append(backups, backup{path: filepath.Join(dir, name), at: at})
	}
	slices.SortStableFunc(backups, func(a, b backup) int { return a.at.Compare(b.at) })
	return backups, nil
}

// RotatedFiles returns the files holding what the file exporters wrote to path, oldest first:
// the rotated backups (NAME-TIMESTAMP.EXT, gzipped or not) followed by path itself if it
// exists. While a backup is being compressed both of its forms exist; only the complete,
// uncompressed one is listed. Other files of the directory are ignored. It is safe for
// concurrent use; an unreadable directory is an error naming it.
func RotatedFiles(path string) ([]string, error) {
	backups, err := listBackups(path)
	if err != nil {
		return nil, fmt.Errorf("exporters: %w", err)
	}
	files := make([]string, 0, len(backups)+1)
	for i, b := range backups {
		if i > 0 && backups[i-1].path+compressedSuffix == b.path {
			continue // still being compressed
		}
		files = append(files, b.path)
	}
	switch _, err := os.Stat(path); {
	case err == nil:
		files = append(files, path)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("exporters: %w", err)
	}
	return files, nil
}
