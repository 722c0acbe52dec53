package otelagent

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/agenttrace/otelagent/semconv"
)

// TestModelOfAnAgent checks the model an invoke_agent is counted under, on its span, in Stats
// and on otelagent.invocations, for each way its model can be known.
func TestModelOfAnAgent(t *testing.T) {
	const snapshot, family = "gpt-4o-2024-08-06", "gpt-4o"
	usage := func(model string) TokenUsage {
		return TokenUsage{Model: model, PromptTokens: 10, CompletionTokens: 4}
	}
	tests := []struct {
		name      string
		run       func(t *testing.T, h *harness)
		wantModel string
		wantSpan  string // gen_ai.response.model on the agent's span, "" for none
	}{
		{
			name: "its chats answered with one model",
			run: func(t *testing.T, h *harness) {
				ctx, inv := h.Invoke(t.Context(), "a", nil, WithRequestModel(family))
				for range 2 {
					_, chat := h.StartChat(ctx, family)
					require.NoError(t, chat.Complete(nil, WithUsage(usage(snapshot))))
				}
				require.NoError(t, inv.Complete(nil))
			},
			wantModel: snapshot, wantSpan: snapshot,
		},
		{
			name: "its chats answered with different models",
			run: func(t *testing.T, h *harness) {
				ctx, inv := h.Invoke(t.Context(), "a", nil, WithRequestModel(family))
				for _, m := range []string{snapshot, "gpt-4o-mini-2024-07-18", snapshot} {
					_, chat := h.StartChat(ctx, family)
					require.NoError(t, chat.Complete(nil, WithUsage(usage(m))))
				}
				require.NoError(t, inv.Complete(nil))
			},
			wantModel: family,
		},
		{
			name: "its own usage names a model",
			run: func(t *testing.T, h *harness) {
				ctx, inv := h.Invoke(t.Context(), "a", nil, WithRequestModel(family))
				_, chat := h.StartChat(ctx, family)
				require.NoError(t, chat.Complete(nil, WithUsage(usage("gpt-4o-mini-2024-07-18"))))
				require.NoError(t, inv.Complete(nil, WithUsage(usage(snapshot))))
			},
			wantModel: snapshot, wantSpan: snapshot,
		},
		{
			name: "a cache hit names the model of the cached response",
			run: func(t *testing.T, h *harness) {
				_, inv := h.Invoke(t.Context(), "a", nil, WithRequestModel(family))
				require.NoError(t, inv.Complete(nil, WithCacheHit(true), WithUsage(usage(snapshot))))
			},
			wantModel: snapshot, wantSpan: snapshot,
		},
		{
			name: "its chat failed without usage",
			run: func(t *testing.T, h *harness) {
				ctx, inv := h.Invoke(t.Context(), "a", nil, WithRequestModel(family))
				_, chat := h.StartChat(ctx, family)
				require.NoError(t, chat.Complete(nil, WithError(errors.New("timeout"))))
				require.NoError(t, inv.Complete(nil))
			},
			wantModel: family,
		},
		{
			name: "its chat completed after it",
			run: func(t *testing.T, h *harness) {
				ctx, inv := h.Invoke(t.Context(), "a", nil, WithRequestModel(family))
				_, chat := h.StartChat(ctx, family)
				require.NoError(t, inv.Complete(nil))
				require.NoError(t, chat.Complete(nil, WithUsage(usage(snapshot))))
			},
			wantModel: family,
		},
		{
			name: "no model anywhere",
			run: func(t *testing.T, h *harness) {
				_, inv := h.Invoke(t.Context(), "a", nil)
				require.NoError(t, inv.Complete(nil))
			},
			wantModel: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			tt.run(t, h)

			got, has := attrs(h.span(t, "invoke_agent a"))[semconv.GenAIResponseModelKey]
			assert.Equal(t, tt.wantSpan != "", has, "span has gen_ai.response.model")
			assert.Equal(t, tt.wantSpan, got.AsString())

			st := h.Stats()
			require.Contains(t, st.Models, tt.wantModel)
			assert.Equal(t, int64(1), st.Models[tt.wantModel].Invocations, "Stats().Models[%q]", tt.wantModel)
			var total int64
			for _, g := range st.Models {
				total += g.Invocations
			}
			assert.Equal(t, st.Agents["a"].Invocations, total, "model groups count the agent's invocations, not its chats")

			m := h.metrics(t)[semconv.InvocationsName]
			agentOp := semconv.GenAIOperationName(semconv.OperationInvokeAgent)
			if tt.wantModel == "" {
				assert.Equal(t, int64(1), sumInt(t, m, agentOp))
			} else {
				assert.Equal(t, int64(1), sumInt(t, m, agentOp, semconv.GenAIResponseModel(tt.wantModel)))
			}
		})
	}
}

