package exporters

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sync"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
)

// Defaults of the file exporters, in one place.
const (
	// DefaultFileMaxSizeMB is the size in megabytes at which an exporter file is rotated.
	DefaultFileMaxSizeMB = 100
	// DefaultFileMaxBackups is how many rotated files are kept.
	DefaultFileMaxBackups = 5

	fileMode        os.FileMode = 0o600
	fileDirMode     os.FileMode = 0o700
	bytesPerMB                  = 1 << 20 // megabytes are MiB, as lumberjack counts them
	lineSeparator               = '\n'
	maxScratchBytes             = 4 << 20 // larger lines get a buffer of their own
)

// ErrExporterShutdown is returned by the export methods of FileExporter and MetricFileExporter
// once they have been shut down.
var ErrExporterShutdown = errors.New("exporters: exporter is shut down")

// FileOption configures NewFileExporter and NewMetricFileExporter. It is implemented only by
// the With* functions of this package.
type FileOption interface {
	applyFile(*fileConfig)
}

type fileOptionFunc func(*fileConfig)

func (f fileOptionFunc) applyFile(c *fileConfig) { f(c) }

// fileConfig holds the settings shared by the file exporters.
type fileConfig struct {
	maxSizeMB   int
	maxBackups  int
	maxAgeDays  int
	compress    bool
	temporality sdkmetric.TemporalitySelector
}

// newFileConfig applies opts over the defaults and validates the result. Nil options are
// ignored.
func newFileConfig(opts []FileOption) (fileConfig, error) {
	var c fileConfig
	for _, o := range opts {
		if o != nil {
			o.applyFile(&c)
		}
	}
	if c.maxSizeMB < 0 {
		return fileConfig{}, fmt.Errorf("exporters: max size must not be negative, got %d MB", c.maxSizeMB)
	}
	if c.maxSizeMB > math.MaxInt/bytesPerMB {
		return fileConfig{}, fmt.Errorf("exporters: max size is too large, got %d MB", c.maxSizeMB)
	}
	if c.maxAgeDays < 0 {
		return fileConfig{}, fmt.Errorf("exporters: max age must not be negative, got %d days", c.maxAgeDays)
	}
	if c.maxSizeMB == 0 {
		c.maxSizeMB = DefaultFileMaxSizeMB
	}
	if c.maxBackups == 0 {
		c.maxBackups = DefaultFileMaxBackups
	}
	if c.temporality == nil {
		c.temporality = sdkmetric.DefaultTemporalitySelector
	}
	return c, nil
}

// WithMaxSizeMB rotates the file before a write would make it larger than mb megabytes
// (MiB). The default is DefaultFileMaxSizeMB (100); 0 means the default. A record larger than
// the limit is split into several lines where it can be; a single span or metric larger than
// the limit is an export error. A negative size makes the constructor fail.
func WithMaxSizeMB(mb int) FileOption {
	return fileOptionFunc(func(c *fileConfig) { c.maxSizeMB = mb })
}

// WithMaxBackups keeps at most n rotated files, removing the oldest. The default is
// DefaultFileMaxBackups (5); 0 means the default; a negative n keeps every rotated file (then
// only WithMaxAgeDays removes them).
func WithMaxBackups(n int) FileOption {
	return fileOptionFunc(func(c *fileConfig) { c.maxBackups = n })
}

// WithMaxAgeDays removes rotated files older than days days, judged by the timestamp in their
// names. The default, 0, keeps them regardless of age. A negative value makes the constructor
// fail.
func WithMaxAgeDays(days int) FileOption {
	return fileOptionFunc(func(c *fileConfig) { c.maxAgeDays = days })
}

// WithCompress gzips rotated files (name.jsonl becomes name-TIMESTAMP.jsonl.gz) when true.
// Compression runs in the background after a rotation; Shutdown waits for it until its context
// is done. The default is false.
func WithCompress(gzip bool) FileOption {
	return fileOptionFunc(func(c *fileConfig) { c.compress = gzip })
}

// WithTemporality sets the temporality that MetricFileExporter asks the SDK for, per
// instrument kind. The default, also used for nil, is sdkmetric.DefaultTemporalitySelector
// (cumulative for every kind). FileExporter ignores this option.
func WithTemporality(selector sdkmetric.TemporalitySelector) FileOption {
	return fileOptionFunc(func(c *fileConfig) { c.temporality = selector })
}

// lineFile appends whole lines to a size-rotated file. It is not safe for concurrent use: the
// exporters call it under their own lock.
type lineFile struct {
	path    string
	w       lineWriter // a *rotatingFile outside tests
	maxFile int        // bytes
	// scratch is reused for each line and its newline, up to maxScratchBytes.
	scratch []byte
	// terminate is set when the file ends inside a line (a write was cut short by a crash or
	// a failed write): the next write starts with a newline so that its record stays a line
	// of its own.
	terminate bool
}

