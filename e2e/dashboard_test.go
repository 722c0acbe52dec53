package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/agenttrace/otelagent/exporters"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// grafanaDashboard is the part of a dashboard's JSON model the test reads.
type grafanaDashboard struct {
	Panels     []grafanaPanel `json:"panels"`
	Templating struct {
		List []struct {
			Name       string `json:"name"`
			Type       string `json:"type"`
			Definition string `json:"definition"`
		} `json:"list"`
	} `json:"templating"`
}

type grafanaPanel struct {
	Title      string            `json:"title"`
	Type       string            `json:"type"`
	Datasource grafanaDatasource `json:"datasource"`
	Targets    []struct {
		RefID      string             `json:"refId"`
		Expr       string             `json:"expr"`
		Datasource *grafanaDatasource `json:"datasource"`
	} `json:"targets"`
	Panels []grafanaPanel `json:"panels"` // a collapsed row's panels
}

type grafanaDatasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

// promTarget is one PromQL query of the dashboard.
type promTarget struct{ panel, refID, expr string }

func loadDashboard(t *testing.T) (grafanaDashboard, []promTarget) {
	t.Helper()
	root, err := repoRoot()
	require.NoError(t, err)
	raw, err := os.ReadFile(filepath.Join(root, "deploy", "grafana", "dashboards", "otelagent.json"))
	require.NoError(t, err)
	var d grafanaDashboard
	require.NoError(t, json.Unmarshal(raw, &d))
	var targets []promTarget
	var walk func([]grafanaPanel)
	walk = func(panels []grafanaPanel) {
		for _, p := range panels {
			walk(p.Panels)
			for _, tg := range p.Targets {
				ds := p.Datasource
				if tg.Datasource != nil {
					ds = *tg.Datasource
				}
				if ds.Type == "prometheus" {
					targets = append(targets, promTarget{panel: p.Title, refID: tg.RefID, expr: tg.Expr})
				}
			}
		}
	}
	walk(d.Panels)
	require.NotEmpty(t, targets, "the dashboard has no PromQL query")
	return d, targets
}

// grafanaVars replaces the dashboard's template variables and Grafana's
// built-in interval variables with values fit for an instant query. The rate
// window must cover both rounds of the scenario.
func grafanaVars(service string) *strings.Replacer {
	return strings.NewReplacer(
		"$__rate_interval", "1m",
		"$__interval", "15s",
		"$__range", "1h",
		"$service", regexp.QuoteMeta(service),
		"$agent", ".*",
	)
}

// TestDashboardQueriesReturnData runs the scenario twice on one telemetry
// pipeline, so that every rate has two points, then evaluates each PromQL
// query of the Grafana dashboard against Prometheus: each must return finite
// data. The stat panels must agree with the Tracer's own cache statistics.
func TestDashboardQueriesReturnData(t *testing.T) {
	dash, targets := loadDashboard(t)
	s := requireStack(t)
	ctx := t.Context()
	service := serviceName("e2e-dashboard")

	tel := startTelemetry(t, telemetryConfig{service: service, protocol: exporters.ProtocolGRPC, endpoint: s.jaeger.otlpGRPC})
	tracer := newScenarioTracer(tel)
	want := expectedMetrics()
	for round := 1; round <= 2; round++ {
		require.NoError(t, runScenario(ctx, tracer))
		require.NoError(t, tel.ForceFlush(ctx))
		require.NoError(t, eventually(ctx, func(ctx context.Context) error {
			return checkMetrics(ctx, promSource{s}, service, want, round)
		}), "round %d", round)
	}
	require.NoError(t, tel.Shutdown(ctx))
	// Prometheus holds both rounds now: evaluate every query at this instant,
	// so the rate windows cover both however long the queries take.
	at := time.Now()

	vars := grafanaVars(service)
	results := map[string][]promSample{}
	for _, tg := range targets {
		expr := vars.Replace(tg.expr)
		require.NotContains(t, expr, "$", "panel %q query %s: a variable is left", tg.panel, tg.refID)
		samples, err := s.promQueryAt(ctx, expr, at)
		if !assert.NoError(t, err, "panel %q query %s", tg.panel, tg.refID) ||
			!assert.NotEmpty(t, samples, "panel %q query %s returned no data: %s", tg.panel, tg.refID, expr) {
			continue
		}
		for _, smp := range samples {
			assert.False(t, math.IsNaN(smp.Value) || math.IsInf(smp.Value, 0),
				"panel %q query %s: %s", tg.panel, tg.refID, smp)
		}
		results[tg.panel] = samples
	}

	stats := tracer.CacheStatistics()
	for panel, want := range map[string]float64{
		"Cache hit rate":        stats.HitRate,
		"Tokens saved":          float64(stats.TokensSaved),
		"Savings percentage":    stats.SavingsPercentage,
		"Money saved":           stats.CostSaved,
		"Money spent":           stats.CostSpent,
		"In-flight invocations": 0,
	} {
		got, ok := results[panel]
		if assert.True(t, ok, "no stat panel %q", panel) && assert.Len(t, got, 1, "panel %q", panel) {
			assert.InDelta(t, want, got[0].Value, 1e-9*math.Max(1, math.Abs(want)), "panel %q", panel)
		}
	}

	// The template variables list what the scenario reported.
	for _, v := range dash.Templating.List {
		if v.Type != "query" {
			continue
		}
		values, err := labelValues(ctx, s, vars.Replace(v.Definition))
		require.NoError(t, err, "variable %s", v.Name)
		switch v.Name {
		case "service":
			assert.Contains(t, values, service)
		case "agent":
			assert.ElementsMatch(t, []string{"resolver", "triage"}, values)
		default:
			assert.NotEmpty(t, values, "variable %s", v.Name)
		}
	}
}

// labelValues evaluates Grafana's label_values(selector, label) through
// Prometheus's label values API.
func labelValues(ctx context.Context, s *stack, definition string) ([]string, error) {
	m := regexp.MustCompile(`^label_values\((.+),\s*(\w+)\)$`).FindStringSubmatch(strings.TrimSpace(definition))
	if m == nil {
		return nil, fmt.Errorf("not a label_values(selector, label) query: %s", definition)
	}
	var resp struct {
		Status string   `json:"status"`
		Data   []string `json:"data"`
	}
	u := s.prometheusURL + "/api/v1/label/" + m[2] + "/values?" + url.Values{"match[]": {m[1]}}.Encode()
	if err := getJSON(ctx, s.http, u, &resp); err != nil {
		return nil, err
	}
	if resp.Status != "success" {
		return nil, fmt.Errorf("%s: status %s", u, resp.Status)
	}
	return resp.Data, nil
}
