package exporters

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// allTypeAttributes holds one attribute of every type the SDK records.
var allTypeAttributes = []attribute.KeyValue{
	attribute.String("str", "value"),
	attribute.Bool("bool", true),
	attribute.Int64("int", -9007199254740993), // beyond float64 precision: must stay exact
	attribute.Float64("double", 0.1234567890123),
	attribute.StringSlice("strs", []string{"a", "", "c"}),
	attribute.BoolSlice("bools", []bool{true, false}),
	attribute.Int64Slice("ints", []int64{1, -2, 9223372036854775807}),
	attribute.Float64Slice("doubles", []float64{1.5, -2.25}),
}

// rawAttributes converts attributes to the raw values pcommon.Map.AsRaw returns, by hand,
// so that the check does not share code with the exporter.
func rawAttributes(t *testing.T, attrs []attribute.KeyValue) map[string]any {
	t.Helper()
	out := make(map[string]any, len(attrs))
	for _, kv := range attrs {
		var v any
		switch kv.Value.Type() {
		case attribute.STRING:
			v = kv.Value.AsString()
		case attribute.BOOL:
			v = kv.Value.AsBool()
		case attribute.INT64:
			v = kv.Value.AsInt64()
		case attribute.FLOAT64:
			v = kv.Value.AsFloat64()
		case attribute.STRINGSLICE:
			v = toAnySlice(kv.Value.AsStringSlice())
		case attribute.BOOLSLICE:
			v = toAnySlice(kv.Value.AsBoolSlice())
		case attribute.INT64SLICE:
			v = toAnySlice(kv.Value.AsInt64Slice())
		case attribute.FLOAT64SLICE:
			v = toAnySlice(kv.Value.AsFloat64Slice())
		default:
			t.Fatalf("attribute %s: type %s not covered by the test", kv.Key, kv.Value.Type())
		}
		out[string(kv.Key)] = v
	}
	return out
}

func toAnySlice[T any](s []T) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// recordSpans runs a real TracerProvider and returns the spans it ended: a server root under
// a remote parent, a client child with every attribute type, events, a link and an error
// status, and a span of a second tracer.
func recordSpans(t *testing.T) []sdktrace.ReadOnlySpan {
	t.Helper()
	res, err := resource.New(t.Context(),
		resource.WithAttributes(append([]attribute.KeyValue{attribute.String("service.name", "round-trip")}, allTypeAttributes...)...),
		resource.WithSchemaURL("https://opentelemetry.io/schemas/1.26.0"))
	require.NoError(t, err)
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec), sdktrace.WithResource(res))
	t.Cleanup(func() { assert.NoError(t, tp.Shutdown(context.Background())) })

	ts, err := trace.ParseTraceState("vendor=value,other=1")
	require.NoError(t, err)
	remote := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID{0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19},
		SpanID:     trace.SpanID{0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8},
		TraceFlags: trace.FlagsSampled,
		TraceState: ts,
		Remote:     true,
	})
	linked := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
		SpanID:  trace.SpanID{0xee, 1, 2, 3, 4, 5, 6, 7},
		Remote:  true,
	})

	tracer := tp.Tracer("otelagent/test", trace.WithInstrumentationVersion("1.2.3"),
		trace.WithSchemaURL("https://opentelemetry.io/schemas/1.41.0"),
		trace.WithInstrumentationAttributes(attribute.String("scope.attr", "x")))
	ctx := trace.ContextWithRemoteSpanContext(t.Context(), remote)
	ctx, root := tracer.Start(ctx, "invoke_agent planner", trace.WithSpanKind(trace.SpanKindServer))
	_, child := tracer.Start(ctx, "chat gpt-4o", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(allTypeAttributes...),
		trace.WithLinks(trace.Link{SpanContext: linked, Attributes: []attribute.KeyValue{attribute.String("link.kind", "follows")}}))
	child.AddEvent("gen_ai.content.prompt", trace.WithAttributes(attribute.Int("n", 3), attribute.StringSlice("parts", []string{"p"})))
	child.AddEvent("retry")
	child.SetStatus(codes.Error, "rate limited")
	child.End()
	root.SetStatus(codes.Ok, "")
	root.End()

	_, other := tp.Tracer("other").Start(t.Context(), "execute_tool search", trace.WithSpanKind(trace.SpanKindInternal))
	other.End()

	spans := rec.Ended()
	require.Len(t, spans, 3)
	return spans
}

