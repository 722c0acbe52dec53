package llmhttp

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/agenttrace/otelagent/otelagent"
)

// cannedTransport answers every request with the same body, without a network, so that the
// benchmarks measure the transport's own cost.
type cannedTransport struct {
	body        []byte
	contentType string
}

func (c cannedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	return &http.Response{
		StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:  http.Header{"Content-Type": {c.contentType}},
		Body:    io.NopCloser(bytes.NewReader(c.body)),
		Request: req, ContentLength: int64(len(c.body)),
	}, nil
}

// streamOf returns a chat completions stream of n content chunks, a usage chunk and [DONE].
func streamOf(n int) []byte {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "data: {\"id\":\"chatcmpl-b\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini-2024-07-18\","+
			"\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tok%d \"},\"finish_reason\":null}],\"usage\":null}\n\n", i)
	}
	b.WriteString("data: {\"id\":\"chatcmpl-b\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini-2024-07-18\"," +
		"\"choices\":[],\"usage\":{\"prompt_tokens\":1200,\"completion_tokens\":100,\"total_tokens\":1300,\"prompt_tokens_details\":{\"cached_tokens\":1024}}}\n\ndata: [DONE]\n\n")
	return []byte(b.String())
}

// BenchmarkTransport compares a client with the Transport (impl=instrumented) and without it
// (impl=raw) over a canned response: a JSON chat completion per call (api=json), and a stream
// of 100 chunks (api=stream; ns/chunk is the call's time over its chunks).
func BenchmarkTransport(b *testing.B) {
	plain, err := os.ReadFile(filepath.Join("testdata", "openai_chat.json"))
	if err != nil {
		b.Fatal(err)
	}
	const chunks = 100
	stream := streamOf(chunks)
	tp := sdktrace.NewTracerProvider()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	b.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	tracer := otelagent.New(otelagent.WithTracerProvider(tp), otelagent.WithMeterProvider(mp))
	request := []byte(`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello."}],"temperature":0.2}`)
	streamRequest := []byte(`{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Say hello."}]}`)

	for _, mode := range []struct {
		name     string
		body     []byte
		ct       string
		request  []byte
		perChunk bool
	}{
		{"json", plain, "application/json", request, false},
		{"stream", stream, "text/event-stream", streamRequest, true},
	} {
		base := cannedTransport{body: mode.body, contentType: mode.ct}
		for _, c := range []struct {
			name string
			rt   http.RoundTripper
		}{
			{"raw", base},
			{"instrumented", NewTransport(base, WithTracer(tracer), WithMeterProvider(mp))},
		} {
			client := &http.Client{Transport: c.rt}
			b.Run("api="+mode.name+"/impl="+c.name, func(b *testing.B) {
				b.ReportAllocs()
				buf := make([]byte, 512) // SDKs read streams line by line, in small pieces
				for b.Loop() {
					req, _ := http.NewRequest(http.MethodPost, "https://api.openai.com/v1/chat/completions", bytes.NewReader(mode.request))
					resp, err := client.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					for {
						if _, err := resp.Body.Read(buf); err != nil {
							break
						}
					}
					_ = resp.Body.Close()
				}
				if mode.perChunk {
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*chunks), "ns/chunk")
				}
			})
		}
	}
}
