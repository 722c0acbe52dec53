package llmhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	otelsemconv "go.opentelemetry.io/otel/semconv/v1.41.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/agenttrace/otelagent/otelagent"
	"github.com/agenttrace/otelagent/semconv"
)

// maxErrorBody bounds how much of an error response is read for its error type; the caller
// still reads the whole body.
const maxErrorBody = 64 << 10

// Transport is an http.RoundTripper that records a chat span per model API request it
// recognises and passes everything else through. Create it with NewTransport; a nil or zero
// Transport sends requests through http.DefaultTransport and records nothing. It is safe for
// concurrent use, as long as its base is.
type Transport struct {
	base     http.RoundTripper
	tracer   *otelagent.Tracer
	provider string
	ttfc     metric.Float64Histogram
	tpoc     metric.Float64Histogram
}

var _ http.RoundTripper = (*Transport)(nil)

// NewTransport returns a Transport sending requests through base; a nil base means
// http.DefaultTransport. It never fails: an instrument that cannot be created is reported to
// otel.Handle and replaced by a no-op.
func NewTransport(base http.RoundTripper, opts ...Option) *Transport {
	c := newConfig(opts)
	if base == nil {
		base = http.DefaultTransport
	}
	if c.tracer == nil {
		c.tracer = otelagent.New()
	}
	mp := c.meterProvider
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	m := mp.Meter(ScopeName, metric.WithInstrumentationVersion(Version),
		metric.WithSchemaURL(semconv.SchemaURL))
	t := &Transport{base: base, tracer: c.tracer, provider: c.providerName}
	t.ttfc = histogram(m, semconv.GenAIClientOperationTimeToFirstChunkName,
		"Time to receive the first chunk of a streamed response, from when the request was issued.",
		semconv.GenAIClientOperationTimeToFirstChunkUnit, timeToFirstChunkBuckets)
	t.tpoc = histogram(m, semconv.GenAIClientOperationTimePerOutputChunkName,
		"Time between consecutive chunks of a streamed response.",
		semconv.GenAIClientOperationTimePerOutputChunkUnit, timePerChunkBuckets)
	return t
}

// The conventions advise no buckets for the client chunk metrics; these are the ones they
// advise for the server's time to first token and time per output token.
var (
	timeToFirstChunkBuckets = []float64{0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}
	timePerChunkBuckets     = []float64{0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5}
)

func histogram(m metric.Meter, name, desc, unit string, buckets []float64) metric.Float64Histogram {
	h, err := m.Float64Histogram(name, metric.WithDescription(desc), metric.WithUnit(unit),
		metric.WithExplicitBucketBoundaries(buckets...))
	if err != nil {
		otel.Handle(err)
	}
	return h // the API returns a usable no-op beside the error
}

// RoundTrip records a chat span for req when it is a model API request, and sends it
// through the base transport.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t == nil || t.base == nil {
		return t.Middleware(req, http.DefaultTransport.RoundTrip)
	}
	return t.Middleware(req, t.base.RoundTrip)
}

// Middleware is the transport's logic in the shape of the middleware of openai-go and
// anthropic-sdk-go (option.Middleware): it records a chat span for req when it is a model API
// request and calls next with a request that carries the span in its context.
func (t *Transport) Middleware(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
	if t == nil || t.tracer == nil {
		return next(req) // a nil or zero Transport records nothing
	}
	a := apiOf(req)
	if a == apiNone || req.Body == nil || req.Body == http.NoBody {
		return next(req)
	}
	body, readErr := readAll(req.Body, req.ContentLength)
	_ = req.Body.Close()

	var cr chatRequest
	_ = json.Unmarshal(body, &cr) // a body that is not JSON still gets its span; the API rejects it
	if a == apiOpenAIChat && cr.Stream && cr.StreamOptions == nil {
		if b, ok := withIncludeUsage(body); ok {
			body = b
		}
	}
	host, port := serverOf(req.URL)
	provider := t.provider
	if provider == "" {
		provider = providerOf(host, a)
	}
	attrs := make([]attribute.KeyValue, 0, 12)
	if host != "" {
		attrs = append(attrs, otelsemconv.ServerAddress(host))
	}
	if port > 0 {
		attrs = append(attrs, otelsemconv.ServerPort(port))
	}
	attrs = cr.attributes(attrs)
	start := time.Now()
	capture := t.tracer.CapturesContent()
	opts := []otelagent.InvokeOption{otelagent.WithProviderName(provider), otelagent.WithAttributes(attrs...)}
	if capture {
		instructions, msgs := promptOf(a, body)
		opts = append(opts, otelagent.WithSystemInstructions(instructions...), otelagent.WithInputMessages(msgs...))
	}
	ctx, inv := t.tracer.StartChat(req.Context(), cr.Model, opts...)
	c := &call{t: t, inv: inv, ctx: ctx, api: a, start: start, provider: provider,
		requestModel: cr.Model, stream: cr.Stream, host: host, port: port, completed: make(chan struct{})}
	c.res.capture = capture
	if readErr != nil {
		c.end(readErr)
		return nil, readErr
	}

	out := req.WithContext(ctx)
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.ContentLength = int64(len(body))
	out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	resp, err := next(out)
	if err != nil {
		c.end(err)
		return resp, err
	}
	return c.response(resp), nil
}

