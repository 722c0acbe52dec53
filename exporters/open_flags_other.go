//go:build !unix

package exporters

// Without O_NOFOLLOW and O_NONBLOCK, the type checks before and after opening stand alone.
const (
	openNoFollow = 0
	openNonBlock = 0
)
