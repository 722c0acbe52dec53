package tracefile

import (
	"errors"
	"fmt"
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
// matches nothing and a path that does not exist are errors naming them.
func ExpandInputs(args []string) ([]string, error) {
	if len(args) == 0 {
		return nil, errors.New("report: no input: name trace files, or - for standard input")
	}
	var out []string
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
			files, err := exporters.RotatedFiles(m)
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

func hasMeta(p string) bool {
	return strings.ContainsAny(p, `*?[`)
}
