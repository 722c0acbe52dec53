package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// promSample is one element of an instant vector.
type promSample struct {
	Metric map[string]string
	Value  float64
}

// String renders the sample as Prometheus prints it, for failure messages.
func (s promSample) String() string {
	keys := make([]string, 0, len(s.Metric))
	for k := range s.Metric {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%q", k, s.Metric[k])
	}
	return fmt.Sprintf("{%s} %g", strings.Join(parts, ","), s.Value)
}

// promQuery evaluates expr now through /api/v1/query.
func (s *stack) promQuery(ctx context.Context, expr string) ([]promSample, error) {
	return s.promQueryAt(ctx, expr, time.Time{})
}

// promQueryAt evaluates expr at the instant at (now when zero). A scalar
// result comes back as one sample without labels.
func (s *stack) promQueryAt(ctx context.Context, expr string, at time.Time) ([]promSample, error) {
	var resp struct {
		Status    string `json:"status"`
		ErrorType string `json:"errorType"`
		Error     string `json:"error"`
		Data      struct {
			ResultType string          `json:"resultType"`
			Result     json.RawMessage `json:"result"`
		} `json:"data"`
	}
	params := url.Values{"query": {expr}}
	if !at.IsZero() {
		params.Set("time", strconv.FormatFloat(float64(at.UnixMilli())/1e3, 'f', 3, 64))
	}
	u := s.prometheusURL + "/api/v1/query?" + params.Encode()
	if err := getJSON(ctx, s.http, u, &resp); err != nil {
		return nil, fmt.Errorf("query %q: %w", expr, err)
	}
	if resp.Status != "success" {
		return nil, fmt.Errorf("query %q: %s: %s", expr, resp.ErrorType, resp.Error)
	}
	switch resp.Data.ResultType {
	case "vector":
		var raw []struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"`
		}
		if err := json.Unmarshal(resp.Data.Result, &raw); err != nil {
			return nil, fmt.Errorf("query %q: %w", expr, err)
		}
		out := make([]promSample, len(raw))
		for i, r := range raw {
			v, err := promValue(r.Value)
			if err != nil {
				return nil, fmt.Errorf("query %q: %w", expr, err)
			}
			out[i] = promSample{Metric: r.Metric, Value: v}
		}
		return out, nil
	case "scalar":
		var raw [2]any
		if err := json.Unmarshal(resp.Data.Result, &raw); err != nil {
			return nil, fmt.Errorf("query %q: %w", expr, err)
		}
		v, err := promValue(raw)
		if err != nil {
			return nil, fmt.Errorf("query %q: %w", expr, err)
		}
		return []promSample{{Value: v}}, nil
	default:
		return nil, fmt.Errorf("query %q: unexpected result type %q", expr, resp.Data.ResultType)
	}
}

// promValue reads the [time, "value"] pair of the API.
func promValue(pair [2]any) (float64, error) {
	s, ok := pair[1].(string)
	if !ok {
		return 0, fmt.Errorf("sample value %v is not a string", pair[1])
	}
	return strconv.ParseFloat(s, 64)
}
