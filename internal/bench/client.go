package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// maxResponseBytes bounds how much of a response is read: KMS responses are
// a few KiB at most (a 4 KiB plaintext is 5.5 KiB of base64).
const maxResponseBytes = 1 << 20

// Caller sends SigV4-signed KMS JSON requests to one endpoint. It is safe
// for concurrent use: all clients share its transport (one connection pool)
// and signer.
type Caller struct {
	endpoint string
	region   string
	creds    aws.Credentials
	signer   *v4.Signer
	http     *http.Client
	now      func() time.Time
}

// Target is the operation's X-Amz-Target value.
func Target(op string) string { return "TrentService." + op }

// NewCaller returns a caller for endpoint (http://host:port). The transport
// keeps at least maxClients idle connections to the host, since Go's
// default of 2 would make most concurrent requests dial a new connection
// and the benchmark would measure TCP setup. Proxies from the environment
// are ignored: the generator talks to the endpoint it is given, directly.
func NewCaller(endpoint, region string, creds aws.Credentials, maxClients int, timeout time.Duration, now func() time.Time) *Caller {
	conns := max(maxClients, 2)
	tr := &http.Transport{
		Proxy:               nil,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}
	return &Caller{
		endpoint: strings.TrimSuffix(endpoint, "/") + "/",
		region:   region,
		creds:    creds,
		signer:   v4.NewSigner(),
		http:     &http.Client{Transport: tr, Timeout: timeout},
		now:      now,
	}
}

// Close drops the idle connections.
func (c *Caller) Close() { c.http.CloseIdleConnections() }

// request is one operation's prepared body: the same bytes are sent (and
// their hash signed) on every call, as a client sending the same payload
// would.
type request struct {
	target      string
	body        []byte
	payloadHash string
}

func newRequest(op string, input any) (request, error) {
	body, err := json.Marshal(input)
	if err != nil {
		return request{}, err
	}
	sum := sha256.Sum256(body)
	return request{target: Target(op), body: body, payloadHash: hex.EncodeToString(sum[:])}, nil
}

// APIError is an error answer of the endpoint: the code from __type (or
// HTTP_<status> when the body has none) and the message.
type APIError struct {
	Status  int
	Code    string
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s (HTTP %d): %s", e.Code, e.Status, e.Message)
}

// TransportErrorCode is the error code counted for a request that got no
// HTTP response (connection refused, reset, timeout).
const TransportErrorCode = "TransportError"

// ErrorCode is the code an error is counted under.
func ErrorCode(err error) string {
	if ae, ok := errors.AsType[*APIError](err); ok {
		return ae.Code
	}
	return TransportErrorCode
}

// newHTTPRequest builds and signs the request.
func (c *Caller) newHTTPRequest(ctx context.Context, r request) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(r.body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", r.target)
	if err := c.signer.SignHTTP(ctx, c.creds, req, r.payloadHash, "kms", c.region, c.now()); err != nil {
		return nil, err
	}
	return req, nil
}

// do sends r and returns the response body of a 200, or an *APIError, or
// the transport's error.
func (c *Caller) do(ctx context.Context, r request) ([]byte, error) {
	req, err := c.newHTTPRequest(ctx, r)
	if err != nil {
		return nil, err
	}
	return c.send(req)
}

func (c *Caller) send(req *http.Request) ([]byte, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusOK {
		return body, nil
	}
	return nil, parseError(resp.StatusCode, body)
}

// parseError reads the JSON error body ({"__type": ..., "message": ...});
// __type may carry a namespace ("com.amazon.coral...#Code") which is cut.
func parseError(status int, body []byte) *APIError {
	var e struct {
		Type     string `json:"__type"`
		Message  string `json:"message"`
		MessageU string `json:"Message"`
	}
	ae := &APIError{Status: status, Code: fmt.Sprintf("HTTP_%d", status)}
	if json.Unmarshal(body, &e) != nil || e.Type == "" {
		ae.Message = truncate(string(body), 200)
		return ae
	}
	if i := strings.LastIndexByte(e.Type, '#'); i >= 0 {
		e.Type = e.Type[i+1:]
	}
	ae.Code, ae.Message = e.Type, e.Message
	if ae.Message == "" {
		ae.Message = e.MessageU
	}
	return ae
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// Call sends one operation with input (any JSON-marshalable value) and
// decodes the answer into out (nil to discard it). Setup and tests use it.
func (c *Caller) Call(ctx context.Context, op string, input, out any) error {
	r, err := newRequest(op, input)
	if err != nil {
		return err
	}
	body, err := c.do(ctx, r)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%s: decode response: %w", op, err)
	}
	return nil
}