// readTraceLines reads every line of path with the Collector's own OTLP/JSON decoder.
func readTraceLines(t *testing.T, path string) []ptrace.Traces {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	if bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		require.NoError(t, err, path)
		data, err = io.ReadAll(zr)
		require.NoError(t, err, path)
	}
	var out []ptrace.Traces
	for i, line := range bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var u ptrace.JSONUnmarshaler
		td, err := u.UnmarshalTraces(line)
		require.NoError(t, err, "%s:%d", path, i+1)
		out = append(out, td)
	}
	return out
}

// foundSpan is a span read back with the resource and scope it was grouped under.
type foundSpan struct {
	span     ptrace.Span
	resource pcommon.Resource
	resURL   string
	scope    pcommon.InstrumentationScope
	scopeURL string
}

func indexSpans(tds ...ptrace.Traces) map[pcommon.SpanID]foundSpan {
	out := make(map[pcommon.SpanID]foundSpan)
	for _, td := range tds {
		for i := 0; i < td.ResourceSpans().Len(); i++ {
			rs := td.ResourceSpans().At(i)
			for j := 0; j < rs.ScopeSpans().Len(); j++ {
				ss := rs.ScopeSpans().At(j)
				for k := 0; k < ss.Spans().Len(); k++ {
					s := ss.Spans().At(k)
					out[s.SpanID()] = foundSpan{span: s, resource: rs.Resource(), resURL: rs.SchemaUrl(), scope: ss.Scope(), scopeURL: ss.SchemaUrl()}
				}
			}
		}
	}
	return out
}

// assertSpan checks every field of got against the span the SDK recorded.
func assertSpan(t *testing.T, want sdktrace.ReadOnlySpan, got foundSpan) {
	t.Helper()
	s := got.span
	sc := want.SpanContext()
	assert.Equal(t, [16]byte(sc.TraceID()), [16]byte(s.TraceID()), "trace id")
	assert.Equal(t, [8]byte(sc.SpanID()), [8]byte(s.SpanID()), "span id")
	assert.Equal(t, sc.TraceState().String(), s.TraceState().AsRaw(), "trace state")
	if want.Parent().SpanID().IsValid() {
		assert.Equal(t, [8]byte(want.Parent().SpanID()), [8]byte(s.ParentSpanID()), "parent span id")
	} else {
		assert.True(t, s.ParentSpanID().IsEmpty(), "parent span id")
	}
	wantFlags := uint32(sc.TraceFlags()) | 0x100
	if want.Parent().IsRemote() {
		wantFlags |= 0x200
	}
	assert.Equal(t, wantFlags, s.Flags(), "flags")
	assert.Equal(t, want.Name(), s.Name())
	assert.Equal(t, int(want.SpanKind()), int(s.Kind()), "kind") // both enums number kinds alike
	assert.Equal(t, want.StartTime().UnixNano(), s.StartTimestamp().AsTime().UnixNano())
	assert.Equal(t, want.EndTime().UnixNano(), s.EndTimestamp().AsTime().UnixNano())
	assert.Equal(t, rawAttributes(t, want.Attributes()), s.Attributes().AsRaw(), "attributes")
	assert.Equal(t, uint32(want.DroppedAttributes()), s.DroppedAttributesCount())

	require.Equal(t, len(want.Events()), s.Events().Len(), "events")
	for i, ev := range want.Events() {
		ge := s.Events().At(i)
		assert.Equal(t, ev.Name, ge.Name())
		assert.Equal(t, ev.Time.UnixNano(), ge.Timestamp().AsTime().UnixNano())
		assert.Equal(t, rawAttributes(t, ev.Attributes), ge.Attributes().AsRaw())
	}
	require.Equal(t, len(want.Links()), s.Links().Len(), "links")
	for i, l := range want.Links() {
		gl := s.Links().At(i)
		assert.Equal(t, [16]byte(l.SpanContext.TraceID()), [16]byte(gl.TraceID()))
		assert.Equal(t, [8]byte(l.SpanContext.SpanID()), [8]byte(gl.SpanID()))
		assert.Equal(t, rawAttributes(t, l.Attributes), gl.Attributes().AsRaw())
		assert.Equal(t, uint32(l.SpanContext.TraceFlags())|0x300, gl.Flags(), "link to a remote context")
	}
	wantCode := map[codes.Code]ptrace.StatusCode{codes.Unset: ptrace.StatusCodeUnset, codes.Ok: ptrace.StatusCodeOk, codes.Error: ptrace.StatusCodeError}
	assert.Equal(t, wantCode[want.Status().Code], s.Status().Code(), "status code")
	assert.Equal(t, want.Status().Description, s.Status().Message())

	assert.Equal(t, rawAttributes(t, want.Resource().Attributes()), got.resource.Attributes().AsRaw(), "resource")
	assert.Equal(t, want.Resource().SchemaURL(), got.resURL)
	scope := want.InstrumentationScope()
	assert.Equal(t, scope.Name, got.scope.Name())
	assert.Equal(t, scope.Version, got.scope.Version())
	assert.Equal(t, rawAttributes(t, scope.Attributes.ToSlice()), got.scope.Attributes().AsRaw())
	assert.Equal(t, scope.SchemaURL, got.scopeURL)
}

