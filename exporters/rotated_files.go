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

// backupTimeFormat is the timestamp lumberjack puts in the names of rotated files.
const backupTimeFormat = "2006-01-02T15-04-05.000"

// RotatedFiles returns the files holding what the file exporters wrote to path, oldest first:
// the rotated backups (NAME-TIMESTAMP.EXT, gzipped or not) followed by path itself if it
// exists. While a backup is being compressed both of its forms exist; only the complete,
// uncompressed one is listed. Other files of the directory are ignored. It is safe for
// concurrent use; an unreadable directory is an error naming it.
func RotatedFiles(path string) ([]string, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	ext := filepath.Ext(base)
	prefix := strings.TrimSuffix(base, ext) + "-"
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("exporters: list the rotated files of %q: %w", path, err)
	}

	type backup struct {
		name string
		at   time.Time
	}
	var backups []backup
	plain := make(map[string]bool)
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		name := e.Name()
		stem := strings.TrimSuffix(name, ".gz")
		if !strings.HasPrefix(stem, prefix) || !strings.HasSuffix(stem, ext) {
			continue
		}
		at, err := time.Parse(backupTimeFormat, stem[len(prefix):len(stem)-len(ext)])
		if err != nil {
			continue
		}
		if stem == name {
			plain[name] = true
		}
		backups = append(backups, backup{name: name, at: at})
	}
	slices.SortStableFunc(backups, func(a, b backup) int { return a.at.Compare(b.at) })

	files := make([]string, 0, len(backups)+1)
	for _, b := range backups {
		if strings.HasSuffix(b.name, ".gz") && plain[strings.TrimSuffix(b.name, ".gz")] {
			continue // still being compressed
		}
		files = append(files, filepath.Join(dir, b.name))
	}
	switch _, err := os.Stat(path); {
	case err == nil:
		files = append(files, path)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("exporters: %w", err)
	}
	return files, nil
}
