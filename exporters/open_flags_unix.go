//go:build unix

package exporters

import "syscall"

// Open flags for the files this package writes: never through a symbolic link, and never
// waiting for a reader on a named pipe.
const (
	openNoFollow = syscall.O_NOFOLLOW
	openNonBlock = syscall.O_NONBLOCK
)
