package awsjson

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/request"
)

// Wire structs of the test operations, written the way the service's own
// are: model member names, pointers for optional scalars.
type generateRandomInput struct {
	NumberOfBytes    *int32  `json:"NumberOfBytes,omitempty"`
	CustomKeyStoreId *string `json:"CustomKeyStoreId,omitempty"`
}

type generateRandomOutput struct {
	Plaintext []byte `json:"Plaintext,omitempty"`
}

type keyIDInput struct {
	KeyId       *string  `json:"KeyId,omitempty"`
	GrantTokens []string `json:"GrantTokens,omitempty"`
}

type encryptInput struct {
	KeyId             *string           `json:"KeyId,omitempty"`
	Plaintext         []byte            `json:"Plaintext,omitempty"`
	EncryptionContext map[string]string `json:"EncryptionContext,omitempty"`
	GrantTokens       []string          `json:"GrantTokens,omitempty"`
	Constraints       *struct {
		EncryptionContextSubset map[string]string `json:"EncryptionContextSubset,omitempty"`
	} `json:"Constraints,omitempty"`
}

type encryptOutput struct {
	KeyId          *string `json:"KeyId,omitempty"`
	CiphertextBlob []byte  `json:"CiphertextBlob,omitempty"`
}

type emptyOutput struct{}

const (
	testKeyARN   = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	testAccount  = "111122223333"
	testStart    = "2026-11-03T12:00:00Z"
	validAuth    = "AWS4-HMAC-SHA256 Credential=test/20261103/us-east-1/kms/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024"
	internalText = "An internal error occurred. Retry the request."
	// secretCause is in errors and panics the test operations produce; it
	// must reach the log and never the client.
	secretCause = "cause-with-/var/lib/trent/secret-path"
)

// testOps is the small operation table of these tests.
func testOps() []Operation {
	return []Operation{
		Op("GenerateRandom", generateRandom, ReadOnly()),
		Op("DescribeKey", func(ctx context.Context, in *keyIDInput) (*emptyOutput, error) {
			audit.DetailsFrom(ctx).AddKey(testKeyARN, testAccount)
			return nil, kmserr.NotFound("Key '%s' does not exist", testKeyARN)
		}, ReadOnly()),
		Op("EnableKey", func(ctx context.Context, in *keyIDInput) (*emptyOutput, error) {
			return nil, nil // no output: sent as {}
		}),
		Op("Encrypt", func(ctx context.Context, in *encryptInput) (*encryptOutput, error) {
			for k, v := range in.EncryptionContext {
				audit.DetailsFrom(ctx).SetAdditional("ec:"+k, v)
			}
			return &encryptOutput{KeyId: in.KeyId, CiphertextBlob: append([]byte("ct:"), in.Plaintext...)}, nil
		}, ReadOnly()),
		Op("CreateKey", func(ctx context.Context, in *keyIDInput) (*emptyOutput, error) {
			panic(secretCause)
		}),
		Op("DisableKey", func(ctx context.Context, in *keyIDInput) (*emptyOutput, error) {
			return nil, errors.New(secretCause)
		}),
	}
}

// generateRandom returns 0,1,2,... so tests can check the bytes, and
// insists on the request facts the wire must put in the context.
func generateRandom(ctx context.Context, in *generateRandomInput) (*generateRandomOutput, error) {
	info := request.FromContext(ctx)
	if info == nil || info.Region == "" || info.Caller.Account == "" || info.Operation != "GenerateRandom" {
		return nil, fmt.Errorf("request info missing from context: %+v", info)
	}
	if in.NumberOfBytes == nil {
		return nil, kmserr.Validation("Please specify either number of bytes or key spec.")
	}
	n := int(*in.NumberOfBytes)
	if n < 1 || n > 1024 {
		return nil, kmserr.Validation("1 validation error detected: Value '%d' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024", n)
	}
	audit.DetailsFrom(ctx).SetAdditional("numberOfBytes", n)
	out := make([]byte, n)
	for i := range out {
		out[i] = byte(i)
	}
	return &generateRandomOutput{Plaintext: out}, nil
}

// auditLog records Completed values; fail makes the next calls fail.
type auditLog struct {
	mu      sync.Mutex
	records []Completed
	fail    atomic.Bool
}

func (a *auditLog) record(_ context.Context, c Completed) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.records = append(a.records, c)
	if a.fail.Load() {
		return errors.New("audit disk full " + secretCause)
	}
	return nil
}

func (a *auditLog) all() []Completed {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]Completed(nil), a.records...)
}

// syncBuffer is a log sink the server goroutines may write concurrently.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fixture is a handler with its audit log, log sink and clock.
type fixture struct {
	handler http.Handler
	audit   *auditLog
	logs    *syncBuffer
	clock   *clock.Manual
	ids     atomic.Int64
}

func newFixture(t testing.TB, mod func(*Config)) *fixture {
	t.Helper()
	start, _ := time.Parse(time.RFC3339, testStart)
	f := &fixture{audit: &auditLog{}, logs: &syncBuffer{}, clock: clock.NewManual(start)}
	cfg := Config{
		Operations: testOps(),
		Identity:   identity.Dev{DefaultAccount: testAccount},
		Clock:      f.clock,
		Logger:     slog.New(slog.NewJSONHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Audit:      f.audit.record,
		NewRequestID: func() string {
			return fmt.Sprintf("req-%d", f.ids.Add(1))
		},
	}
	if mod != nil {
		mod(&cfg)
	}
	f.handler = NewHandler(cfg)
	return f
}

// server starts f's handler on a real listener.
func (f *fixture) server(t testing.TB) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(f.handler)
	t.Cleanup(srv.Close)
	return srv
}

// newRequest builds a well-formed request for op; tests then break it.
func newRequest(op, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", "TrentService."+op)
	r.Header.Set("Authorization", validAuth)
	r.Header.Set("User-Agent", "aws-cli/2.0 test")
	return r
}

// serve runs r through the handler directly, so logs are complete when it
// returns.
func (f *fixture) serve(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	f.handler.ServeHTTP(w, r)
	return w
}