func TestFileExporterRoundTrip(t *testing.T) {
	spans := recordSpans(t)
	path := filepath.Join(t.TempDir(), "traces.jsonl")
	exp, err := NewFileExporter(path)
	require.NoError(t, err)
	require.NoError(t, exp.ExportSpans(t.Context(), spans))
	require.NoError(t, exp.ExportSpans(t.Context(), spans[:1]))
	require.NoError(t, exp.Shutdown(t.Context()))

	lines := readTraceLines(t, path)
	require.Len(t, lines, 2, "one line per export")
	assert.Equal(t, 3, lines[0].SpanCount())
	assert.Equal(t, 1, lines[1].SpanCount())
	assert.Equal(t, 1, lines[0].ResourceSpans().Len(), "one resource")
	assert.Equal(t, 2, lines[0].ResourceSpans().At(0).ScopeSpans().Len(), "grouped by scope")

	found := indexSpans(lines[0])
	for _, want := range spans {
		got, ok := found[pcommon.SpanID(want.SpanContext().SpanID())]
		require.True(t, ok, "span %q missing", want.Name())
		t.Run(want.Name(), func(t *testing.T) { assertSpan(t, want, got) })
	}
}

// TestFileExporterEncoding checks the OTLP/JSON encoding rules on the raw text, without
// pdata: hex IDs, enums as numbers, 64-bit integers as strings, camelCase field names.
func TestFileExporterEncoding(t *testing.T) {
	path := filepath.Join(t.TempDir(), "traces.jsonl")
	exp, err := NewFileExporter(path)
	require.NoError(t, err)
	require.NoError(t, exp.ExportSpans(t.Context(), goldenSpans()[:1]))
	require.NoError(t, exp.Shutdown(t.Context()))

	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var doc struct {
		ResourceSpans []struct {
			ScopeSpans []struct {
				Spans []map[string]any `json:"spans"`
			} `json:"scopeSpans"`
		} `json:"resourceSpans"`
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	require.NotEmpty(t, doc.ResourceSpans)
	require.NotEmpty(t, doc.ResourceSpans[0].ScopeSpans)
	require.NotEmpty(t, doc.ResourceSpans[0].ScopeSpans[0].Spans)
	span := doc.ResourceSpans[0].ScopeSpans[0].Spans[0]
	assert.Equal(t, "0102030405060708090a0b0c0d0e0f10", span["traceId"])
	assert.Equal(t, "a1a2a3a4a5a6a7a8", span["spanId"])
	assert.Equal(t, "b1b2b3b4b5b6b7b8", span["parentSpanId"])
	assert.Equal(t, float64(2), span["kind"], "SPAN_KIND_SERVER as a number")
	assert.Equal(t, "1767225600000000000", span["startTimeUnixNano"], "uint64 as a string")
	status, ok := span["status"].(map[string]any)
	require.True(t, ok)
	assert.Equal(t, float64(2), status["code"], "STATUS_CODE_ERROR as a number")
	attrs, ok := span["attributes"].([]any)
	require.True(t, ok)
	var intValue any
	for _, a := range attrs {
		kv := a.(map[string]any)
		if kv["key"] == "int" {
			intValue = kv["value"].(map[string]any)["intValue"]
		}
	}
	assert.Equal(t, "-9007199254740993", intValue, "int64 as a string")
}

// goldenSpans returns deterministic spans: fixed IDs and times, two resources, two scopes.
func goldenSpans() []sdktrace.ReadOnlySpan {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	traceID := trace.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	ts, _ := trace.ParseTraceState("k=v")
	sc := func(id byte, remote bool) trace.SpanContext {
		return trace.NewSpanContext(trace.SpanContextConfig{
			TraceID: traceID, SpanID: trace.SpanID{id, id + 1, id + 2, id + 3, id + 4, id + 5, id + 6, id + 7},
			TraceFlags: trace.FlagsSampled, TraceState: ts, Remote: remote,
		})
	}
	res := resource.NewWithAttributes("https://opentelemetry.io/schemas/1.26.0",
		attribute.String("service.name", "golden"), attribute.Int64("pid", 42))
	other := resource.NewSchemaless(attribute.String("service.name", "second"))
	scope := instrumentation.Scope{Name: "github.com/agenttrace/otelagent", Version: "0.1.0",
		SchemaURL: "https://opentelemetry.io/schemas/1.41.0", Attributes: attribute.NewSet(attribute.Bool("scoped", true))}
	stubs := tracetest.SpanStubs{
		{
			Name: "invoke_agent planner", SpanContext: sc(0xa1, false), Parent: sc(0xb1, true),
			SpanKind: trace.SpanKindServer, StartTime: start, EndTime: start.Add(1500 * time.Millisecond),
			Attributes: allTypeAttributes,
			Events: []sdktrace.Event{
				{Name: "retry", Time: start.Add(time.Second), Attributes: []attribute.KeyValue{attribute.Int("attempt", 2)}, DroppedAttributeCount: 1},
			},
			Links: []sdktrace.Link{
				{SpanContext: sc(0xc1, true), Attributes: []attribute.KeyValue{attribute.String("why", "follows")}},
			},
			Status:            sdktrace.Status{Code: codes.Error, Description: "rate limited"},
			DroppedAttributes: 3, DroppedEvents: 4, DroppedLinks: 5, ChildSpanCount: 1,
			Resource: res, InstrumentationScope: scope,
		},
		{
			Name: "chat gpt-4o", SpanContext: sc(0xd1, false), Parent: sc(0xa1, false),
			SpanKind: trace.SpanKindClient, StartTime: start.Add(time.Millisecond), EndTime: start.Add(time.Second),
			Attributes: []attribute.KeyValue{attribute.String("gen_ai.request.model", "gpt-4o")},
			Status:     sdktrace.Status{Code: codes.Ok},
			Resource:   res, InstrumentationScope: scope,
		},
		{
			Name: "execute_tool search", SpanContext: sc(0xe1, false),
			SpanKind: trace.SpanKindInternal, StartTime: start, EndTime: start.Add(time.Millisecond),
			Resource: other, InstrumentationScope: instrumentation.Scope{Name: "tools"},
		},
		{
			Name: "queue", SpanContext: sc(0xf1, false), Parent: sc(0xe1, false),
			SpanKind: trace.SpanKindProducer, StartTime: start, EndTime: start.Add(time.Millisecond),
			Resource: res, InstrumentationScope: instrumentation.Scope{Name: "tools"},
		},
	}
	return stubs.Snapshots()
}

func TestFileExporterGolden(t *testing.T) {
	const golden = "testdata/traces.golden.jsonl"
	path := filepath.Join(t.TempDir(), "traces.jsonl")
	exp, err := NewFileExporter(path)
	require.NoError(t, err)
	spans := goldenSpans()
	require.NoError(t, exp.ExportSpans(t.Context(), spans))
	require.NoError(t, exp.ExportSpans(t.Context(), spans[2:]))
	require.NoError(t, exp.Shutdown(t.Context()))
	got, err := os.ReadFile(path)
	require.NoError(t, err)

	if *update {
		require.NoError(t, os.WriteFile(golden, got, 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "run go test -run TestFileExporterGolden -update to create it")
	assert.Equal(t, string(want), string(got))

	// The golden file itself is a valid OTLP/JSON file holding every span intact.
	lines := readTraceLines(t, golden)
	require.Len(t, lines, 2)
	assert.Equal(t, 2, lines[0].ResourceSpans().Len(), "two resources")
	found := indexSpans(lines[0])
	for _, want := range spans {
		got, ok := found[pcommon.SpanID(want.SpanContext().SpanID())]
		require.True(t, ok, "span %q missing", want.Name())
		t.Run(want.Name(), func(t *testing.T) { assertSpan(t, want, got) })
	}
}

func TestFileExporterFileModes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new", "dir", "traces.jsonl")
	exp, err := NewFileExporter(path)
	require.NoError(t, err)
	info, err := os.Stat(path)
	require.NoError(t, err, "the file exists once the exporter is built")
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	dir, err := os.Stat(filepath.Dir(path))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), dir.Mode().Perm())
	require.NoError(t, exp.ExportSpans(t.Context(), goldenSpans()))
	require.NoError(t, exp.Shutdown(t.Context()))

	// A second exporter appends; it does not truncate.
	exp, err = NewFileExporter(path)
	require.NoError(t, err)
	require.NoError(t, exp.ExportSpans(t.Context(), goldenSpans()))
	require.NoError(t, exp.Shutdown(t.Context()))
	assert.Len(t, readTraceLines(t, path), 2)
	info, err = os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
}

