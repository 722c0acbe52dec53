package e2e

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain stops the backends the tests started, then checks for leaked
// goroutines: the processes must be gone and every client closed by then.
func TestMain(m *testing.M) {
	_, _ = repoRoot() // resolved now, before a test changes directory; errors surface in the tests
	code := m.Run()
	if err := stopStack(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: stopping the backends:", err)
		code = 1
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: leaked goroutines:", err)
			code = 1
		}
	}
	os.Exit(code)
}
