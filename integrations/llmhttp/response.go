package llmhttp

import (
	"encoding/json"
	"slices"

	"github.com/agenttrace/otelagent/otelagent"
)

// maxStreamText bounds the response text kept from a stream for content capture.
const maxStreamText = otelagent.DefaultMaxContentBytes

// result is what the response of one call told: filled from a JSON body at once, or from a
// stream event by event.
type result struct {
	id, model string
	finish    []string // by choice index
	usage     otelagent.TokenUsage
	texts     []string // complete texts of a JSON response, one per choice
	stream    []byte   // text of a stream's first choice, up to maxStreamText
	err       error    // an error the API reported in the body
	capture   bool     // the Tracer captures content: keep the texts
}

func (r *result) setFinish(index int, reason string) {
	if reason == "" || index < 0 || index > 1024 {
		return
	}
	for len(r.finish) <= index {
		r.finish = append(r.finish, "")
	}
	r.finish[index] = reason
}

func (r *result) appendText(s string) {
	if !r.capture {
		return
	}
	if room := maxStreamText - len(r.stream); room > 0 {
		r.stream = append(r.stream, s[:min(len(s), room)]...)
	}
}

// outputs returns the response text as assistant messages for content capture.
func (r *result) outputs() []otelagent.Message {
	texts := r.texts
	if len(r.stream) > 0 {
		texts = []string{string(r.stream)}
	}
	// A response of tool calls alone has no text to capture.
	if !slices.ContainsFunc(texts, func(s string) bool { return s != "" }) {
		return nil
	}
	msgs := make([]otelagent.Message, len(texts))
	for i, s := range texts {
		msgs[i] = otelagent.Message{Role: "assistant", Content: s}
	}
	return msgs
}

// openAIUsage is the usage object of both OpenAI APIs: chat completions spell it
// prompt/completion, the responses API input/output.
type openAIUsage struct {
	PromptTokens        int64 `json:"prompt_tokens"`
	CompletionTokens    int64 `json:"completion_tokens"`
	PromptTokensDetails struct {
		CachedTokens int64 `json:"cached_tokens"`
	} `json:"prompt_tokens_details"`
	CompletionTokensDetails struct {
		ReasoningTokens int64 `json:"reasoning_tokens"`
	} `json:"completion_tokens_details"`
	InputTokens        int64 `json:"input_tokens"`
	OutputTokens       int64 `json:"output_tokens"`
	InputTokensDetails struct {
		CachedTokens int64 `json:"cached_tokens"`
	} `json:"input_tokens_details"`
	OutputTokensDetails struct {
		ReasoningTokens int64 `json:"reasoning_tokens"`
	} `json:"output_tokens_details"`
}

func (u *openAIUsage) tokenUsage() otelagent.TokenUsage {
	return otelagent.TokenUsage{
		PromptTokens:     u.PromptTokens + u.InputTokens,
		CompletionTokens: u.CompletionTokens + u.OutputTokens,
		CacheReadTokens:  u.PromptTokensDetails.CachedTokens + u.InputTokensDetails.CachedTokens,
		ReasoningTokens:  u.CompletionTokensDetails.ReasoningTokens + u.OutputTokensDetails.ReasoningTokens,
	}
}

// anthropicUsage is the usage object of the messages API, where input_tokens excludes the
// tokens read from or written to the prompt cache.
type anthropicUsage struct {
	InputTokens              int64 `json:"input_tokens"`
	OutputTokens             int64 `json:"output_tokens"`
	CacheReadInputTokens     int64 `json:"cache_read_input_tokens"`
	CacheCreationInputTokens int64 `json:"cache_creation_input_tokens"`
}

// merge takes, per field, the larger of u and d: message_delta repeats message_start's counts
// or updates them cumulatively.
func (u *anthropicUsage) merge(d *anthropicUsage) {
	u.InputTokens = max(u.InputTokens, d.InputTokens)
	u.OutputTokens = max(u.OutputTokens, d.OutputTokens)
	u.CacheReadInputTokens = max(u.CacheReadInputTokens, d.CacheReadInputTokens)
	u.CacheCreationInputTokens = max(u.CacheCreationInputTokens, d.CacheCreationInputTokens)
}

func (u *anthropicUsage) tokenUsage() otelagent.TokenUsage {
	return otelagent.TokenUsage{
		PromptTokens:        u.InputTokens + u.CacheReadInputTokens + u.CacheCreationInputTokens,
		CompletionTokens:    u.OutputTokens,
		CacheReadTokens:     u.CacheReadInputTokens,
		CacheCreationTokens: u.CacheCreationInputTokens,
	}
}