func TestNewFileExporterErrors(t *testing.T) {
	dir := t.TempDir()
	regular := filepath.Join(dir, "regular")
	require.NoError(t, os.WriteFile(regular, nil, 0o600))
	readOnly := filepath.Join(dir, "read-only")
	require.NoError(t, os.Mkdir(readOnly, 0o500))

	tests := []struct {
		name    string
		path    string
		opts    []FileOption
		wantErr string
		skip    string
	}{
		{name: "empty path", path: "", wantErr: "file path is empty"},
		{name: "file under a regular file", path: filepath.Join(regular, "traces.jsonl"), wantErr: filepath.Join(regular, "traces.jsonl")},
		{name: "directory under a regular file", path: filepath.Join(regular, "sub", "traces.jsonl"), wantErr: filepath.Join(regular, "sub", "traces.jsonl")},
		{name: "path is a directory", path: dir, wantErr: dir},
		{name: "device", path: os.DevNull, wantErr: os.DevNull + `" is not a regular file`},
		{name: "read-only directory", path: filepath.Join(readOnly, "traces.jsonl"), wantErr: filepath.Join(readOnly, "traces.jsonl"),
			skip: map[bool]string{true: "root writes to read-only directories"}[os.Geteuid() == 0]},
		{name: "negative size", path: filepath.Join(dir, "a.jsonl"), opts: []FileOption{WithMaxSizeMB(-1)}, wantErr: "max size must not be negative"},
		{name: "negative age", path: filepath.Join(dir, "b.jsonl"), opts: []FileOption{WithMaxAgeDays(-2)}, wantErr: "max age must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.skip != "" {
				t.Skip(tt.skip)
			}
			exp, err := NewFileExporter(tt.path, tt.opts...)
			require.Error(t, err)
			assert.Nil(t, exp)
			assert.Contains(t, err.Error(), tt.wantErr)

			mexp, err := NewMetricFileExporter(tt.path, tt.opts...)
			require.Error(t, err)
			assert.Nil(t, mexp)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestFileExporterShutdown(t *testing.T) {
	path := filepath.Join(t.TempDir(), "traces.jsonl")
	exp, err := NewFileExporter(path)
	require.NoError(t, err)

	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	assert.ErrorIs(t, exp.ExportSpans(cancelled, goldenSpans()), context.Canceled, "ctx checked first")
	assert.ErrorIs(t, exp.ForceFlush(cancelled), context.Canceled)
	assert.ErrorIs(t, exp.Shutdown(cancelled), context.Canceled)
	require.NoError(t, exp.ExportSpans(t.Context(), goldenSpans()), "a cancelled Shutdown does not shut down")
	require.NoError(t, exp.ForceFlush(t.Context()))

	require.NoError(t, exp.Shutdown(t.Context()))
	require.NoError(t, exp.Shutdown(t.Context()), "idempotent")
	assert.ErrorIs(t, exp.ExportSpans(t.Context(), goldenSpans()), ErrExporterShutdown)
	assert.ErrorIs(t, exp.ExportSpans(t.Context(), nil), ErrExporterShutdown)
	assert.Len(t, readTraceLines(t, path), 1)
}

func TestFileExporterSkipsEmptyBatches(t *testing.T) {
	path := filepath.Join(t.TempDir(), "traces.jsonl")
	exp, err := NewFileExporter(path)
	require.NoError(t, err)
	require.NoError(t, exp.ExportSpans(t.Context(), nil))
	require.NoError(t, exp.ExportSpans(t.Context(), []sdktrace.ReadOnlySpan{nil}))
	require.NoError(t, exp.Shutdown(t.Context()))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Empty(t, data)
}

// bigSpans returns n spans carrying an attribute of size bytes each.
func bigSpans(n, size int) []sdktrace.ReadOnlySpan {
	stubs := make(tracetest.SpanStubs, n)
	payload := strings.Repeat("x", size)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range stubs {
		stubs[i] = tracetest.SpanStub{
			Name: fmt.Sprintf("span %d", i),
			SpanContext: trace.NewSpanContext(trace.SpanContextConfig{
				TraceID: trace.TraceID{1, byte(i >> 8), byte(i)},
				SpanID:  trace.SpanID{2, byte(i >> 16), byte(i >> 8), byte(i)},
			}),
			StartTime: start, EndTime: start.Add(time.Second),
			Attributes: []attribute.KeyValue{attribute.String("payload", payload), attribute.Int("i", i)},
		}
	}
	return stubs.Snapshots()
}

// readAllTraceFiles reads every file of dir (gzip included), requiring each line to parse, and
// returns the span names found and the number of files.
func readAllTraceFiles(t *testing.T, dir string) (names map[string]int, files int) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	names = make(map[string]int)
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		info, err := e.Info()
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), path)
		for _, fs := range indexSpans(readTraceLines(t, path)...) {
			names[fs.span.Name()]++
		}
		files++
	}
	return names, files
}

