package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/agenttrace/otelagent/exporters"
	"github.com/agenttrace/otelagent/internal/report"
	"github.com/agenttrace/otelagent/internal/semcheck"
	"github.com/agenttrace/otelagent/internal/tracefile"
)

func newValidateCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check a configuration file or a trace file",
	}
	cmd.AddCommand(newValidateConfigCommand(), newValidateTraceCommand())
	return cmd
}

func newValidateConfigCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "config FILE",
		Short: "Load a configuration file (JSON or YAML) and report every problem with its key path",
		Args:  args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			cfg, err := exporters.LoadConfig(a[0])
			if err == nil {
				err = cfg.Validate()
			}
			// The file's keys and values reach the terminal in the problems: escaped, so a key
			// cannot move the cursor or forge a line.
			name := report.EscapeText(a[0])
			if err == nil {
				fmt.Fprintf(cmd.OutOrStdout(), "%s: ok\n", name)
				return nil
			}
			problems := flatten(err)
			// LoadConfig names the file already; print it once per line.
			prefix := fmt.Sprintf("exporters: config %q: ", a[0])
			for _, p := range problems {
				fmt.Fprintf(cmd.OutOrStdout(), "%s: %s\n", name, report.EscapeText(strings.TrimPrefix(p, prefix)))
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "otelagent: %s: %s\n", name, plural(len(problems), "problem"))
			return exitError{1}
		},
	}
}

// flatten lists the leaves of a tree of joined errors, one line each.
func flatten(err error) []string {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []string
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	var out []string
	for _, line := range strings.Split(err.Error(), "\n") {
		if strings.TrimSpace(line) != "" {
			out = append(out, line)
		}
	}
	return out
}

func newValidateTraceCommand() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "trace [flags] FILE|GLOB|- ...",
		Short: "Check every span of trace files against the GenAI semantic conventions",
		Long: `Trace checks each span carrying gen_ai.* attributes against the GenAI semantic
conventions models: those of v` + semcheck.ShippedVersion + `, built in, or another version's registry.yaml,
registry-deprecated.yaml and spans.yaml given with --semconv. Unknown keys and deprecated
keys are warnings; attributes of the wrong type, and attributes the operation's span definition
requires (such as gen_ai.operation.name, gen_ai.provider.name, gen_ai.tool.name for
execute_tool, error.type on a failed operation) that are missing, are errors. The exit status
is 1 when there is any error.`,
		Args: args(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, files []string) error {
			model, err := semcheck.LoadShipped()
			if dir != "" {
				model, err = semcheck.Load(dir)
			}
			if err != nil {
				return err
			}
			inputs, err := tracefile.ExpandInputs(files)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			var sum semcheck.Summary
			skipped := 0
			for _, name := range inputs {
				n, err := checkTraceFile(cmd.InOrStdin(), out, cmd.ErrOrStderr(), name, model, &sum)
				skipped += n
				if err != nil {
					return err
				}
			}
			fmt.Fprintf(out, "%d spans (%d GenAI): %d errors, %d warnings", sum.Spans, sum.GenAISpans, sum.Errors, sum.Warnings)
			if skipped > 0 {
				fmt.Fprintf(out, ", %s skipped", plural(skipped, "line"))
			}
			fmt.Fprintln(out)
			if sum.Errors > 0 {
				return exitError{1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "semconv", "", "directory of other GenAI conventions models (registry.yaml, registry-deprecated.yaml, spans.yaml) (default: the built-in v"+semcheck.ShippedVersion+")")
	return cmd
}

// checkTraceFile checks the spans of one input, skipping damaged lines as
// tracefile.ReadTraces does; it returns the number of lines skipped.
func checkTraceFile(stdin io.Reader, out, stderr io.Writer, name string, model *semcheck.Model, sum *semcheck.Summary) (int, error) {
	r, err := tracefile.Open(name, stdin)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	res, err := tracefile.ReadTraces(r, name, func(td ptrace.Traces, line int) error {
		model.CheckTraces(td, sum, func(f semcheck.Finding) {
			fmt.Fprintf(out, "%s\n", report.EscapeText(fmt.Sprintf("%s:%d: %s", name, line, f)))
		})
		return nil
	})
	for _, w := range res.Warnings {
		fmt.Fprintf(stderr, "otelagent: warning: %s\n", report.EscapeText(w))
	}
	return res.Skipped, err
}

// plural returns "1 problem" or "N problems".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
