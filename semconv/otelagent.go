package semconv

import "go.opentelemetry.io/otel/attribute"

// Attribute keys of the module's own, outside the GenAI conventions.
const (
	// CacheHitKey (bool) is true when the answer came from the application's response cache
	// and no model was called.
	CacheHitKey = attribute.Key("otelagent.cache.hit")
	// CacheTokensSavedKey (int) is the token total of the model call a cache hit avoided.
	CacheTokensSavedKey = attribute.Key("otelagent.cache.tokens_saved")
	// UsageTotalTokensKey (int) is the operation's total token count.
	UsageTotalTokensKey = attribute.Key("otelagent.usage.total_tokens")
	// CostUSDKey (double) is what the operation's tokens cost, in US dollars.
	CostUSDKey = attribute.Key("otelagent.cost.usd")
	// CostSavedUSDKey (double) is what caching saved on the operation, in US dollars.
	CostSavedUSDKey = attribute.Key("otelagent.cost.saved_usd")
	// ContentTruncatedKey (bool) is true when captured message content was cut at the byte limit.
	ContentTruncatedKey = attribute.Key("otelagent.content.truncated")
	// UsageInvalidKey (string) names what was wrong with usage that failed validation; the
	// span carries no usage attributes then.
	UsageInvalidKey = attribute.Key("otelagent.usage.invalid")
	// TokenKindKey (string, enum) labels otelagent.tokens points: one of the TokenKind* values.
	// It is the module's own key; the conventions' gen_ai.token.type is GenAITokenTypeKey.
	TokenKindKey = attribute.Key("otelagent.token.type")
	// RollupLateKey (bool) is true on a chat span that completed after its enclosing
	// invoke_agent had ended. Its tokens belong to that agent, whose span could no longer show
	// them; the otelagent.rollup.counted.* attributes say what the chat counted beyond it.
	RollupLateKey = attribute.Key("otelagent.rollup.late")
	// RollupCountedInputTokensKey (int) is, on a late chat, the input tokens it counted beyond
	// what its agent's span already shows; the other RollupCounted* keys likewise.
	RollupCountedInputTokensKey              = attribute.Key("otelagent.rollup.counted.input_tokens")
	RollupCountedOutputTokensKey             = attribute.Key("otelagent.rollup.counted.output_tokens")
	RollupCountedCacheReadInputTokensKey     = attribute.Key("otelagent.rollup.counted.cache_read.input_tokens")
	RollupCountedCacheCreationInputTokensKey = attribute.Key("otelagent.rollup.counted.cache_creation.input_tokens")
	RollupCountedReasoningOutputTokensKey    = attribute.Key("otelagent.rollup.counted.reasoning.output_tokens")
	RollupCountedTotalTokensKey              = attribute.Key("otelagent.rollup.counted.total_tokens")
	RollupCountedCostUSDKey                  = attribute.Key("otelagent.rollup.counted.cost.usd")
	RollupCountedCostSavedUSDKey             = attribute.Key("otelagent.rollup.counted.cost.saved_usd")
)

// TokenTypeKey is TokenKindKey.
//
// Deprecated: use TokenKindKey; TokenType* names belong to the conventions' gen_ai.token.type.
const TokenTypeKey = TokenKindKey

// Values of otelagent.token.type (TokenKindKey). Kinds overlap: cache_read and cache_creation
// are parts of input, reasoning is part of output.
const (
	TokenKindInput         = "input"
	TokenKindOutput        = "output"
	TokenKindCacheRead     = "cache_read"
	TokenKindCacheCreation = "cache_creation"
	TokenKindReasoning     = "reasoning"
)

// Metric names and units of the module's own instruments.
const (
	InvocationsName       = "otelagent.invocations"
	InvocationsUnit       = "{invocation}"
	TokensName            = "otelagent.tokens"
	TokensUnit            = "{token}"
	CacheTokensSavedName  = "otelagent.cache.tokens_saved"
	CacheTokensSavedUnit  = "{token}"
	CostName              = "otelagent.cost"
	CostSavedName         = "otelagent.cost.saved"
	CostUnit              = "USD"
	InvocationsActiveName = "otelagent.invocations.active"
	InvocationsActiveUnit = "{invocation}"
)

// CacheHit returns otelagent.cache.hit set to hit.
func CacheHit(hit bool) attribute.KeyValue { return CacheHitKey.Bool(hit) }

// TokenKind returns otelagent.token.type set to kind (one of the TokenKind* values).
func TokenKind(kind string) attribute.KeyValue { return TokenKindKey.String(kind) }

// TokenType returns TokenKind(kind).
//
// Deprecated: use TokenKind; TokenType* names belong to the conventions' gen_ai.token.type.
func TokenType(kind string) attribute.KeyValue { return TokenKind(kind) }

// Names of the entries of the Tracer's event log (and of span events RecordEvent adds when the
// caller names none).
const (
	// EventOperationCompleted is logged for every completed operation.
	EventOperationCompleted = "otelagent.operation.completed"
	// EventDefaultName names a RecordEvent event given without a name.
	EventDefaultName = "otelagent.event"
)

// The module's self-metric of spans that never reached an exporter's destination, and its
// attributes.
const (
	// SpansDroppedName counts spans lost on the way out: {span}, with SpansDroppedExporterKey
	// and SpansDroppedReasonKey.
	SpansDroppedName = "otelagent.spans.dropped"
	SpansDroppedUnit = "{span}"
	// SpansDroppedExporterKey (string) names the exporter: "file" or "otlp".
	SpansDroppedExporterKey = attribute.Key("otelagent.exporter")
	// SpansDroppedReasonKey (string) says why: one of the DropReason* values.
	SpansDroppedReasonKey = attribute.Key("otelagent.drop.reason")

	// DropReasonQueueFull: the exporter's queue was full when the span ended.
	DropReasonQueueFull = "queue_full"
	// DropReasonExportFailed: the exporter returned an error for the batch holding the span.
	DropReasonExportFailed = "export_failed"
	// DropReasonShutdown: the span ended after shutdown began, or shutdown's deadline passed
	// before it was exported.
	DropReasonShutdown = "shutdown"
)
