package exporters

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
)

// rotation says when a rotatingFile rotates and which backups it keeps.
type rotation struct {
	maxBytes int64
	backups  int           // rotated files kept; 0 or less keeps every one
	maxAge   time.Duration // rotated files older than this are removed; 0 keeps them
	compress bool
}

// rotatingFile appends to a file and, before a write would make it larger than maxBytes,
// renames it to a backup NAME-TIMESTAMP.EXT (the names lumberjack gives, which RotatedFiles
// lists) and starts a new one.
//
// A backup is never replaced: each rotation takes a timestamp later than the previous
// backup's, one millisecond later when the clock has not moved on or has gone back, and
// skips any name already taken. Backup names therefore sort in the order they were written.
//
// Files are opened without following symbolic links and without blocking, and only regular
// files are written. Compression and removal of old backups run in one background goroutine
// at a time, which close waits for. A rotatingFile is not safe for concurrent use.
type rotatingFile struct {
	path string
	rotation
	now func() time.Time

	file   *os.File // nil when closed, or after a rotation that could not reopen
	size   int64
	last   time.Time // timestamp of the newest backup
	closed bool

	millMu  sync.Mutex // one compression and removal pass at a time
	milling sync.WaitGroup
}

// openRotatingFile opens path for appending, creating it with mode 0600 and missing
// directories with mode 0700. The error names path; its text carries no package prefix.
func openRotatingFile(path string, r rotation) (*rotatingFile, error) {
	f, size, err := openAppendOnly(path, fileMode)
	if err != nil {
		return nil, err
	}
	warnIfShared(f)
	backups, err := listBackups(path)
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	rf := &rotatingFile{path: path, rotation: r, now: time.Now, file: f, size: size}
	if n := len(backups); n > 0 {
		rf.last = backups[n-1].at
	}
	return rf, nil
}

