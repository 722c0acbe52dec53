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
