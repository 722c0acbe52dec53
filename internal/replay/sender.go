package replay

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/agenttrace/otelagent/internal/otlpenv"
)

// sender delivers one request. rejected counts spans the receiver refused in a partial
// success; retryable says whether err may pass on a later try.
type sender interface {
	send(ctx context.Context, req ptraceotlp.ExportRequest) (rejected int64, retryable bool, err error)
	close() error
}

func newSender(c Config) (sender, error) {
	if c.Protocol == ProtocolHTTPProtobuf {
		return newHTTPSender(c)
	}
	return newGRPCSender(c)
}

type grpcSender struct {
	conn   *grpc.ClientConn
	client ptraceotlp.GRPCClient
	md     metadata.MD
}

func newGRPCSender(c Config) (*grpcSender, error) {
	ep, err := c.endpoint(defaultGRPCEndpoint)
	if err != nil {
		// A user:password@ would reach resolver errors; gRPC credentials go in headers.
		return nil, fmt.Errorf("replay: endpoint %s %w (credentials go in headers)", redactEndpoint(c.Endpoint), err)
	}
	target, secure := ep.Host, !c.Insecure
	switch ep.Scheme {
	case "http":
		secure = false
	case "https":
		secure = true
	}
	creds := insecure.NewCredentials()
	if secure {
		tc, err := tlsConfig(c)
		if err != nil {
			return nil, err
		}
		creds = credentials.NewTLS(tc)
	}
	conn, err := grpc.NewClient(target, grpc.WithTransportCredentials(creds))
	if err != nil {
		return nil, fmt.Errorf("replay: endpoint %s: %w", redactEndpoint(target), err)
	}
	return &grpcSender{conn: conn, client: ptraceotlp.NewGRPCClient(conn), md: metadata.New(c.Headers)}, nil
}

func (s *grpcSender) send(ctx context.Context, req ptraceotlp.ExportRequest) (int64, bool, error) {
	if len(s.md) > 0 {
		ctx = metadata.NewOutgoingContext(ctx, s.md)
	}
	resp, err := s.client.Export(ctx, req)
	if err != nil {
		switch status.Code(err) {
		case codes.DeadlineExceeded, codes.Aborted, codes.OutOfRange, codes.Unavailable,
			codes.DataLoss, codes.ResourceExhausted:
			return 0, true, err
		}
		return 0, false, err
	}
	return partial(resp)
}

func (s *grpcSender) close() error { return s.conn.Close() }

// partial turns a partial success into rejected spans and an error.
func partial(resp ptraceotlp.ExportResponse) (int64, bool, error) {
	ps := resp.PartialSuccess()
	if n := ps.RejectedSpans(); n > 0 {
		return n, false, fmt.Errorf("receiver rejected %d spans: %s", n, ps.ErrorMessage())
	}
	return 0, false, nil
}

type httpSender struct {
	url      string
	redacted string // url for messages
	client   *http.Client
	headers  map[string]string
}

func newHTTPSender(c Config) (*httpSender, error) {
	ep, err := c.endpoint(defaultHTTPEndpoint)
	if err != nil {
		return nil, fmt.Errorf("replay: endpoint %s %w", redactEndpoint(c.Endpoint), err)
	}
	u, err := url.Parse(ep.SignalURL(otlpenv.TracesPath, c.Insecure))
	if err != nil {
		return nil, fmt.Errorf("replay: endpoint %s is not a valid URL", redactEndpoint(c.Endpoint))
	}
	tc, err := tlsConfig(c)
	if err != nil {
		return nil, err
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = tc
	transport.MaxIdleConnsPerHost = max(c.Concurrency, transport.MaxIdleConnsPerHost) // one kept per sender
	return &httpSender{url: u.String(), redacted: redactURL(u), client: &http.Client{Transport: transport}, headers: c.Headers}, nil
}

// tlsConfig trusts c.CertificateFile's authorities, or the system's when it is empty.
func tlsConfig(c Config) (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.CertificateFile == "" {
		return tc, nil
	}
	pem, err := os.ReadFile(c.CertificateFile)
	if err != nil {
		return nil, fmt.Errorf("replay: certificate: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("replay: certificate %s: no PEM certificate in it", c.CertificateFile)
	}
	tc.RootCAs = pool
	return tc, nil
}

func (s *httpSender) send(ctx context.Context, req ptraceotlp.ExportRequest) (int64, bool, error) {
	body, err := req.MarshalProto()
	if err != nil {
		return 0, false, err
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return 0, false, fmt.Errorf("%q: cannot make the request", s.redacted)
	}
	hr.Header.Set("Content-Type", "application/x-protobuf")
	for k, v := range s.headers {
		hr.Header.Set(k, v)
	}
	resp, err := s.client.Do(hr)
	if err != nil {
		// The client strips the password but keeps the query, which may hold a key.
		if ue, ok := err.(*url.Error); ok {
			ue.URL = s.redacted
		}
		return 0, ctx.Err() == nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, true, err
	}
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		out := ptraceotlp.NewExportResponse()
		if len(data) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/x-protobuf") {
			if err := out.UnmarshalProto(data); err != nil {
				return 0, false, fmt.Errorf("bad response: %w", err)
			}
		}
		return partial(out)
	case resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode == http.StatusBadGateway,
		resp.StatusCode == http.StatusServiceUnavailable, resp.StatusCode == http.StatusGatewayTimeout:
		return 0, true, fmt.Errorf("%q: %s", s.redacted, resp.Status)
	default:
		return 0, false, fmt.Errorf("%q: %s", s.redacted, resp.Status)
	}
}

func (s *httpSender) close() error {
	s.client.CloseIdleConnections()
	return nil
}

// redactEndpoint returns an endpoint fit for messages: a URL's password and query values
// replaced by "xxxxx"; a value that is no URL is not shown at all, since it may be a secret
// pasted in the wrong place.
func redactEndpoint(s string) string {
	if !strings.Contains(s, "://") {
		if u, err := url.Parse("//" + s); err == nil && u.User == nil && u.RawQuery == "" && u.Path == "" {
			return strconv.Quote(s) // host:port
		}
		return "(not shown: not a URL)"
	}
	u, err := url.Parse(s)
	if err != nil {
		return "(not shown: not a URL)"
	}
	return strconv.Quote(redactURL(u))
}

// redactURL returns u with its password and query values replaced by "xxxxx".
func redactURL(u *url.URL) string {
	r := *u
	if r.RawQuery != "" {
		q := r.Query()
		for k := range q {
			q[k] = []string{"xxxxx"}
		}
		r.RawQuery = q.Encode()
	}
	r.Fragment, r.RawFragment = "", ""
	return r.Redacted()
}
