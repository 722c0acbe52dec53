package report

import (
	"bytes"
	"os"
	"testing"

	"github.com/agenttrace/otelagent/internal/tracefile"
)

// FuzzReportTraceInput feeds arbitrary bytes to the trace-input path: it may refuse them with
// an error, never panic, and what it accepts renders in every format.
func FuzzReportTraceInput(f *testing.F) {
	real, err := os.ReadFile(quickstartTrace)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(real)
	f.Add(jsonLines(f, scenario()...))
	f.Add(real[:len(real)/2])
	f.Add([]byte(`{"cache_statistics": {"hits": 1}, "stats": {"agents": {"a": {"invocations": 1}}}}`))
	f.Add([]byte("{}\n\n{\"resourceSpans\":[]}\n"))
	f.Add([]byte("\x1f\x8b\x08"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, by := range []string{ByAgent, ByModel} {
			rep, err := Build([]string{tracefile.Stdin}, bytes.NewReader(data), Options{By: by})
			if err != nil {
				return
			}
			for _, format := range Formats {
				if err := Render(&bytes.Buffer{}, rep, format); err != nil {
					t.Fatalf("render %s: %v", format, err)
				}
			}
		}
	})
}
