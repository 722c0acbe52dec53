package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// jaegerTrace is one trace as Jaeger's HTTP query API (/api/traces) returns it.
type jaegerTrace struct {
	TraceID   string                   `json:"traceID"`
	Spans     []jaegerSpan             `json:"spans"`
	Processes map[string]jaegerProcess `json:"processes"`
}

type jaegerSpan struct {
	TraceID       string      `json:"traceID"`
	SpanID        string      `json:"spanID"`
	OperationName string      `json:"operationName"`
	References    []jaegerRef `json:"references"`
	StartTime     int64       `json:"startTime"` // microseconds since the epoch
	Duration      int64       `json:"duration"`  // microseconds
	Tags          []jaegerTag `json:"tags"`
	ProcessID     string      `json:"processID"`
}

type jaegerRef struct {
	RefType string `json:"refType"`
	TraceID string `json:"traceID"`
	SpanID  string `json:"spanID"`
}

// jaegerTag is a span attribute; Type is one of string, bool, int64, float64, binary.
type jaegerTag struct {
	Key   string `json:"key"`
	Type  string `json:"type"`
	Value any    `json:"value"` // json.Number for numbers
}

type jaegerProcess struct {
	ServiceName string      `json:"serviceName"`
	Tags        []jaegerTag `json:"tags"`
}

// parentID is the span id of the CHILD_OF reference, "" for a root span.
func (s jaegerSpan) parentID() string {
	for _, r := range s.References {
		if r.RefType == "CHILD_OF" {
			return r.SpanID
		}
	}
	return ""
}

// tag returns the attribute named key.
func (s jaegerSpan) tag(key string) (jaegerTag, bool) {
	for _, t := range s.Tags {
		if t.Key == key {
			return t, true
		}
	}
	return jaegerTag{}, false
}

// jaegerResponse is the envelope of every /api/* answer.
type jaegerResponse[T any] struct {
	Data   T `json:"data"`
	Errors []struct {
		Code int    `json:"code"`
		Msg  string `json:"msg"`
	} `json:"errors"`
}

// jaegerGet fetches path (with query) from the query API into the data of the envelope.
func jaegerGet[T any](ctx context.Context, j *jaegerInstance, path string, query url.Values) (T, error) {
	var out jaegerResponse[T]
	u := j.query + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	if err := getJSON(ctx, j.http, u, &out); err != nil {
		return out.Data, err
	}
	if len(out.Errors) > 0 {
		return out.Data, fmt.Errorf("%s: %s", u, out.Errors[0].Msg)
	}
	return out.Data, nil
}

// traces returns the traces of service.
func (j *jaegerInstance) traces(ctx context.Context, service string) ([]jaegerTrace, error) {
	return jaegerGet[[]jaegerTrace](ctx, j, "/api/traces", url.Values{"service": {service}, "limit": {"1000"}})
}

// getJSON decodes the 200 answer of a GET into v, numbers as json.Number.
func getJSON(ctx context.Context, client *http.Client, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", u, resp.Status, bytes.TrimSpace(body))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("GET %s: decoding: %w", u, err)
	}
	return nil
}

// postOTLPJSON sends one OTLP/JSON export request to this Jaeger's OTLP/HTTP receiver;
// signal is "traces" or "metrics".
func (j *jaegerInstance) postOTLPJSON(ctx context.Context, signal string, body []byte) error {
	u := "http://" + j.otlpHTTP + "/v1/" + signal
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := j.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST %s: %s: %s", u, resp.Status, bytes.TrimSpace(answer))
	}
	// A partial success names what the receiver refused.
	var ack struct {
		PartialSuccess struct {
			RejectedSpans      json.Number `json:"rejectedSpans"`
			RejectedDataPoints json.Number `json:"rejectedDataPoints"`
			ErrorMessage       string      `json:"errorMessage"`
		} `json:"partialSuccess"`
	}
	if err := json.Unmarshal(answer, &ack); err != nil {
		return fmt.Errorf("POST %s: decoding the answer: %w", u, err)
	}
	if ps := ack.PartialSuccess; ps.ErrorMessage != "" || (ps.RejectedSpans != "" && ps.RejectedSpans != "0") ||
		(ps.RejectedDataPoints != "" && ps.RejectedDataPoints != "0") {
		return fmt.Errorf("POST %s: partly refused: %s", u, answer)
	}
	return nil
}