// TestFileExporterRotation writes about 6 MB through a 1 MB limit and checks that no line is
// split: every file, gunzipped backups included, parses line by line, and no span is lost.
func TestFileExporterRotation(t *testing.T) {
	for _, compress := range []bool{false, true} {
		t.Run(fmt.Sprintf("compress=%v", compress), func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "traces.jsonl")
			exp, err := NewFileExporter(path, WithMaxSizeMB(1), WithMaxBackups(100), WithCompress(compress))
			require.NoError(t, err)
			spans := bigSpans(300, 20_000)
			for i := 0; i < len(spans); i += 10 {
				require.NoError(t, exp.ExportSpans(t.Context(), spans[i:i+10]))
			}
			require.NoError(t, exp.Shutdown(t.Context()))
			if compress {
				entries, err := os.ReadDir(dir)
				require.NoError(t, err)
				for _, e := range entries {
					assert.True(t, e.Name() == "traces.jsonl" || strings.HasSuffix(e.Name(), ".gz"), "Shutdown waits for compression: %s", e.Name())
				}
			}
			if compress {
				gz, err := filepath.Glob(filepath.Join(dir, "traces-*.jsonl.gz"))
				require.NoError(t, err)
				assert.NotEmpty(t, gz, "rotated files are gzipped")
			}
			names, files := readAllTraceFiles(t, dir)
			assert.GreaterOrEqual(t, files, 5, "about 6 MB through a 1 MB limit")
			assert.Len(t, names, len(spans), "every span is in some file")
			for name, n := range names {
				assert.Equal(t, 1, n, "span %q written once", name)
			}
		})
	}
}