// openAppendOnly opens path write-only for appending, creating it with perm if missing, and
// returns its size. It refuses a symbolic link, a named pipe, a device, a socket or a
// directory with an error naming path, and never blocks on a named pipe: the type is checked
// before opening, and checked again on the open file in case the path changed in between.
func openAppendOnly(path string, perm os.FileMode) (*os.File, int64, error) {
	if err := os.MkdirAll(filepath.Dir(path), fileDirMode); err != nil {
		return nil, 0, fmt.Errorf("cannot create the directory of %q: %w", path, unwrapPathError(err))
	}
	// A directory is left to OpenFile, whose error says so.
	if info, err := os.Lstat(path); err == nil && !info.IsDir() {
		if err := checkRegular(path, info); err != nil {
			return nil, 0, err
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|openNoFollow|openNonBlock, perm)
	if err != nil {
		return nil, 0, fmt.Errorf("cannot open %q for appending: %w", path, unwrapPathError(err))
	}
	info, err := f.Stat()
	if err == nil {
		err = checkRegular(path, info)
	}
	if err != nil {
		_ = f.Close()
		return nil, 0, err
	}
	return f, info.Size(), nil
}

// warnIfShared reports to otel.Handle when f, an existing file, can be read or written by its
// group or others. Its mode is kept, since an owner may open it on purpose to a log shipper;
// files this package creates are 0600.
func warnIfShared(f *os.File) {
	info, err := f.Stat()
	if err != nil || info.Mode().Perm()&0o077 == 0 {
		return
	}
	otel.Handle(fmt.Errorf("exporters: %q has mode %#o: other users may read what is written to it (new files get %#o)",
		f.Name(), info.Mode().Perm(), fileMode))
}

// checkRegular returns an error naming path unless info describes a regular file.
func checkRegular(path string, info fs.FileInfo) error {
	m := info.Mode()
	if m.IsRegular() {
		return nil
	}
	var kind string
	switch {
	case m&fs.ModeSymlink != 0:
		return fmt.Errorf("%q is a symbolic link; files are written at their own path, never through a link", path)
	case m.IsDir():
		kind = "a directory"
	case m&fs.ModeNamedPipe != 0:
		kind = "a named pipe"
	case m&fs.ModeSocket != 0:
		kind = "a socket"
	case m&fs.ModeDevice != 0:
		kind = "a device"
	default:
		kind = "of type " + m.Type().String()
	}
	return fmt.Errorf("%q is not a regular file but %s, and rotation renames files", path, kind)
}

// Write appends p, rotating first if p would take the file past maxBytes. A p larger than
// maxBytes goes into a file of its own.
func (r *rotatingFile) Write(p []byte) (int, error) {
	if r.closed {
		return 0, os.ErrClosed
	}
	if r.file == nil {
		f, size, err := openAppendOnly(r.path, fileMode)
		if err != nil {
			return 0, err
		}
		r.file, r.size = f, size
	}
	if r.size > 0 && r.size+int64(len(p)) > r.maxBytes {
		if err := r.rotate(); err != nil {
			return 0, err
		}
	}
	n, err := r.file.Write(p)
	r.size += int64(n)
	return n, err
}

// rotate renames the current file to a free backup name and opens a new, empty file with
// the same permissions.
func (r *rotatingFile) rotate() error {
	perm := fileMode
	if info, err := r.file.Stat(); err == nil {
		perm = info.Mode().Perm()
	}
	err := r.file.Close()
	r.file = nil // reopened by the next Write if anything below fails
	if err != nil {
		return fmt.Errorf("close %q before rotating it: %w", r.path, unwrapPathError(err))
	}
	name, at, err := r.freeBackupName()
	if err != nil {
		return err
	}
	if err := os.Rename(r.path, name); err != nil {
		return fmt.Errorf("rotate %q: %w", r.path, err)
	}
	r.last = at
	// O_EXCL: a link or pipe put at path since the rename is refused, not followed.
	f, err := os.OpenFile(r.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|os.O_EXCL|openNoFollow|openNonBlock, perm)
	if err != nil {
		return fmt.Errorf("create %q after rotating it: %w", r.path, unwrapPathError(err))
	}
	r.file, r.size = f, 0
	r.startMill()
	return nil
}

// freeBackupName returns the first backup name, from now on and after the newest backup,
// that names no file, compressed or not.
func (r *rotatingFile) freeBackupName() (string, time.Time, error) {
	at := r.now().UTC().Truncate(time.Millisecond)
	if !at.After(r.last) {
		at = r.last.Add(time.Millisecond)
	}
	for {
		name := backupName(r.path, at)
		taken := false
		for _, n := range []string{name, name + compressedSuffix} {
			_, err := os.Lstat(n)
			switch {
			case err == nil:
				taken = true
			case !errors.Is(err, fs.ErrNotExist):
				return "", time.Time{}, fmt.Errorf("rotate %q: %w", r.path, err)
			}
		}
		if !taken {
			return name, at, nil
		}
		at = at.Add(time.Millisecond)
	}
}

// startMill compresses and removes backups in the background, if the rotation asks for it.
func (r *rotatingFile) startMill() {
	if !r.compress && r.backups <= 0 && r.maxAge <= 0 {
		return
	}
	r.milling.Add(1)
	go func() {
		defer r.milling.Done()
		r.millMu.Lock()
		defer r.millMu.Unlock()
		if err := r.mill(); err != nil {
			otel.Handle(err)
		}
	}()
}

// mill removes the backups beyond the newest r.backups and those older than r.maxAge, then
// compresses the remaining uncompressed ones.
func (r *rotatingFile) mill() error {
	all, err := listBackups(r.path)
	if err != nil {
		return err
	}
	// A backup being compressed appears twice, plain and gzipped, with the same time.
	var stamps []time.Time
	files := make(map[time.Time][]string)
	for _, b := range all {
		if _, ok := files[b.at]; !ok {
			stamps = append(stamps, b.at)
		}
		files[b.at] = append(files[b.at], b.path)
	}
	cutoff := time.Time{}
	if r.maxAge > 0 {
		cutoff = r.now().Add(-r.maxAge)
	}
	var errs []error
	for i, at := range stamps {
		expired := r.backups > 0 && i < len(stamps)-r.backups || at.Before(cutoff)
		if expired {
			for _, p := range files[at] {
				if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
					errs = append(errs, fmt.Errorf("exporters: remove old backup: %w", err))
				}
			}
			continue
		}
		if r.compress {
			if plain := backupName(r.path, at); slices.Contains(files[at], plain) {
				if err := compressBackup(plain); err != nil {
					errs = append(errs, err)
				}
			}
		}
	}
	return errors.Join(errs...)
}

// compressBackup gzips name into name.gz and removes name. A name.gz left beside name by an
// interrupted pass is incomplete and is rewritten.
func compressBackup(name string) (err error) {
	in, err := os.OpenFile(name, os.O_RDONLY|openNoFollow|openNonBlock, 0)
	if err != nil {
		return fmt.Errorf("exporters: compress backup: %w", err)
	}
	defer in.Close()
	info, err := in.Stat()
	if err == nil {
		err = checkRegular(name, info)
	}
	if err != nil {
		return fmt.Errorf("exporters: compress backup: %w", err)
	}
	gzName := name + compressedSuffix
	out, err := os.OpenFile(gzName, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|openNoFollow|openNonBlock, info.Mode().Perm())
	if err != nil {
		return fmt.Errorf("exporters: compress backup: %w", err)
	}
	defer func() {
		if err != nil {
			_ = os.Remove(gzName)
			err = fmt.Errorf("exporters: compress backup %q: %w", name, err)
		}
	}()
	gz := gzip.NewWriter(out)
	_, err = io.Copy(gz, in)
	if cerr := gz.Close(); err == nil {
		err = cerr
	}
	if serr := out.Sync(); err == nil {
		err = serr
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Remove(name)
}

// close closes the file and waits for background compression and removal, or for ctx to be
// done. Later writes fail with os.ErrClosed; calling it again does nothing.
func (r *rotatingFile) close(ctx context.Context) error {
	if r.closed {
		return nil
	}
	r.closed = true
	var err error
	if r.file != nil {
		err = r.file.Close()
		r.file = nil
	}
	done := make(chan struct{})
	go func() {
		r.milling.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		err = errors.Join(err, fmt.Errorf("backups of %q still being compressed: %w", r.path, ctx.Err()))
	}
	return err
}
