package otelagent

import (
	"os"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// CaptureContentEnv is the environment variable that turns message content capture on when
// set to true; WithContentCapture overrides it.
const CaptureContentEnv = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"

// DefaultMaxContentBytes is the default limit of each captured content attribute.
const DefaultMaxContentBytes = 16 * 1024

// DefaultEventLogCapacity is the default number of events Events keeps.
const DefaultEventLogCapacity = 1024

// config is the Tracer's configuration, filled by newConfig.
type config struct {
	tracerProvider   trace.TracerProvider
	meterProvider    metric.MeterProvider
	providerName     string
	captureContent   bool
	maxContentBytes  int
	redactor         func(Message) Message
	pricing          Pricing
	noDefaultPricing bool
	eventLogCap      int
}

func newConfig(opts []Option) config {
	c := config{
		providerName:    "",
		captureContent:  captureFromEnv(),
		maxContentBytes: DefaultMaxContentBytes,
		eventLogCap:     DefaultEventLogCapacity,
	}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	return c
}

func captureFromEnv() bool {
	v, err := strconv.ParseBool(strings.TrimSpace(os.Getenv(CaptureContentEnv)))
	return err == nil && v
}

// Option configures a Tracer.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithTracerProvider sets the TracerProvider spans are created with. A nil provider is
// ignored. The default is the global provider (otel.GetTracerProvider).
func WithTracerProvider(tp trace.TracerProvider) Option {
	return optionFunc(func(c *config) {
		if tp != nil {
			c.tracerProvider = tp
		}
	})
}

// WithMeterProvider sets the MeterProvider instruments are created with. A nil provider is
// ignored. The default is the global provider (otel.GetMeterProvider).
func WithMeterProvider(mp metric.MeterProvider) Option {
	return optionFunc(func(c *config) {
		if mp != nil {
			c.meterProvider = mp
		}
	})
}

// ProviderOption is an option that is both an Option of New and an InvokeOption of one
// operation; WithProviderName returns one.
type ProviderOption interface {
	Option
	InvokeOption
}

// WithProviderName sets gen_ai.provider.name, e.g. "openai" or "anthropic", on spans and on
// the conventions' metric points (gen_ai.client.*).
//
// Given to New it is the Tracer's default. Given to Invoke, StartChat, StartTool or
// StartWorkflow it names the provider of that one operation, so one Tracer serves an
// application that calls several providers. An operation without it takes the provider of
// the operation it was started under, else the Tracer's default, else "_OTHER", the
// conventions' value for an unnamed provider. An empty name is ignored.
func WithProviderName(name string) ProviderOption {
	return providerNameOption(name)
}

type providerNameOption string

func (o providerNameOption) apply(c *config) {
	if o != "" {
		c.providerName = string(o)
	}
}

// WithContentCapture turns capture of message content (gen_ai.input.messages and
// gen_ai.output.messages) on or off. The default is off, unless the environment variable
// OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT is true.
func WithContentCapture(on bool) Option {
	return optionFunc(func(c *config) { c.captureContent = on })
}

// WithMaxContentBytes limits each captured content attribute to n bytes; longer content is cut,
// still valid JSON, and the span gets otelagent.content.truncated=true. The default is
// DefaultMaxContentBytes (16 KiB); n <= 0 keeps the default.
func WithMaxContentBytes(n int) Option {
	return optionFunc(func(c *config) {
		if n > 0 {
			c.maxContentBytes = n
		}
	})
}

// WithRedactor sets a function applied to every message before it is captured, to remove
// secrets or personal data, and to error text (as a Message with role "error") whether
// capture is on or not. It must be safe for concurrent use. The default keeps messages
// unchanged; nil is ignored. Error text always has URL credentials and query values replaced
// by REDACTED first.
func WithRedactor(redact func(Message) Message) Option {
	return optionFunc(func(c *config) {
		if redact != nil {
			c.redactor = redact
		}
	})
}

// WithPricing sets the price table used for otelagent.cost.* attributes, the cost counters
// and the cost fields of CacheStatistics. The table is copied and merged over DefaultPricing
// model by model (see WithDefaultPricing); the default is DefaultPricing alone. Entries that
// fail Pricing.Validate are left out, so their models are unpriced, and reported once to
// otel.Handle, naming each.
func WithPricing(p Pricing) Option {
	return optionFunc(func(c *config) {
		var err error
		if c.pricing, err = p.valid(); err != nil {
			otel.Handle(err)
		}
	})
}

// WithEventLog sets how many events Events keeps, oldest dropped first. The default is
// DefaultEventLogCapacity; 0 turns the event log off; negative values keep the default.
func WithEventLog(capacity int) Option {
	return optionFunc(func(c *config) {
		if capacity >= 0 {
			c.eventLogCap = capacity
		}
	})
}

// invokeConfig holds the InvokeOptions of one operation.
type invokeConfig struct {
	providerName   string
	requestModel   string
	agentID        string
	conversationID string
	toolCallID     string
	toolArguments  string
	inputs         []Message
	instructions   []string
	attrs          []attribute.KeyValue
}

// InvokeOption configures one operation started by Invoke, StartChat, StartTool or
// StartWorkflow.
type InvokeOption interface{ invokeOption() }

// The InvokeOption types. Each is a plain value, and invokeConfig.apply names every one of
// them: options reach the config by a type switch, never by a call through the interface, so
// the caller's options do not escape and cost no allocation.
type (
	requestModelOption   string
	agentIDOption        string
	conversationIDOption string
	toolCallIDOption     string
	toolArgumentsOption  string
	inputMessagesOption  []Message
	instructionsOption   []string
	attributesOption     []attribute.KeyValue
)

func (requestModelOption) invokeOption()   {}
func (agentIDOption) invokeOption()        {}
func (conversationIDOption) invokeOption() {}
func (toolCallIDOption) invokeOption()     {}
func (toolArgumentsOption) invokeOption()  {}
func (inputMessagesOption) invokeOption()  {}
func (instructionsOption) invokeOption()   {}
func (attributesOption) invokeOption()     {}
func (providerNameOption) invokeOption()   {}

// apply sets what o configures; a nil o does nothing.
func (c *invokeConfig) apply(o InvokeOption) {
	switch o := o.(type) {
	case requestModelOption:
		c.requestModel = string(o)
	case providerNameOption:
		if o != "" {
			c.providerName = string(o)
		}
	case agentIDOption:
		c.agentID = string(o)
	case conversationIDOption:
		c.conversationID = string(o)
	case toolCallIDOption:
		c.toolCallID = string(o)
	case toolArgumentsOption:
		c.toolArguments = string(o)
	case inputMessagesOption:
		c.inputs = o
	case instructionsOption:
		c.instructions = o
	case attributesOption:
		// The caller's list is used as it is; a second list copies both. startSpan makes
		// the strings valid in its own copy, so the caller's list is never written.
		if c.attrs == nil {
			c.attrs = o[:len(o):len(o)]
		} else {
			c.attrs = append(c.attrs, o...)
		}
	}
}

// WithRequestModel sets gen_ai.request.model, the model the operation asks for. StartChat sets
// it from its model argument.
func WithRequestModel(model string) InvokeOption { return requestModelOption(model) }

// WithAgentID sets gen_ai.agent.id.
func WithAgentID(id string) InvokeOption { return agentIDOption(id) }

// WithConversationID sets gen_ai.conversation.id. Operations started from a context whose
// invocation has a conversation ID inherit it.
func WithConversationID(id string) InvokeOption { return conversationIDOption(id) }

// WithToolCallID sets gen_ai.tool.call.id on an execute_tool span.
func WithToolCallID(id string) InvokeOption { return toolCallIDOption(id) }

// WithToolArguments sets the arguments of a tool call, as JSON; they are captured as
// gen_ai.tool.call.arguments on the execute_tool span only when content capture is on, after
// the redactor (which sees them as a Message with role "tool") and cut at the byte limit.
func WithToolArguments(json string) InvokeOption { return toolArgumentsOption(json) }

// WithInputMessages sets the messages an operation starts from, such as the prompt of a
// StartChat model call. They are captured as gen_ai.input.messages only when content capture is
// on (see Tracer.CapturesContent), redacted and cut at the byte limit like Invoke's inputs. On
// Invoke, a non-empty inputs argument wins.
func WithInputMessages(msgs ...Message) InvokeOption { return inputMessagesOption(msgs) }

// WithSystemInstructions sets the instructions an operation gives the model apart from the
// conversation, such as the system parameter of Anthropic's Messages API or the instructions of
// OpenAI's Responses API. They are captured as gen_ai.system_instructions, the conventions'
// list of text parts, only when content capture is on, each passed through the redactor as a
// Message with role "system" and cut at the byte limit. A system message that is part of the
// conversation belongs in the input messages instead, as the conventions say.
func WithSystemInstructions(instructions ...string) InvokeOption {
	return instructionsOption(instructions)
}

// WithAttributes adds attributes to the span. They are never put on metrics, which keeps
// metric cardinality bounded.
func WithAttributes(attrs ...attribute.KeyValue) InvokeOption { return attributesOption(attrs) }

// completeConfig holds the CompleteOptions of one Complete.
type completeConfig struct {
	usage         TokenUsage
	cacheHit      bool
	err           error
	finishReasons []string
}

// CompleteOption configures Complete.
type CompleteOption interface{ completeOption() }

// The CompleteOption types, plain values applied by completeConfig.apply's type switch, so
// that the caller's options cost no allocation (see the InvokeOption types).
type (
	usageOption         TokenUsage
	cacheHitOption      bool
	errorOption         struct{ err error }
	finishReasonsOption []string
)

func (usageOption) completeOption()         {}
func (cacheHitOption) completeOption()      {}
func (errorOption) completeOption()         {}
func (finishReasonsOption) completeOption() {}

// apply sets what o configures; a nil o does nothing.
func (c *completeConfig) apply(o CompleteOption) {
	switch o := o.(type) {
	case usageOption:
		c.usage = TokenUsage(o)
	case cacheHitOption:
		c.cacheHit = bool(o)
	case errorOption:
		if o.err != nil {
			c.err = o.err
		}
	case finishReasonsOption:
		c.finishReasons = o
	}
}

// WithUsage sets the operation's token usage. Without it an operation counts no tokens of its
// own (an invocation still shows its chat children's usage).
func WithUsage(u TokenUsage) CompleteOption { return usageOption(u) }

// WithCacheHit marks that the answer came from the application's response cache and no model
// was called; the usage then describes the avoided call and counts as saved. The default is a
// miss.
func WithCacheHit(hit bool) CompleteOption { return cacheHitOption(hit) }

// WithError marks the operation as failed: span status Error with the error's message and
// error.type (see ErrorType). The message is scrubbed first: URL credentials and query values
// become REDACTED and the redactor, if any, applies. A nil error is ignored.
func WithError(err error) CompleteOption { return errorOption{err} }

// WithFinishReasons sets gen_ai.response.finish_reasons, one per output; the i-th also becomes
// the finish_reason of the i-th captured output message. The default for captured output is
// "stop".
func WithFinishReasons(reasons ...string) CompleteOption { return finishReasonsOption(reasons) }
