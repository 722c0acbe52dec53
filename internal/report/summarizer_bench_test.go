package report

import (
	"bytes"
	"testing"

	"github.com/agenttrace/otelagent/internal/tracefile"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// BenchmarkSummarizerAdd measures summarising decoded records (44 spans per scenario run).
func BenchmarkSummarizerAdd(b *testing.B) {
	records := scenario()
	s, err := NewSummarizer(Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, td := range records {
			s.Add(td)
		}
	}
}

// BenchmarkBuild measures the whole input path, decoding included; its twin decodes only, the
// floor the summary adds to.
func BenchmarkBuild(b *testing.B) {
	data := jsonLines(b, scenario()...)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build([]string{tracefile.Stdin}, bytes.NewReader(data), Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeOnly(b *testing.B) {
	data := jsonLines(b, scenario()...)
	lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var u ptrace.JSONUnmarshaler
	for b.Loop() {
		for _, l := range lines {
			if _, err := u.UnmarshalTraces(l); err != nil {
				b.Fatal(err)
			}
		}
	}
}
