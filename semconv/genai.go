package semconv

import "go.opentelemetry.io/otel/attribute"

// SchemaVersion is the GenAI semantic conventions release these names are pinned to.
const SchemaVersion = "1.41.1"

// SchemaURL is the schema URL of SchemaVersion.
const SchemaURL = "https://opentelemetry.io/schemas/" + SchemaVersion

// GenAIPrefix starts every attribute key of the GenAI conventions' registry.
const GenAIPrefix = "gen_ai."

// Attribute keys of the GenAI conventions (registry.yaml, group registry.gen_ai).
const (
	GenAIOperationNameKey                 = attribute.Key("gen_ai.operation.name")                    // string (enum)
	GenAIProviderNameKey                  = attribute.Key("gen_ai.provider.name")                     // string (enum)
	GenAIAgentNameKey                     = attribute.Key("gen_ai.agent.name")                        // string
	GenAIAgentIDKey                       = attribute.Key("gen_ai.agent.id")                          // string
	GenAIAgentDescriptionKey              = attribute.Key("gen_ai.agent.description")                 // string
	GenAIConversationIDKey                = attribute.Key("gen_ai.conversation.id")                   // string
	GenAIRequestModelKey                  = attribute.Key("gen_ai.request.model")                     // string
	GenAIResponseModelKey                 = attribute.Key("gen_ai.response.model")                    // string
	GenAIResponseIDKey                    = attribute.Key("gen_ai.response.id")                       // string
	GenAIResponseFinishReasonsKey         = attribute.Key("gen_ai.response.finish_reasons")           // string[]
	GenAIUsageInputTokensKey              = attribute.Key("gen_ai.usage.input_tokens")                // int
	GenAIUsageOutputTokensKey             = attribute.Key("gen_ai.usage.output_tokens")               // int
	GenAIUsageCacheReadInputTokensKey     = attribute.Key("gen_ai.usage.cache_read.input_tokens")     // int
	GenAIUsageCacheCreationInputTokensKey = attribute.Key("gen_ai.usage.cache_creation.input_tokens") // int
	GenAIUsageReasoningOutputTokensKey    = attribute.Key("gen_ai.usage.reasoning.output_tokens")     // int
	GenAIInputMessagesKey                 = attribute.Key("gen_ai.input.messages")                    // any (JSON)
	GenAIOutputMessagesKey                = attribute.Key("gen_ai.output.messages")                   // any (JSON)
	GenAISystemInstructionsKey            = attribute.Key("gen_ai.system_instructions")               // any (JSON)
	GenAIToolNameKey                      = attribute.Key("gen_ai.tool.name")                         // string
	GenAIToolCallIDKey                    = attribute.Key("gen_ai.tool.call.id")                      // string
	GenAIToolTypeKey                      = attribute.Key("gen_ai.tool.type")                         // string
	GenAIToolDescriptionKey               = attribute.Key("gen_ai.tool.description")                  // string
	GenAIToolCallArgumentsKey             = attribute.Key("gen_ai.tool.call.arguments")               // any (JSON)
	GenAIToolCallResultKey                = attribute.Key("gen_ai.tool.call.result")                  // any (JSON)
	GenAIWorkflowNameKey                  = attribute.Key("gen_ai.workflow.name")                     // string
	GenAITokenTypeKey                     = attribute.Key("gen_ai.token.type")                        // string (enum)
	GenAIRequestMaxTokensKey              = attribute.Key("gen_ai.request.max_tokens")                // int
	GenAIRequestTemperatureKey            = attribute.Key("gen_ai.request.temperature")               // double
	GenAIRequestTopPKey                   = attribute.Key("gen_ai.request.top_p")                     // double
	GenAIRequestTopKKey                   = attribute.Key("gen_ai.request.top_k")                     // double
	GenAIRequestStopSequencesKey          = attribute.Key("gen_ai.request.stop_sequences")            // string[]
	GenAIRequestFrequencyPenaltyKey       = attribute.Key("gen_ai.request.frequency_penalty")         // double
	GenAIRequestPresencePenaltyKey        = attribute.Key("gen_ai.request.presence_penalty")          // double
	GenAIRequestSeedKey                   = attribute.Key("gen_ai.request.seed")                      // int
	GenAIRequestChoiceCountKey            = attribute.Key("gen_ai.request.choice.count")              // int
	GenAIRequestStreamKey                 = attribute.Key("gen_ai.request.stream")                    // boolean
	GenAIResponseTimeToFirstChunkKey      = attribute.Key("gen_ai.response.time_to_first_chunk")      // double
)

