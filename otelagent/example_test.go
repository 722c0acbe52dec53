package otelagent_test

import (
	"context"
	"errors"
	"fmt"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/agenttrace/otelagent/otelagent"
)

// An agent invocation around a model call, and a repeated question answered from the
// application's response cache.
func Example() {
	tracer := otelagent.New(
		otelagent.WithProviderName("openai"),
		otelagent.WithPricing(otelagent.Pricing{"gpt-4o": {Input: 2.5, Output: 10, CacheRead: 1.25}}),
	)
	ctx := context.Background()

	// First question: the agent calls the model.
	ctx1, inv := tracer.Invoke(ctx, "support", []otelagent.Message{{Role: "user", Content: "Where is my order?"}})
	_, chat := tracer.StartChat(ctx1, "gpt-4o")
	_ = chat.Complete(nil, otelagent.WithUsage(otelagent.TokenUsage{
		PromptTokens: 1200, CompletionTokens: 80, CacheReadTokens: 1000, Model: "gpt-4o",
	}))
	_ = inv.Complete([]otelagent.Message{{Role: "assistant", Content: "It ships today."}})

	// Same question again: answered from the response cache, no model called.
	_, inv = tracer.Invoke(ctx, "support", []otelagent.Message{{Role: "user", Content: "Where is my order?"}})
	_ = inv.Complete(nil, otelagent.WithCacheHit(true), otelagent.WithUsage(otelagent.TokenUsage{
		PromptTokens: 1200, CompletionTokens: 80, Model: "gpt-4o",
	}))

	s := tracer.CacheStatistics()
	fmt.Printf("hits=%d misses=%d hit rate=%.0f%%\n", s.Hits, s.Misses, 100*s.HitRate)
	fmt.Printf("tokens spent=%d saved=%d (%.0f%% saved)\n", s.TokensSpent, s.TokensSaved, s.SavingsPercentage)
	fmt.Printf("cost spent=$%.5f saved=$%.5f\n", s.CostSpent, s.CostSaved)
	// Output:
	// hits=1 misses=1 hit rate=50%
	// tokens spent=1280 saved=1280 (50% saved)
	// cost spent=$0.00255 saved=$0.00505
}

// Wiring the Tracer to SDK providers; the exporters package's Setup builds them from a config.
func ExampleNew() {
	tp := sdktrace.NewTracerProvider()
	mp := sdkmetric.NewMeterProvider()
	defer func() { _ = tp.Shutdown(context.Background()); _ = mp.Shutdown(context.Background()) }()

	tracer := otelagent.New(otelagent.WithTracerProvider(tp), otelagent.WithMeterProvider(mp),
		otelagent.WithProviderName("anthropic"), otelagent.WithContentCapture(true))
	_, inv := tracer.Invoke(context.Background(), "planner", nil)
	fmt.Println(inv.Complete(nil))
	fmt.Println(inv.Complete(nil) != nil)
	// Output:
	// <nil>
	// true
}

// The callback pair: usage given to OnMessagesInvoke is provisional; the usage given to
// OnMessagesComplete, when non-zero, replaces it.
func ExampleTracer_OnMessagesComplete() {
	tracer := otelagent.New()
	ctx := tracer.OnMessagesInvoke(context.Background(), "writer", nil,
		otelagent.TokenUsage{PromptTokens: 500}, false)
	err := tracer.OnMessagesComplete(ctx, "writer", nil,
		otelagent.TokenUsage{PromptTokens: 450, CompletionTokens: 50}, false)
	fmt.Println(err, tracer.CacheStatistics().TokensSpent)

	err = tracer.OnMessagesComplete(context.Background(), "writer", nil, otelagent.TokenUsage{}, false)
	fmt.Println(errors.Is(err, otelagent.ErrNoOpenInvocation))
	// Output:
	// <nil> 500
	// true
}
