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
	goleak.VerifyTestMain(m,
		// lumberjack.v2 starts one goroutine per Logger that compresses and removes old backups;
		// Logger.Close does not stop it (it idles on a channel receive, holding no file).
		goleak.IgnoreAnyFunction("gopkg.in/natefinch/lumberjack%2ev2.(*Logger).millRun"),
	)
}