func TestFileExporterMaxBackups(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "traces.jsonl")
	exp, err := NewFileExporter(path, WithMaxSizeMB(1), WithMaxBackups(2))
	require.NoError(t, err)
	spans := bigSpans(300, 20_000)
	for i := 0; i < len(spans); i += 10 {
		require.NoError(t, exp.ExportSpans(t.Context(), spans[i:i+10]))
	}
	require.NoError(t, exp.Shutdown(t.Context()))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 3, "the current file and two backups, once Shutdown has waited for their removal")
	names, _ := readAllTraceFiles(t, dir)
	assert.Contains(t, names, "span 299", "the newest spans are kept")
}

func TestFileExporterSplitsLargeBatches(t *testing.T) {
	path := filepath.Join(t.TempDir(), "traces.jsonl")
	exp, err := NewFileExporter(path, WithMaxSizeMB(1))
	require.NoError(t, err)
	spans := bigSpans(100, 30_000) // about 3 MB in one batch
	require.NoError(t, exp.ExportSpans(t.Context(), spans))

	err = exp.ExportSpans(t.Context(), bigSpans(1, 2<<20))
	require.Error(t, err, "one span larger than the file limit")
	assert.Contains(t, err.Error(), path)
	require.NoError(t, exp.Shutdown(t.Context()))

	names, files := readAllTraceFiles(t, filepath.Dir(path))
	assert.Len(t, names, len(spans))
	assert.GreaterOrEqual(t, files, 3)
}

func TestFileExporterTerminatesCutShortLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "traces.jsonl")
	require.NoError(t, os.WriteFile(path, []byte(`{"resourceSpans":[{"resou`), 0o600))
	exp, err := NewFileExporter(path)
	require.NoError(t, err)
	require.NoError(t, exp.ExportSpans(t.Context(), goldenSpans()))
	require.NoError(t, exp.Shutdown(t.Context()))

	data, err := os.ReadFile(path)
	require.NoError(t, err)
	lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	require.Len(t, lines, 2, "the cut-short line stays a line of its own")
	assert.Equal(t, `{"resourceSpans":[{"resou`, string(lines[0]))
	var u ptrace.JSONUnmarshaler
	td, err := u.UnmarshalTraces(lines[1])
	require.NoError(t, err)
	assert.Equal(t, len(goldenSpans()), td.SpanCount())
}

func TestFileExporterWithBatcher(t *testing.T) {
	path := filepath.Join(t.TempDir(), "traces.jsonl")
	exp, err := NewFileExporter(path)
	require.NoError(t, err)
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp))
	tracer := tp.Tracer("batch")
	for i := range 50 {
		_, span := tracer.Start(t.Context(), fmt.Sprintf("span %d", i))
		span.End()
	}
	require.NoError(t, tp.Shutdown(t.Context()), "flushes and shuts the exporter down")
	assert.ErrorIs(t, exp.ExportSpans(t.Context(), goldenSpans()), ErrExporterShutdown)

	total := 0
	for _, td := range readTraceLines(t, path) {
		total += td.SpanCount()
	}
	assert.Equal(t, 50, total)
}

func TestFileExporterConcurrentSafe(t *testing.T) {
	path := filepath.Join(t.TempDir(), "traces.jsonl")
	exp, err := NewFileExporter(path)
	require.NoError(t, err)
	spans := goldenSpans()
	const goroutines, exports = 8, 50
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range exports {
				assert.NoError(t, exp.ExportSpans(t.Context(), spans))
				assert.NoError(t, exp.ForceFlush(t.Context()))
			}
		})
	}
	wg.Wait()
	require.NoError(t, exp.Shutdown(t.Context()))
	lines := readTraceLines(t, path)
	require.Len(t, lines, goroutines*exports, "no line lost or interleaved")
	for _, td := range lines {
		assert.Equal(t, len(spans), td.SpanCount())
	}
}