// serverOf returns the host and port of u, the port defaulted from the scheme.
func serverOf(u *url.URL) (string, int) {
	host, portStr := u.Hostname(), u.Port()
	if portStr == "" {
		switch u.Scheme {
		case "https":
			return host, 443
		case "http":
			return host, 80
		}
		return host, 0
	}
	port, _ := strconv.Atoi(portStr)
	return host, port
}

// call is one instrumented request, from StartChat to Complete.
type call struct {
	t            *Transport
	inv          *otelagent.Invocation
	ctx          context.Context // carries the chat span
	api          api
	start        time.Time
	provider     string
	requestModel string
	stream       bool // the request asked for a stream
	host         string
	port         int

	completed chan struct{} // closed once the span is completed

	mu         sync.Mutex // guards the fields below: Read, Close and cancellation race
	ended      bool
	stopCancel func() bool
	res        result
	anthropic  anthropicState
	sse        sseScanner
	lastChunk  time.Time
	chunk      openAIChat            // decoded chat completion chunk, reused
	dec        eventDecoder          // decodes the stream's events
	chunkOpts  []metric.RecordOption // attributes of the chunk metrics, set at the first chunk
}

// response records what resp tells and returns it with a body the caller reads as before.
func (c *call) response(resp *http.Response) *http.Response {
	if resp.StatusCode >= 400 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		resp.Body = &replayBody{Reader: io.MultiReader(bytes.NewReader(b), resp.Body), closer: resp.Body}
		c.end(errorFromBody(resp.StatusCode, b))
		return resp
	}
	// A server that streams without naming the media type is still read as a stream, never
	// buffered whole.
	if mt := mediaType(resp.Header.Get("Content-Type")); mt == "text/event-stream" || (c.stream && mt != "application/json") {
		c.mu.Lock()
		c.stopCancel = context.AfterFunc(c.ctx, func() { c.end(context.Cause(c.ctx)) })
		c.mu.Unlock()
		resp.Body = &streamBody{rc: resp.Body, c: c}
		return resp
	}
	b, err := readAll(resp.Body, resp.ContentLength)
	_ = resp.Body.Close()
	var r io.Reader = bytes.NewReader(b)
	if err != nil {
		r = io.MultiReader(r, errReader{err})
	} else {
		c.mu.Lock()
		c.res.parseJSON(c.api, b)
		c.mu.Unlock()
	}
	resp.Body = io.NopCloser(r)
	c.end(err)
	return resp
}

// maxSizeHint bounds the buffer a declared length makes readAll allocate up front.
const maxSizeHint = 8 << 20

// readAll is io.ReadAll with the buffer sized from a declared length (ContentLength, -1 when
// unknown), so that a body is read with one allocation instead of a doubling series.
func readAll(r io.Reader, sizeHint int64) ([]byte, error) {
	if sizeHint <= 0 || sizeHint > maxSizeHint {
		return io.ReadAll(r)
	}
	b := make([]byte, 0, sizeHint+1) // one more byte: EOF is seen without growing
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) { // longer than declared
			b = append(b, 0)[:len(b)]
		}
	}
}

func mediaType(contentType string) string {
	mt, _, _ := mime.ParseMediaType(contentType)
	return mt
}