// TestInvocationsFollowTheModel: operations of one agent requesting one model, completed in
// turn under different models, each count on otelagent.invocations under their own model,
// whatever options were built for the one before.
func TestInvocationsFollowTheModel(t *testing.T) {
	h := newHarness(t)
	complete := func(model string, hit bool, err error) {
		_, inv := h.Invoke(t.Context(), "a", nil, WithRequestModel("gpt-4o"))
		opts := []CompleteOption{WithCacheHit(hit), WithError(err)}
		if model != "" {
			opts = append(opts, WithUsage(TokenUsage{Model: model, PromptTokens: 1}))
		}
		require.NoError(t, inv.Complete(nil, opts...))
	}
	complete("gpt-4o-2024-08-06", false, nil)
	complete("gpt-4o-2024-05-13", false, nil)
	complete("gpt-4o-2024-08-06", true, nil)
	complete("", false, nil)
	complete("gpt-4o-2024-05-13", true, nil)
	complete("gpt-4o-2024-08-06", false, errors.New("boom"))
	complete("gpt-4o-2024-08-06", false, nil)

	m := h.metrics(t)[semconv.InvocationsName]
	tests := []struct {
		model string
		hit   bool
		want  int64
	}{
		{"gpt-4o-2024-08-06", false, 3},
		{"gpt-4o-2024-08-06", true, 1},
		{"gpt-4o-2024-05-13", false, 1},
		{"gpt-4o-2024-05-13", true, 1},
		{"gpt-4o", false, 1},
		{"gpt-4o", true, 0},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, sumInt(t, m, semconv.GenAIResponseModel(tt.model), semconv.CacheHit(tt.hit)),
			"model %s hit %v", tt.model, tt.hit)
	}
	assert.Equal(t, int64(1), sumInt(t, m, semconv.GenAIResponseModel("gpt-4o-2024-08-06"), semconv.ErrorType(ErrorType(errors.New("boom")))))
}

// TestChatsWithoutUsageInsideAnAgent: chats that report no usage, or a model with no tokens,
// leave their agent's model to the ones that do.
func TestChatsWithoutUsageInsideAnAgent(t *testing.T) {
	tests := []struct {
		name  string
		chats []*TokenUsage // nil: completed without usage
		want  string        // the agent span's gen_ai.response.model
	}{
		{name: "no usage", chats: []*TokenUsage{nil}},
		{name: "model only", chats: []*TokenUsage{{Model: "gpt-4o-2024-08-06"}}, want: "gpt-4o-2024-08-06"},
		{name: "no usage then usage", chats: []*TokenUsage{nil, {Model: "gpt-4o-2024-08-06", PromptTokens: 3}}, want: "gpt-4o-2024-08-06"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			ctx, agent := h.Invoke(t.Context(), "a", nil, WithRequestModel("gpt-4o"))
			for _, u := range tt.chats {
				_, chat := h.StartChat(ctx, "gpt-4o")
				var opts []CompleteOption
				if u != nil {
					opts = append(opts, WithUsage(*u))
				}
				require.NoError(t, chat.Complete(nil, opts...))
			}
			require.NoError(t, agent.Complete(nil))
			got, has := attrs(h.span(t, "invoke_agent a"))[semconv.GenAIResponseModelKey]
			assert.Equal(t, tt.want != "", has)
			assert.Equal(t, tt.want, got.AsString())
		})
	}
}