func TestSpanFlags(t *testing.T) {
	tests := []struct {
		name   string
		flags  trace.TraceFlags
		remote bool
		want   uint32
	}{
		{name: "local unsampled", want: 0x100},
		{name: "local sampled", flags: trace.FlagsSampled, want: 0x101},
		{name: "remote sampled", flags: trace.FlagsSampled, remote: true, want: 0x301},
		{name: "remote unsampled", remote: true, want: 0x300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := trace.NewSpanContext(trace.SpanContextConfig{Remote: tt.remote})
			assert.Equal(t, tt.want, spanFlags(tt.flags, sc))
		})
	}
}

func TestTimestamp(t *testing.T) {
	assert.Equal(t, pcommon.Timestamp(0), pdataTimestamp(time.Time{}), "zero time is unset")
	assert.Equal(t, pcommon.Timestamp(0), pdataTimestamp(time.Unix(-5, 0)), "before 1970 is unset")
	now := time.Unix(1_700_000_000, 123)
	assert.Equal(t, pcommon.Timestamp(now.UnixNano()), pdataTimestamp(now))
}

func BenchmarkFileExporter(b *testing.B) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	tracer := tp.Tracer("bench")
	for i := range 100 {
		_, span := tracer.Start(context.Background(), "invoke_agent planner",
			trace.WithAttributes(allTypeAttributes...), trace.WithAttributes(attribute.Int("i", i)))
		span.AddEvent("retry", trace.WithAttributes(attribute.Int("attempt", 1)))
		span.End()
	}
	spans := rec.Ended()
	require.NoError(b, tp.Shutdown(context.Background()))

	b.Run("FileExporter", func(b *testing.B) {
		exp, err := NewFileExporter(filepath.Join(b.TempDir(), "traces.jsonl"))
		require.NoError(b, err)
		b.ReportAllocs()
		for b.Loop() {
			if err := exp.ExportSpans(context.Background(), spans); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		require.NoError(b, exp.Shutdown(context.Background()))
	})
	// The SDK's own file-capable exporter (its JSON is not OTLP/JSON), for comparison.
	b.Run("stdouttrace", func(b *testing.B) {
		f, err := os.OpenFile(filepath.Join(b.TempDir(), "traces.json"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		require.NoError(b, err)
		defer f.Close()
		exp, err := stdouttrace.New(stdouttrace.WithWriter(f))
		require.NoError(b, err)
		b.ReportAllocs()
		for b.Loop() {
			if err := exp.ExportSpans(context.Background(), spans); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		require.NoError(b, exp.Shutdown(context.Background()))
	})
	// Without the file: pdata conversion and encoding alone.
	b.Run("EncodeOnly", func(b *testing.B) {
		var m ptrace.JSONMarshaler
		b.ReportAllocs()
		for b.Loop() {
			if _, err := m.MarshalTraces(spansToTraces(spans)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestSpanKind(t *testing.T) {
	tests := []struct {
		in   trace.SpanKind
		want ptrace.SpanKind
	}{
		{trace.SpanKindUnspecified, ptrace.SpanKindUnspecified},
		{trace.SpanKindInternal, ptrace.SpanKindInternal},
		{trace.SpanKindServer, ptrace.SpanKindServer},
		{trace.SpanKindClient, ptrace.SpanKindClient},
		{trace.SpanKindProducer, ptrace.SpanKindProducer},
		{trace.SpanKindConsumer, ptrace.SpanKindConsumer},
		{trace.SpanKind(42), ptrace.SpanKindUnspecified},
	}
	for _, tt := range tests {
		t.Run(tt.in.String(), func(t *testing.T) {
			assert.Equal(t, tt.want, pdataSpanKind(tt.in))
		})
	}
}
