package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// scrapeSource reads the Prometheus text exposition of a Jaeger's prometheus
// exporter directly, without a Prometheus server in between.
type scrapeSource struct{ j *jaegerInstance }

func (src scrapeSource) sumBy(ctx context.Context, metric, service string, labels []string) ([]promSample, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+src.j.metrics+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := src.j.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", req.URL, resp.Status)
	}
	series, err := parseExposition(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", req.URL, err)
	}
	sums := map[string]*promSample{}
	for _, smp := range series {
		if smp.Metric["__name__"] != metric || smp.Metric["job"] != service {
			continue
		}
		group := map[string]string{}
		vals := make([]string, len(labels))
		for i, l := range labels {
			if v, ok := smp.Metric[l]; ok {
				group[l] = v
			}
			vals[i] = smp.Metric[l]
		}
		k := seriesKey(vals...)
		if sums[k] == nil {
			sums[k] = &promSample{Metric: group}
		}
		sums[k].Value += smp.Value
	}
	out := make([]promSample, 0, len(sums))
	for _, k := range slices.Sorted(maps.Keys(sums)) {
		out = append(out, *sums[k])
	}
	return out, nil
}

// parseExposition reads the Prometheus text format (version 0.0.4): one
// sample per line, `name{label="value",...} value [timestamp]`, comments and
// blank lines skipped. The name is returned as the __name__ label.
func parseExposition(r io.Reader) ([]promSample, error) {
	var out []promSample
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 4<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		smp, err := parseSampleLine(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w: %s", n, err, line)
		}
		out = append(out, smp)
	}
	return out, sc.Err()
}

func parseSampleLine(line string) (promSample, error) {
	smp := promSample{Metric: map[string]string{}}
	end := strings.IndexAny(line, "{ ")
	if end <= 0 {
		return smp, fmt.Errorf("no metric name")
	}
	smp.Metric["__name__"] = line[:end]
	rest := line[end:]
	if rest[0] == '{' {
		rest = rest[1:]
		for {
			rest = strings.TrimLeft(rest, " ,")
			if strings.HasPrefix(rest, "}") {
				rest = rest[1:]
				break
			}
			eq := strings.Index(rest, `="`)
			if eq <= 0 {
				return smp, fmt.Errorf("malformed label")
			}
			name := rest[:eq]
			value, tail, err := unquoteLabel(rest[eq+2:])
			if err != nil {
				return smp, err
			}
			smp.Metric[name] = value
			rest = tail
		}
	}
	fields := strings.Fields(rest)
	if len(fields) == 0 || len(fields) > 2 {
		return smp, fmt.Errorf("want a value and an optional timestamp")
	}
	v, err := strconv.ParseFloat(fields[0], 64)
	if err != nil {
		return smp, err
	}
	smp.Value = v
	return smp, nil
}

// unquoteLabel reads a label value up to its closing quote, undoing the
// format's escapes (\\, \", \n), and returns the text after the quote.
func unquoteLabel(s string) (value, rest string, err error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return b.String(), s[i+1:], nil
		case '\\':
			if i+1 == len(s) {
				return "", "", fmt.Errorf("unterminated escape")
			}
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case '\\', '"':
				b.WriteByte(s[i])
			default:
				return "", "", fmt.Errorf("unknown escape \\%c", s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", "", fmt.Errorf("unterminated label value")
}
