package report_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/agenttrace/otelagent/internal/report"
)

func ExampleBuild() {
	rep, err := report.Build([]string{"testdata/quickstart.jsonl"}, nil, report.Options{By: report.ByAgent})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, row := range rep.Rows {
		fmt.Printf("%s: %d invocations, %d cache hits, %d tokens saved\n", row.Name, row.Invocations, row.CacheHits, row.TokensSaved)
	}
	fmt.Printf("savings: %.1f%%\n", rep.Total.SavingsPercentage)
	var md strings.Builder
	if err := report.Render(&md, rep, report.FormatMarkdown); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	// Output:
	// researcher: 2 invocations, 0 cache hits, 0 tokens saved
	// triage: 5 invocations, 3 cache hits, 163 tokens saved
	// writer: 2 invocations, 1 cache hits, 61 tokens saved
	// savings: 49.0%
}
