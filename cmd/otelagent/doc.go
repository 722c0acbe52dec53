// Command otelagent summarises, replays and validates the traces that otelagent writes.
//
//	otelagent report agent_trace.jsonl            # per-agent table: tokens, cache, cost, latency
//	otelagent report --by model --format html -o report.html 'traces/*.jsonl*'
//	otelagent replay --endpoint localhost:4317 agent_trace.jsonl
//	otelagent validate config config.yaml
//	otelagent validate trace agent_trace.jsonl
//
// Run "otelagent help COMMAND" for the flags of each command.
package main
