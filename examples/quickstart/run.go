package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"text/tabwriter"

	"github.com/agenttrace/otelagent/otelagent"
)

// pricing is an illustrative price table, in US dollars per million tokens.
var pricing = otelagent.Pricing{
	"gpt-4o":      {Input: 2.5, Output: 10, CacheRead: 1.25},
	"gpt-4o-mini": {Input: 0.15, Output: 0.6, CacheRead: 0.075},
}

// questions is the simulated traffic: repeats are served from the response cache, "order"
// questions call a tool, and the "timeout" one fails.
var questions = []struct{ agent, conversation, text string }{
	{"triage", "conv-1", "Where is my order 1042?"},
	{"triage", "conv-2", "How do I reset my password?"},
	{"researcher", "conv-2", "Which password rules apply to admin accounts?"},
	{"triage", "conv-3", "How do I reset my password?"},
	{"writer", "conv-2", "Draft a reply about password rules for admins."},
	{"triage", "conv-4", "Where is my order 1042?"},
	{"researcher", "conv-5", "Summarise the refund policy, timeout permitting."},
	{"triage", "conv-6", "How do I reset my password?"},
	{"writer", "conv-2", "Draft a reply about password rules for admins."},
}

// runAgents plays the questions through a small support-desk workflow and returns how many
// failed.
func runAgents(ctx context.Context, tracer *otelagent.Tracer) int {
	cache := &responseCache{}
	system := "You are a helpful support agent for an online shop. Be brief, precise and polite."
	agents := map[string]*agent{
		"triage":     {name: "triage", model: fakeModel{"gpt-4o-mini", system}, cache: cache, tracer: tracer},
		"researcher": {name: "researcher", model: fakeModel{"gpt-4o", system}, cache: cache, tracer: tracer},
		"writer":     {name: "writer", model: fakeModel{"gpt-4o", system}, cache: cache, tracer: tracer},
	}
	ctx, workflow := tracer.StartWorkflow(ctx, "support-desk")
	failed := 0
	for _, q := range questions {
		if _, err := agents[q.agent].handle(ctx, q.conversation, q.text); err != nil {
			failed++
		}
	}
	_ = workflow.Complete(nil)
	return failed
}

// printReport writes the cache statistics and the per-agent table.
func printReport(w io.Writer, tracer *otelagent.Tracer) {
	s := tracer.CacheStatistics()
	fmt.Fprintf(w, "Cache statistics\n")
	fmt.Fprintf(w, "  hits %d, misses %d, hit rate %.1f%%\n", s.Hits, s.Misses, 100*s.HitRate)
	fmt.Fprintf(w, "  tokens spent %d, saved %d (%.1f%% of all tokens)\n", s.TokensSpent, s.TokensSaved, s.SavingsPercentage)
	fmt.Fprintf(w, "  provider cache: %d input tokens read from cache\n", s.CacheReadTokens)
	fmt.Fprintf(w, "  cost spent $%.6f, saved $%.6f\n\n", s.CostSpent, s.CostSaved)

	st := tracer.Stats()
	names := make([]string, 0, len(st.Agents))
	for n := range st.Agents {
		if n != "" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "agent\tinvocations\terrors\thits\tinput\toutput\tsaved\tcost $\tp95\t")
	for _, n := range names {
		g := st.Agents[n]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%.6f\t%s\t\n", n, g.Invocations, g.Errors, g.CacheHits,
			g.PromptTokens, g.CompletionTokens, g.TokensSaved, g.CostSpent, g.Latency.P95.Round(100_000))
	}
	_ = tw.Flush()
}
