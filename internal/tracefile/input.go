package tracefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/agenttrace/otelagent/exporters"
)

// Stdin is the input name that reads standard input.
const Stdin = "-"

// ExpandInputs turns command-line arguments into the files to read, in order: a glob pattern
// gives its matches (sorted); a file exporter's path also gives its rotated backups, oldest
// first (see exporters.RotatedFiles); "-" stays as is. A file is listed once. A pattern that
// matches nothing and a path that does not exist are errors naming them. Each directory is
// listed once, so the time grows with the number of files, not with its square.
func ExpandInputs(args []string) ([]string, error) {
	if len(args) == 0 {
		return nil, errors.New("report: no input: name trace files, or - for standard input")
	}
	var out []string
	listed := make(dirNames)
	seen := make(map[string]bool)
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, arg := range args {
		if arg == Stdin {
			add(arg)
			continue
		}
		var matches []string
		if hasMeta(arg) {
			m, err := filepath.Glob(arg)
			if err != nil {
				return nil, fmt.Errorf("report: pattern %q: %w", arg, err)
			}
			if len(m) == 0 {
				return nil, fmt.Errorf("report: pattern %q matches no file", arg)
			}
			slices.Sort(m)
			matches = m
		} else {
			matches = []string{arg}
		}
		for _, m := range matches {
			files, err := listed.rotatedFiles(m)
			if err != nil {
				return nil, fmt.Errorf("report: %w", err)
			}
			if len(files) == 0 {
				return nil, fmt.Errorf("report: %s: no such file", m)
			}
			for _, f := range files {
				add(f)
			}
		}
	}
	return out, nil
}

// Hooks for tests counting directory reads.
var (
	readDir      = os.ReadDir
	rotatedFiles = exporters.RotatedFiles
)

// dirNames holds the sorted file names of each directory listed so far.
type dirNames map[string][]string

// rotatedFiles returns what exporters.RotatedFiles does for path, without listing path's
// directory again when no name in it can be a backup of path (backups of NAME.EXT are named
// NAME-TIMESTAMP.EXT): globs over thousands of files would otherwise list the directory once
// per file.
func (d dirNames) rotatedFiles(path string) ([]string, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	names, ok := d[dir]
	if !ok {
		entries, err := readDir(dir)
		if err != nil {
			return rotatedFiles(path) // which names the problem
		}
		names = make([]string, len(entries))
		for i, e := range entries {
			names[i] = e.Name()
		}
		slices.Sort(names)
		d[dir] = names
	}
	prefix := strings.TrimSuffix(base, filepath.Ext(base)) + "-"
	if i, _ := slices.BinarySearch(names, prefix); i < len(names) && strings.HasPrefix(names[i], prefix) {
		return rotatedFiles(path)
	}
	switch _, err := os.Stat(path); {
	case err == nil:
		return []string{path}, nil
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	default:
		return rotatedFiles(path)
	}
}

func hasMeta(p string) bool {
	return strings.ContainsAny(p, `*?[`)
}
