package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/agenttrace/otelagent/otelagent"
)

// savedSummary is what a report needs of a SaveTrace document: the cache statistics and the
// per-agent and per-model groups, at most MaxGroups of each plus the rest pooled.
type savedSummary struct {
	cache          otelagent.CacheStatistics
	agents, models groupList
}

// groupList keeps groups in the order read: the first MaxGroups by name, the rest summed
// into one pooled under OverflowGroup.
type groupList struct {
	names  []string
	stats  []otelagent.GroupStats
	pooled int // groups summed into overflow
	over   otelagent.GroupStats
}

func (l *groupList) add(name string, g otelagent.GroupStats) {
	if len(l.names) < MaxGroups {
		l.names = append(l.names, name)
		l.stats = append(l.stats, g)
		return
	}
	l.pooled++
	o := &l.over
	o.Invocations += g.Invocations
	o.InFlight += g.InFlight
	o.Errors += g.Errors
	o.PromptTokens += g.PromptTokens
	o.CompletionTokens += g.CompletionTokens
	o.TotalTokens += g.TotalTokens
	o.CacheReadTokens += g.CacheReadTokens
	o.CacheCreationTokens += g.CacheCreationTokens
	o.ReasoningTokens += g.ReasoningTokens
	o.TokensSaved += g.TokensSaved
	o.CacheHits += g.CacheHits
	o.CacheMisses += g.CacheMisses
	o.CostSpent += g.CostSpent
	o.CostSaved += g.CostSaved
	// Percentiles of different groups do not combine: the pooled group has none.
}

// hasFigures reports whether g counted anything: Stats keeps groups that only ever had
// operations in flight (models are in flight under the model they requested), which a
// report over the spans has no row for.
func hasFigures(g otelagent.GroupStats) bool {
	g.InFlight, g.Priced, g.Latency = 0, false, otelagent.Latency{}
	return g != otelagent.GroupStats{}
}

// readSavedSummary streams a SaveTrace document: its event log is skipped token by token and
// its groups are decoded one at a time, so memory does not grow with the file (a summary of a
// million agents, or a long event log).
func readSavedSummary(r io.Reader) (*savedSummary, error) {
	dec := json.NewDecoder(r)
	var sum savedSummary
	err := forEachKey(dec, func(key string) error {
		switch key {
		case "cache_statistics":
			return dec.Decode(&sum.cache)
		case "stats":
			return forEachKey(dec, func(key string) error {
				switch key {
				case "agents":
					return readGroups(dec, &sum.agents)
				case "models":
					return readGroups(dec, &sum.models)
				}
				return skipValue(dec)
			})
		}
		return skipValue(dec)
	})
	if err != nil {
		return nil, fmt.Errorf("%w (byte %d)", err, dec.InputOffset())
	}
	return &sum, nil
}

// readGroups reads a JSON object of GroupStats, or null, into l.
func readGroups(dec *json.Decoder, l *groupList) error {
	return forEachKey(dec, func(name string) error {
		var g otelagent.GroupStats
		if err := dec.Decode(&g); err != nil {
			return err
		}
		l.add(name, g)
		return nil
	})
}

// forEachKey reads a JSON object (or null), calling fn with each key; fn must read its value.
func forEachKey(dec *json.Decoder, fn func(key string) error) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil
	}
	if tok != json.Delim('{') {
		return fmt.Errorf("want a JSON object, found %v", tok)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, ok := tok.(string)
		if !ok {
			return errors.New("want an object key")
		}
		if err := fn(key); err != nil {
			return err
		}
	}
	_, err = dec.Token() // '}'
	return err
}

// skipValue reads one JSON value token by token, so that its size does not matter.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}