// ErrorTypeKey is the general conventions' error.type, set on spans and duration points of
// operations that ended in an error.
const ErrorTypeKey = attribute.Key("error.type")

// ErrorTypeOther is the conventions' fallback error.type value.
const ErrorTypeOther = "_OTHER"

// Values of gen_ai.operation.name.
const (
	OperationInvokeAgent    = "invoke_agent"
	OperationChat           = "chat"
	OperationExecuteTool    = "execute_tool"
	OperationInvokeWorkflow = "invoke_workflow"
)

// ProviderOther is the gen_ai.provider.name value for a provider the conventions do not list
// or the user did not name.
const ProviderOther = "_OTHER"

// Values of gen_ai.provider.name the conventions list, for the providers whose endpoints the
// integrations recognise.
const (
	ProviderOpenAI      = "openai"
	ProviderAnthropic   = "anthropic"
	ProviderAzureOpenAI = "azure.ai.openai"
	ProviderDeepSeek    = "deepseek"
	ProviderGroq        = "groq"
	ProviderMistralAI   = "mistral_ai"
	ProviderPerplexity  = "perplexity"
	ProviderXAI         = "x_ai"
	ProviderGCPGemini   = "gcp.gemini"
)

// Values of gen_ai.token.type.
const (
	TokenTypeInput  = "input"
	TokenTypeOutput = "output"
)

// Metric names of the GenAI conventions (metrics.yaml).
const (
	GenAIClientTokenUsageName        = "gen_ai.client.token.usage"
	GenAIClientTokenUsageUnit        = "{token}"
	GenAIClientOperationDurationName = "gen_ai.client.operation.duration"
	GenAIClientOperationDurationUnit = "s"

	GenAIClientOperationTimeToFirstChunkName   = "gen_ai.client.operation.time_to_first_chunk"
	GenAIClientOperationTimeToFirstChunkUnit   = "s"
	GenAIClientOperationTimePerOutputChunkName = "gen_ai.client.operation.time_per_output_chunk"
	GenAIClientOperationTimePerOutputChunkUnit = "s"
)

// TokenUsageBuckets are the explicit bucket boundaries the conventions advise for
// gen_ai.client.token.usage.
func TokenUsageBuckets() []float64 {
	return []float64{1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864}
}

// DurationBuckets are the explicit bucket boundaries, in seconds, the conventions advise for
// gen_ai.client.operation.duration.
func DurationBuckets() []float64 {
	return []float64{0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92}
}

// GenAIOperationName returns gen_ai.operation.name set to op.
func GenAIOperationName(op string) attribute.KeyValue { return GenAIOperationNameKey.String(op) }

// GenAIProviderName returns gen_ai.provider.name set to name.
func GenAIProviderName(name string) attribute.KeyValue { return GenAIProviderNameKey.String(name) }

// GenAIAgentName returns gen_ai.agent.name set to name.
func GenAIAgentName(name string) attribute.KeyValue { return GenAIAgentNameKey.String(name) }

// GenAIRequestModel returns gen_ai.request.model set to model.
func GenAIRequestModel(model string) attribute.KeyValue { return GenAIRequestModelKey.String(model) }

// GenAIResponseModel returns gen_ai.response.model set to model.
func GenAIResponseModel(model string) attribute.KeyValue { return GenAIResponseModelKey.String(model) }

// GenAITokenType returns gen_ai.token.type set to typ (TokenTypeInput or TokenTypeOutput).
func GenAITokenType(typ string) attribute.KeyValue { return GenAITokenTypeKey.String(typ) }

// ErrorType returns error.type set to typ.
func ErrorType(typ string) attribute.KeyValue { return ErrorTypeKey.String(typ) }