// lineWriter is where a lineFile writes.
type lineWriter interface {
	io.Writer
	close(context.Context) error
}

// openLineFile checks that path can be appended to, creating it with mode 0600 (and missing
// directories with mode 0700), so that a bad path fails here rather than at the first export.
func openLineFile(path string, c fileConfig) (*lineFile, error) {
	if path == "" {
		return nil, errors.New("exporters: file path is empty")
	}
	rf, err := openRotatingFile(path, rotation{
		maxBytes: int64(c.maxSizeMB) * bytesPerMB,
		backups:  c.maxBackups,
		maxAge:   time.Duration(c.maxAgeDays) * 24 * time.Hour,
		compress: c.compress,
	})
	if err != nil {
		return nil, fmt.Errorf("exporters: %w", err)
	}
	terminate, err := endsInsideLine(path, rf.size)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("exporters: cannot inspect %q: %w", path, err), rf.close(context.Background()))
	}
	return &lineFile{
		path:      path,
		w:         rf,
		maxFile:   c.maxSizeMB * bytesPerMB,
		terminate: terminate,
	}, nil
}

// endsInsideLine reports whether the file at path, of the given size, is non-empty and its
// last byte is not a newline.
func endsInsideLine(path string, size int64) (bool, error) {
	if size == 0 {
		return false, nil
	}
	r, err := os.OpenFile(path, os.O_RDONLY|openNoFollow|openNonBlock, 0)
	if err != nil {
		// Write-only permissions: nothing to repair that we could see, and writing works.
		return false, nil
	}
	defer r.Close()
	var last [1]byte
	if _, err := r.ReadAt(last[:], size-1); err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	return last[0] != lineSeparator, nil
}

// fits reports whether a line of n bytes can be written: the readers of this package accept it
// (at most MaxLineBytes), and with its newline it does not exceed the rotation size.
func (f *lineFile) fits(n int) bool {
	if n > MaxLineBytes {
		return false
	}
	if f.terminate {
		n++
	}
	return n+1 <= f.maxFile
}

// writeLine writes line and a newline in one write, so that rotation never splits it.
func (f *lineFile) writeLine(line []byte) error {
	if !f.fits(len(line)) {
		return fmt.Errorf("exporters: a record of %d bytes cannot be written to %q: lines are limited to %d bytes and the file to %d MB",
			len(line), f.path, MaxLineBytes, f.maxFile/bytesPerMB)
	}
	buf := f.scratch[:0]
	if f.terminate {
		buf = append(buf, lineSeparator)
	}
	buf = append(buf, line...)
	buf = append(buf, lineSeparator)
	if cap(buf) <= maxScratchBytes {
		f.scratch = buf
	}
	if _, err := f.w.Write(buf); err != nil {
		// Part of the line may be on disk: end it before the next record.
		f.terminate = true
		return fmt.Errorf("exporters: write %q: %w", f.path, err)
	}
	f.terminate = false
	return nil
}

// close closes the file and waits, until ctx is done, for rotated files to be compressed.
func (f *lineFile) close(ctx context.Context) error {
	if err := f.w.close(ctx); err != nil {
		return fmt.Errorf("exporters: close %q: %w", f.path, err)
	}
	return nil
}

// openFileSink reads opts and opens path for a file exporter.
func openFileSink(path string, opts []FileOption) (*lineFile, fileConfig, error) {
	c, err := newFileConfig(opts)
	if err != nil {
		return nil, c, err
	}
	f, err := openLineFile(path, c)
	return f, c, err
}

// fileSink is what the span and metric file exporters share: one lock around encoding and
// writing a line, and a shutdown that closes the file once.
type fileSink struct {
	mu      sync.Mutex
	file    *lineFile
	stopped bool
}

// export runs write under the lock. It returns ctx.Err() if ctx is already done, and
// ErrExporterShutdown after Shutdown.
func (s *fileSink) export(ctx context.Context, write func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return ErrExporterShutdown
	}
	return write()
}

// ForceFlush returns ctx.Err(): every export has already reached the operating system, so
// nothing is buffered. It is safe for concurrent use.
func (s *fileSink) ForceFlush(ctx context.Context) error {
	return ctx.Err()
}

// Shutdown closes the file and waits, until ctx is done, for rotated files being compressed;
// later exports return ErrExporterShutdown. It returns ctx.Err()
// without shutting down if ctx is already done. Calling it again does nothing and returns
// nil. It is safe for concurrent use.
func (s *fileSink) Shutdown(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return nil
	}
	s.stopped = true
	return s.file.close(ctx)
}