// openAIChat is a chat completion or one chunk of a streamed one.
type openAIChat struct {
	ID      keptString `json:"id"`
	Model   keptString `json:"model"`
	Choices []struct {
		Index   int `json:"index"`
		Message struct {
			Content lazyText `json:"content"`
		} `json:"message"`
		Delta struct {
			Content lazyText `json:"content"`
		} `json:"delta"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
	Usage *openAIUsage     `json:"usage"`
	Error *json.RawMessage `json:"error"`
}

// reset empties m for the next chunk, keeping the capacity of its choices and the id and
// model a stream repeats: decoding into a used struct would keep the fields a chunk leaves
// out, and keeping the id and model of an earlier chunk is what r does anyway.
func (m *openAIChat) reset() {
	choices := m.Choices[:cap(m.Choices)]
	clear(choices)
	*m = openAIChat{ID: m.ID, Model: m.Model, Choices: choices[:0]}
}

// openAIChat fills r from a chat completion or chunk, decoded into m with dec (json.Unmarshal
// when dec is nil).
func (r *result) openAIChat(data []byte, stream bool, m *openAIChat, dec *eventDecoder) {
	m.reset()
	if dec.unmarshal(data, m) != nil {
		return
	}
	if m.Error != nil {
		r.err = errorFromBody(0, data)
		return
	}
	if m.ID != "" {
		r.id = string(m.ID)
	}
	if m.Model != "" {
		r.model = string(m.Model)
	}
	for _, c := range m.Choices {
		r.setFinish(c.Index, c.FinishReason)
		switch {
		case !r.capture:
		case stream && c.Index == 0:
			r.appendText(c.Delta.Content.String())
		case !stream:
			r.texts = append(r.texts, c.Message.Content.String())
		}
	}
	if m.Usage != nil {
		r.usage = m.Usage.tokenUsage()
	}
}

// openAIResponse is a response object of the responses API.
type openAIResponse struct {
	ID     string `json:"id"`
	Model  string `json:"model"`
	Status string `json:"status"`
	Output []struct {
		Type    string `json:"type"`
		Content []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"content"`
	} `json:"output"`
	IncompleteDetails *struct {
		Reason string `json:"reason"`
	} `json:"incomplete_details"`
	Usage *openAIUsage `json:"usage"`
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func (r *result) openAIResponse(m *openAIResponse, withText bool) {
	if m.ID != "" {
		r.id = m.ID
	}
	if m.Model != "" {
		r.model = m.Model
	}
	// The responses API has no finish reason; its status, or the reason it is incomplete,
	// says why generation stopped.
	switch {
	case m.IncompleteDetails != nil && m.IncompleteDetails.Reason != "":
		r.setFinish(0, m.IncompleteDetails.Reason)
	case m.Status != "" && m.Status != "in_progress" && m.Status != "queued":
		r.setFinish(0, m.Status)
	}
	if m.Usage != nil {
		r.usage = m.Usage.tokenUsage()
	}
	if m.Error != nil && (m.Error.Code != "" || m.Error.Message != "") {
		r.err = &apiError{typ: m.Error.Code, msg: m.Error.Message}
	}
	if withText && r.capture {
		var text []byte
		for _, o := range m.Output {
			for _, c := range o.Content {
				if c.Type == "output_text" {
					text = append(text, c.Text...)
				}
			}
		}
		if len(text) > 0 {
			r.texts = []string{string(text)}
		}
	}
}

// openAIResponseEvent is one event of a streamed response.
type openAIResponseEvent struct {
	Type     string          `json:"type"`
	Response *openAIResponse `json:"response"`
	Delta    string          `json:"delta"`
	Code     string          `json:"code"`
	Message  string          `json:"message"`
}

func (r *result) openAIResponseEvent(data []byte, dec *eventDecoder) {
	var e openAIResponseEvent
	if dec.unmarshal(data, &e) != nil {
		return
	}
	switch {
	case e.Type == "response.output_text.delta":
		r.appendText(e.Delta)
	case e.Type == "error":
		r.err = &apiError{typ: e.Code, msg: e.Message}
	case e.Response != nil:
		r.openAIResponse(e.Response, false)
	}
}

// anthropicMessage is a message of the messages API.
type anthropicMessage struct {
	ID      string `json:"id"`
	Model   string `json:"model"`
	Content []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"content"`
	StopReason string          `json:"stop_reason"`
	Usage      *anthropicUsage `json:"usage"`
}

// anthropicEvent is one event of a streamed message.
type anthropicEvent struct {
	Type    string            `json:"type"`
	Message *anthropicMessage `json:"message"`
	Delta   struct {
		Text       string `json:"text"`
		StopReason string `json:"stop_reason"`
	} `json:"delta"`
	Usage *anthropicUsage  `json:"usage"`
	Error *json.RawMessage `json:"error"`
}

// anthropicState is the usage a stream has reported so far.
type anthropicState struct{ usage anthropicUsage }

func (r *result) anthropicMessage(m *anthropicMessage, st *anthropicState, withText bool) {
	if m.ID != "" {
		r.id = m.ID
	}
	if m.Model != "" {
		r.model = m.Model
	}
	r.setFinish(0, m.StopReason)
	if m.Usage != nil {
		st.usage.merge(m.Usage)
		r.usage = st.usage.tokenUsage()
	}
	if withText && r.capture {
		var text []byte
		for _, c := range m.Content {
			if c.Type == "text" {
				text = append(text, c.Text...)
			}
		}
		if len(text) > 0 {
			r.texts = []string{string(text)}
		}
	}
}

func (r *result) anthropicEvent(data []byte, st *anthropicState, dec *eventDecoder) {
	var e anthropicEvent
	if dec.unmarshal(data, &e) != nil {
		return
	}
	switch e.Type {
	case "message_start":
		if e.Message != nil {
			r.anthropicMessage(e.Message, st, false)
		}
	case "content_block_delta":
		r.appendText(e.Delta.Text)
	case "message_delta":
		r.setFinish(0, e.Delta.StopReason)
		if e.Usage != nil {
			st.usage.merge(e.Usage)
			r.usage = st.usage.tokenUsage()
		}
	case "error":
		r.err = errorFromBody(0, data)
	}
}

// parseJSON fills r from the complete JSON body of a response in the format of a.
func (r *result) parseJSON(a api, body []byte) {
	switch a {
	case apiOpenAIChat:
		r.openAIChat(body, false, new(openAIChat), nil)
	case apiOpenAIResponses:
		var m openAIResponse
		if json.Unmarshal(body, &m) == nil {
			r.openAIResponse(&m, true)
		}
	case apiAnthropicMessages:
		var m anthropicMessage
		if json.Unmarshal(body, &m) == nil {
			var st anthropicState
			r.anthropicMessage(&m, &st, true)
		}
	}
}
