package report

import "time"

// Report is the summary a Summarizer produces, ready to render.
type Report struct {
	By      string   `json:"by"`
	Sources []string `json:"sources"`
	// Spans is the number of spans read (0 for a SaveTrace summary).
	Spans int64     `json:"spans"`
	Since time.Time `json:"since,omitzero"`
	Until time.Time `json:"until,omitzero"`
	// Rows are the groups of the By dimension, sorted by name.
	Rows  []Row `json:"rows"`
	Total Row   `json:"total"`
	// Agents are the rows per agent whatever By is (for the cost chart).
	Agents []Row `json:"-"`
	// Interval is the width of Intervals; FixedInterval is true when the user chose it.
	Interval      time.Duration `json:"interval_ns,omitempty"`
	FixedInterval bool          `json:"-"`
	Intervals     []IntervalRow `json:"intervals,omitempty"`
	// Latency is the distribution of all counted operations' durations.
	Latency  []DistributionBin `json:"latency_distribution,omitempty"`
	Warnings []string          `json:"warnings,omitempty"`
}

// IntervalRow is the totals of one time bucket, which starts at Start.
type IntervalRow struct {
	Start time.Time `json:"start"`
	Row
}
