package replay_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/agenttrace/otelagent/internal/replay"
)

// A dry run reads and counts; set Endpoint and Protocol (or the OTEL_EXPORTER_OTLP_*
// variables, through FromEnv) to send.
func ExampleReplay() {
	trace := filepath.Join("..", "report", "testdata", "quickstart.jsonl")
	res, err := replay.Replay(context.Background(), replay.Config{DryRun: true}, []string{trace}, os.Stdin)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d spans in %d file, delivered: %v\n", res.Spans, res.Files, res.Delivered())
	// Output:
	// 16 spans in 1 file, delivered: true
}
