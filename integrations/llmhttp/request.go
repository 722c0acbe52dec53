package llmhttp

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"go.opentelemetry.io/otel/attribute"

	"github.com/agenttrace/otelagent/semconv"
)

// api is a wire format the transport understands.
type api uint8

const (
	apiNone api = iota
	apiOpenAIChat
	apiOpenAIResponses
	apiAnthropicMessages
)

// apiOf returns the wire format of req from its method and path; apiNone for anything else.
func apiOf(req *http.Request) api {
	if req.Method != http.MethodPost || req.URL == nil {
		return apiNone
	}
	p := strings.TrimSuffix(req.URL.Path, "/")
	switch {
	case strings.HasSuffix(p, "/chat/completions"):
		return apiOpenAIChat
	case strings.HasSuffix(p, "/responses"):
		return apiOpenAIResponses
	case strings.HasSuffix(p, "/v1/messages"):
		return apiAnthropicMessages
	}
	return apiNone
}

// chatRequest holds the request fields recorded on the span. Pointers tell an absent field
// from a zero one.
type chatRequest struct {
	Model               string          `json:"model"`
	Stream              bool            `json:"stream"`
	StreamOptions       json.RawMessage `json:"stream_options"`
	Temperature         *float64        `json:"temperature"`
	TopP                *float64        `json:"top_p"`
	TopK                *float64        `json:"top_k"`
	MaxTokens           *int64          `json:"max_tokens"`
	MaxCompletionTokens *int64          `json:"max_completion_tokens"`
	MaxOutputTokens     *int64          `json:"max_output_tokens"`
	Stop                json.RawMessage `json:"stop"` // a string or a list of strings
	StopSequences       []string        `json:"stop_sequences"`
	Seed                *int64          `json:"seed"`
	FrequencyPenalty    *float64        `json:"frequency_penalty"`
	PresencePenalty     *float64        `json:"presence_penalty"`
	N                   *int64          `json:"n"`
}

// attributes returns the conventions' gen_ai.request.* attributes of r, appended to attrs.
func (r *chatRequest) attributes(attrs []attribute.KeyValue) []attribute.KeyValue {
	attrs = append(attrs, semconv.GenAIRequestStreamKey.Bool(r.Stream))
	if r.Temperature != nil {
		attrs = append(attrs, semconv.GenAIRequestTemperatureKey.Float64(*r.Temperature))
	}
	if r.TopP != nil {
		attrs = append(attrs, semconv.GenAIRequestTopPKey.Float64(*r.TopP))
	}
	if r.TopK != nil {
		attrs = append(attrs, semconv.GenAIRequestTopKKey.Float64(*r.TopK))
	}
	switch {
	case r.MaxCompletionTokens != nil:
		attrs = append(attrs, semconv.GenAIRequestMaxTokensKey.Int64(*r.MaxCompletionTokens))
	case r.MaxOutputTokens != nil:
		attrs = append(attrs, semconv.GenAIRequestMaxTokensKey.Int64(*r.MaxOutputTokens))
	case r.MaxTokens != nil:
		attrs = append(attrs, semconv.GenAIRequestMaxTokensKey.Int64(*r.MaxTokens))
	}
	if stop := r.stopSequences(); len(stop) > 0 {
		attrs = append(attrs, semconv.GenAIRequestStopSequencesKey.StringSlice(stop))
	}
	if r.Seed != nil {
		attrs = append(attrs, semconv.GenAIRequestSeedKey.Int64(*r.Seed))
	}
	if r.FrequencyPenalty != nil {
		attrs = append(attrs, semconv.GenAIRequestFrequencyPenaltyKey.Float64(*r.FrequencyPenalty))
	}
	if r.PresencePenalty != nil {
		attrs = append(attrs, semconv.GenAIRequestPresencePenaltyKey.Float64(*r.PresencePenalty))
	}
	if r.N != nil && *r.N != 1 {
		attrs = append(attrs, semconv.GenAIRequestChoiceCountKey.Int64(*r.N))
	}
	return attrs
}

func (r *chatRequest) stopSequences() []string {
	if len(r.StopSequences) > 0 {
		return r.StopSequences
	}
	if len(r.Stop) == 0 {
		return nil
	}
	var one string
	if json.Unmarshal(r.Stop, &one) == nil {
		if one == "" {
			return nil
		}
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(r.Stop, &many)
	return many
}

// includeUsage is inserted into a streaming chat completions request that sets no
// stream_options, so that the last chunk carries the usage.
var includeUsage = []byte(`"stream_options":{"include_usage":true},`)

// withIncludeUsage returns body with stream_options.include_usage requested, everything else
// kept byte for byte; ok is false when body is not a JSON object.
func withIncludeUsage(body []byte) ([]byte, bool) {
	i := bytes.IndexByte(body, '{')
	if i < 0 || len(bytes.TrimSpace(body[:i])) != 0 {
		return nil, false
	}
	rest := bytes.TrimSpace(body[i+1:])
	out := make([]byte, 0, len(body)+len(includeUsage))
	out = append(out, body[:i+1]...)
	if len(rest) > 0 && rest[0] == '}' {
		// An empty object takes the member without the trailing comma.
		out = append(out, includeUsage[:len(includeUsage)-1]...)
	} else {
		out = append(out, includeUsage...)
	}
	return append(out, body[i+1:]...), true
}