// end completes the chat span once; err is the transport's error, if any. Later calls wait
// until the first has completed it, so that when Close returns the usage has reached the
// enclosing invocation.
func (c *call) end(err error) {
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		<-c.completed
		return
	}
	defer close(c.completed)
	c.ended = true
	if c.stopCancel != nil {
		c.stopCancel()
	}
	res := c.res
	c.mu.Unlock()

	if err == nil && res.err != nil {
		err = res.err
	}
	usage := res.usage
	usage.Model = res.model
	opts := make([]otelagent.CompleteOption, 0, 3)
	opts = append(opts, otelagent.WithUsage(usage))
	if len(res.finish) > 0 {
		opts = append(opts, otelagent.WithFinishReasons(res.finish...))
	}
	if err != nil {
		opts = append(opts, otelagent.WithError(err))
	}
	if res.id != "" {
		trace.SpanFromContext(c.ctx).SetAttributes(semconv.GenAIResponseIDKey.String(res.id))
	}
	_ = c.inv.Complete(res.outputs(), opts...)
}

// feed parses stream bytes as they pass to the caller.
func (c *call) feed(p []byte) {
	c.mu.Lock()
	if !c.ended {
		c.sse.write(p, c.dispatch)
	}
	c.mu.Unlock()
}

// finishStream handles an event the stream ended without a blank line after.
func (c *call) finishStream() {
	c.mu.Lock()
	if !c.ended {
		c.sse.flush(c.dispatch)
	}
	c.mu.Unlock()
}

var doneData = []byte("[DONE]")

// dispatch handles the data of one event; c.mu is held.
func (c *call) dispatch(data []byte) {
	if bytes.Equal(data, doneData) {
		return
	}
	switch c.api {
	case apiOpenAIChat:
		c.res.openAIChat(data, true, &c.chunk, &c.dec)
	case apiOpenAIResponses:
		c.res.openAIResponseEvent(data, &c.dec)
	case apiAnthropicMessages:
		c.res.anthropicEvent(data, &c.anthropic, &c.dec)
	}
	now := time.Now()
	if c.lastChunk.IsZero() {
		ttfc := now.Sub(c.start).Seconds()
		trace.SpanFromContext(c.ctx).SetAttributes(semconv.GenAIResponseTimeToFirstChunkKey.Float64(ttfc))
		c.chunkOpts = []metric.RecordOption{metric.WithAttributeSet(c.metricAttributes())}
		c.t.ttfc.Record(c.ctx, ttfc, c.chunkOpts...)
	} else {
		c.t.tpoc.Record(c.ctx, now.Sub(c.lastChunk).Seconds(), c.chunkOpts...)
	}
	c.lastChunk = now
}

// metricAttributes returns the conventions' attributes of the chunk metrics.
func (c *call) metricAttributes() attribute.Set {
	attrs := make([]attribute.KeyValue, 0, 6)
	attrs = append(attrs, semconv.GenAIOperationName(semconv.OperationChat), semconv.GenAIProviderName(c.provider))
	if c.requestModel != "" {
		attrs = append(attrs, semconv.GenAIRequestModel(c.requestModel))
	}
	if c.res.model != "" {
		attrs = append(attrs, semconv.GenAIResponseModel(c.res.model))
	}
	if c.host != "" {
		attrs = append(attrs, otelsemconv.ServerAddress(c.host))
	}
	if c.port > 0 {
		attrs = append(attrs, otelsemconv.ServerPort(c.port))
	}
	return attribute.NewSet(attrs...)
}

// streamBody passes a streamed response to the caller and parses it on the way.
type streamBody struct {
	rc io.ReadCloser
	c  *call
}

func (b *streamBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 {
		b.c.feed(p[:n])
	}
	switch {
	case err == io.EOF:
		b.c.finishStream()
		b.c.end(nil)
	case err != nil:
		b.c.end(err)
	}
	return n, err
}

// Close ends the span with what the stream told so far: a caller may stop reading once it
// has what it needs, which is no error unless the request's context is done.
func (b *streamBody) Close() error {
	err := b.rc.Close()
	b.c.end(b.c.ctx.Err())
	return err
}

// replayBody reads the part of an error body already read, then the rest.
type replayBody struct {
	io.Reader
	closer io.Closer
}

func (b *replayBody) Close() error { return b.closer.Close() }

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
