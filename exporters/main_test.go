package exporters

import (
	"flag"
	"testing"

	"go.uber.org/goleak"
)

// update makes the golden tests of this package rewrite their files under testdata/:
// go test ./exporters -run Golden -update
var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
