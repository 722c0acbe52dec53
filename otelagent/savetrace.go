package otelagent

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// TraceSummary is the document SaveTrace writes.
type TraceSummary struct {
	CacheStatistics CacheStatistics `json:"cache_statistics"`
	Stats           Stats           `json:"stats"`
	Events          []Event         `json:"events"`
}

// Summary returns the cache statistics, the statistics and the event log as one value.
func (t *Tracer) Summary() TraceSummary {
	events := t.Events()
	if events == nil {
		events = []Event{}
	}
	return TraceSummary{CacheStatistics: t.CacheStatistics(), Stats: t.Stats(), Events: events}
}

// SaveTrace writes Summary as indented JSON to path, atomically: it writes a temporary file in
// the same directory with mode 0600, syncs it and renames it over path, so readers see the old
// file or the new one, never a part. Any error is returned and path is left as it was.
func (t *Tracer) SaveTrace(path string) (err error) {
	if t == nil {
		return ErrNilTracer
	}
	data, err := json.MarshalIndent(t.Summary(), "", "  ")
	if err != nil {
		return fmt.Errorf("otelagent: save trace %s: %w", path, err)
	}
	data = append(data, '\n')
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("otelagent: save trace %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
			err = fmt.Errorf("otelagent: save trace %s: %w", path, err)
		}
	}()
	if err = f.Chmod(0o600); err != nil {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
