package exporters

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// logFormat is a parsed logging.format: json, text, or a pattern.
type logFormat struct {
	kind    string // LogFormatJSON, LogFormatText or "pattern"
	pattern []patternPart
}

func parseLogFormat(s string) (logFormat, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case LogFormatJSON:
		return logFormat{kind: LogFormatJSON}, nil
	case LogFormatText:
		return logFormat{kind: LogFormatText}, nil
	}
	if !strings.Contains(s, "%(") {
		return logFormat{}, fmt.Errorf("%q is not json, text, or a %%-style pattern such as %q", s, "%(asctime)s - %(levelname)s - %(message)s")
	}
	parts, err := parsePattern(s)
	if err != nil {
		return logFormat{}, err
	}
	return logFormat{kind: "pattern", pattern: parts}, nil
}

// logOutput is the logger that Setup builds and the file it must close.
type logOutput struct {
	logger *slog.Logger
	file   *closableWriter // nil without a log file
}

// newLogOutput builds the logger of cfg (defaults applied): console and/or rotated file, each
// with its own handler of the configured format, all behind a traceContextHandler. The log
// file is opened once here so that a bad path fails Setup. consoleW is standard error outside
// tests.
func newLogOutput(cfg LoggingConfig, name string, consoleW io.Writer) (*logOutput, error) {
	level, err := parseLogLevel(cfg.Level)
	if err != nil {
		return nil, fmt.Errorf("logging.level: %w", err)
	}
	format, err := parseLogFormat(cfg.Format)
	if err != nil {
		return nil, fmt.Errorf("logging.format: %w", err)
	}
	out := &logOutput{}
	var handlers []slog.Handler
	if cfg.Console == nil || *cfg.Console {
		handlers = append(handlers, newFormatHandler(consoleW, format, name, level))
	}
	if cfg.File != "" {
		maxBackups := cfg.MaxBackups
		if maxBackups == 0 {
			maxBackups = DefaultFileMaxBackups
		}
		maxSize := cfg.MaxSizeMB
		if maxSize == 0 {
			maxSize = DefaultFileMaxSizeMB
		}
		rf, err := openRotatingFile(cfg.File, rotation{
			maxBytes: int64(maxSize) * bytesPerMB,
			backups:  maxBackups,
			maxAge:   time.Duration(cfg.MaxAgeDays) * 24 * time.Hour,
			compress: cfg.Compress,
		})
		if err != nil {
			return nil, fmt.Errorf("logging.file: %w", err)
		}
		out.file = &closableWriter{w: rf}
		handlers = append(handlers, newFormatHandler(out.file, format, name, level))
	}
	var h slog.Handler
	switch len(handlers) {
	case 0:
		h = slog.DiscardHandler
	case 1:
		h = handlers[0]
	default:
		h = slog.NewMultiHandler(handlers...)
	}
	out.logger = slog.New(newTraceContextHandler(h))
	return out, nil
}

func newFormatHandler(w io.Writer, f logFormat, name string, level slog.Level) slog.Handler {
	opts := &slog.HandlerOptions{Level: level}
	switch f.kind {
	case LogFormatJSON:
		return slog.NewJSONHandler(w, opts)
	case LogFormatText:
		return slog.NewTextHandler(w, opts)
	default:
		return &patternHandler{mu: new(sync.Mutex), w: w, parts: f.pattern, name: name, level: level}
	}
}

// closableWriter serialises the writes of the log handlers, which may be several (console
// and file formats, WithAttrs copies), to the rotating log file.
type closableWriter struct {
	mu sync.Mutex
	w  *rotatingFile
}

func (c *closableWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.w.Write(p)
}

// Close closes the file, waiting for rotated files being compressed until ctx is done; later
// writes fail with os.ErrClosed. Calling it again does nothing.
func (c *closableWriter) Close(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.w.close(ctx)
}
