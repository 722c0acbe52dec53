package exporters

import (
	"fmt"
	"log/slog"
	"strings"
)

// levelCritical is the slog level of CRITICAL, the level above ERROR in Python logging.
const levelCritical = slog.LevelError + 4

// parseLogLevel accepts DEBUG, INFO, WARN, WARNING, ERROR and CRITICAL in any case.
func parseLogLevel(s string) (slog.Level, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "DEBUG":
		return slog.LevelDebug, nil
	case "INFO":
		return slog.LevelInfo, nil
	case "WARN", "WARNING":
		return slog.LevelWarn, nil
	case "ERROR":
		return slog.LevelError, nil
	case "CRITICAL":
		return levelCritical, nil
	}
	return 0, fmt.Errorf("%q is not one of DEBUG, INFO, WARN, WARNING, ERROR, CRITICAL", s)
}
