package awsjson

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/kmserr"
)

// bodyOfSize is a valid input of exactly n bytes.
func bodyOfSize(n int) string {
	const head, tail = `{"KeyId":"`, `"}`
	return head + strings.Repeat("k", n-len(head)-len(tail)) + tail
}

func TestBodyLimit(t *testing.T) {
	f := newFixture(t, nil)
	srv := f.server(t)
	post := func(body io.Reader) *http.Response {
		t.Helper()
		r, _ := http.NewRequest(http.MethodPost, srv.URL, body)
		r.Header.Set("Content-Type", "application/x-amz-json-1.1")
		r.Header.Set("X-Amz-Target", "TrentService.Encrypt")
		r.Header.Set("Authorization", validAuth)
		resp, err := srv.Client().Do(r)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	const msg = "larger than the limit of 1048576 bytes"
	checkResponse(t, post(strings.NewReader(bodyOfSize(DefaultMaxBodyBytes))), 200, "", "")
	// With a Content-Length the body is refused before it is read.
	checkResponse(t, post(strings.NewReader(bodyOfSize(DefaultMaxBodyBytes+1))), 413, kmserr.CodeRequestEntityTooLarge, msg)
	// Chunked (no Content-Length): refused by the MaxBytesReader.
	checkResponse(t, post(io.MultiReader(strings.NewReader(bodyOfSize(DefaultMaxBodyBytes+1)))), 413, kmserr.CodeRequestEntityTooLarge, msg)
	checkResponse(t, post(io.MultiReader(strings.NewReader(bodyOfSize(DefaultMaxBodyBytes)))), 200, "", "")
	if n := len(f.audit.all()); n != 4 {
		t.Errorf("%d audit records, want 4 (the caller is known before the body is read)", n)
	}
}

func TestConfiguredBodyLimit(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.MaxBodyBytes = 64 })
	if w := f.serve(newRequest("Encrypt", bodyOfSize(64))); w.Code != 200 {
		t.Errorf("64-byte body: status %d", w.Code)
	}
	w := f.serve(newRequest("Encrypt", bodyOfSize(65)))
	checkResponse(t, w.Result(), 413, kmserr.CodeRequestEntityTooLarge, "limit of 64 bytes")
}

func TestAuditFailureFailsClosed(t *testing.T) {
	f := newFixture(t, nil)
	f.audit.fail.Store(true)
	for _, op := range []string{"GenerateRandom", "DescribeKey"} {
		w := f.serve(newRequest(op, `{"NumberOfBytes":8}`))
		checkResponse(t, w.Result(), 500, kmserr.CodeInternal, internalText)
	}
	if n := len(f.audit.all()); n != 2 {
		t.Errorf("audit called %d times, want 2", n)
	}
	logs := f.logs.String()
	if !strings.Contains(logs, "audit disk full") || !strings.Contains(logs, `"request_id":"req-1"`) || !strings.Contains(logs, "operation outcome: NotFoundException") {
		t.Errorf("audit failure not logged with request ID and outcome:\n%s", logs)
	}
}

func TestFaultsLoggedNeverSent(t *testing.T) {
	f := newFixture(t, nil)
	checkResponse(t, f.serve(newRequest("CreateKey", `{}`)).Result(), 500, kmserr.CodeInternal, internalText)
	checkResponse(t, f.serve(newRequest("DisableKey", `{}`)).Result(), 500, kmserr.CodeInternal, internalText)

	faults := logLines(t, f.logs.String(), "request failed with a server fault")
	if len(faults) != 2 {
		t.Fatalf("%d fault lines, want 2", len(faults))
	}
	panicLine, errLine := faults[0], faults[1]
	if panicLine["level"] != "ERROR" || panicLine["request_id"] != "req-1" || panicLine["operation"] != "CreateKey" ||
		!strings.Contains(panicLine["cause"].(string), secretCause) || !strings.Contains(panicLine["stack"].(string), "fixture_test.go") {
		t.Errorf("panic line = %v", panicLine)
	}
	if errLine["request_id"] != "req-2" || !strings.Contains(errLine["cause"].(string), secretCause) {
		t.Errorf("error line = %v", errLine)
	}
	// The panic was audited with the decoded input.
	if recs := f.audit.all(); len(recs) != 2 || recs[0].Input == nil {
		t.Errorf("records = %+v", recs)
	}
}

func TestRequestLogLine(t *testing.T) {
	var f *fixture
	f = newFixture(t, func(c *Config) {
		c.NewRequestID = func() string { return "req-x" }
		c.Operations = []Operation{Op("ListKeys", func(ctx context.Context, _ *keyIDInput) (*emptyOutput, error) {
			// The duration comes from the injected clock: move it during
			// the call.
			f.clock.Advance(1500 * time.Millisecond)
			return nil, nil
		}, ReadOnly())}
	})
	f.serve(newRequest("ListKeys", `{"KeyId":"secret-looking-input"}`))
	r := newRequest("ListKeys", `{}`)
	r.Header.Del("Authorization")
	f.serve(r)

	lines := logLines(t, f.logs.String(), "request")
	if len(lines) != 2 {
		t.Fatalf("%d request lines, want 2:\n%s", len(lines), f.logs.String())
	}
	ok, denied := lines[0], lines[1]
	if ok["level"] != "DEBUG" || ok["request_id"] != "req-x" || ok["operation"] != "ListKeys" || ok["status"] != 200.0 ||
		ok["error_code"] != "" || ok["duration_seconds"] != 1.5 {
		t.Errorf("success line = %v", ok)
	}
	if denied["status"] != 400.0 || denied["error_code"] != kmserr.CodeMissingAuthenticationToken {
		t.Errorf("denied line = %v", denied)
	}
	if strings.Contains(f.logs.String(), "secret-looking-input") {
		t.Error("request body reached the log")
	}
}

func TestIdentityErrors(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		c.Identity = resolverFunc(func(string) (identity.Credential, bool) { return identity.Credential{}, false })
	})
	checkResponse(t, f.serve(newRequest("GenerateRandom", `{}`)).Result(), 400, kmserr.CodeUnrecognizedClient,
		"The security token included in the request is invalid.")
	if n := len(f.audit.all()); n != 0 {
		t.Errorf("%d audit records of an unknown caller, want 0", n)
	}
}

func TestUnexpectedFailures(t *testing.T) {
	var nilErr *kmserr.Error
	ops := []Operation{
		Op("TypedNil", func(context.Context, *keyIDInput) (*emptyOutput, error) { return nil, nilErr }),
		Op("Unencodable", func(context.Context, *keyIDInput) (*struct{ F float64 }, error) {
			return &struct{ F float64 }{math.NaN()}, nil
		}),
		Op("Statusless", func(context.Context, *keyIDInput) (*emptyOutput, error) {
			return nil, &kmserr.Error{Code: "OddException", Message: "odd"}
		}),
	}
	f := newFixture(t, func(c *Config) { c.Operations = ops })
	checkResponse(t, f.serve(newRequest("TypedNil", `{}`)).Result(), 500, kmserr.CodeInternal, internalText)
	checkResponse(t, f.serve(newRequest("Unencodable", `{}`)).Result(), 500, kmserr.CodeInternal, internalText)
	checkResponse(t, f.serve(newRequest("Statusless", `{}`)).Result(), 500, "OddException", "odd")
	recs := f.audit.all()
	if e, ok := kmserr.As(recs[1].Err); len(recs) != 3 || !ok || e.Code != kmserr.CodeInternal || recs[1].Output != nil {
		t.Errorf("an output that cannot be encoded must be audited as a failure: %+v", recs)
	}

	// A panic outside the operation (here in the audit callback) is still
	// answered with a well-formed 500.
	f = newFixture(t, func(c *Config) {
		c.Audit = func(context.Context, Completed) error { panic("audit exploded") }
	})
	checkResponse(t, f.serve(newRequest("EnableKey", `{}`)).Result(), 500, kmserr.CodeInternal, internalText)
	if !strings.Contains(f.logs.String(), "audit exploded") {
		t.Error("panic in the audit callback not logged")
	}
}

func TestDefaultRequestID(t *testing.T) {
	uuid4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	f := newFixture(t, func(c *Config) { c.NewRequestID = nil })
	seen := map[string]bool{}
	for i := 0; i < 50; i++ {
		id := f.serve(newRequest("NoSuchOp", `{}`)).Header().Get("x-amzn-RequestId")
		if !uuid4.MatchString(id) || seen[id] {
			t.Fatalf("request ID %q is not a fresh UUIDv4", id)
		}
		seen[id] = true
	}
}

func TestNewHandlerRejectsBadConfig(t *testing.T) {
	base := func() Config {
		return Config{Identity: identity.Dev{}, Clock: newFixture(t, nil).clock, Operations: testOps()}
	}
	for name, mod := range map[string]func(*Config){
		"no identity":   func(c *Config) { c.Identity = nil },
		"no clock":      func(c *Config) { c.Clock = nil },
		"duplicate op":  func(c *Config) { c.Operations = append(c.Operations, c.Operations[0]) },
		"hand-built op": func(c *Config) { c.Operations = append(c.Operations, Operation{Name: "X"}) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("NewHandler accepted the configuration")
				}
			}()
			c := base()
			mod(&c)
			NewHandler(c)
		})
	}
}

type resolverFunc func(string) (identity.Credential, bool)

func (f resolverFunc) Lookup(key string) (identity.Credential, bool) { return f(key) }

// logLines returns the JSON log lines with the given message.
func logLines(t *testing.T, logs, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}

func TestSourceIP(t *testing.T) {
	for addr, want := range map[string]string{
		"192.0.2.1:1234": "192.0.2.1",
		"[::1]:443":      "::1",
		"@":              "@", // a Unix socket peer has no host:port
	} {
		r := newRequest("GenerateRandom", `{}`)
		r.RemoteAddr = addr
		if got := sourceIP(r); got != want {
			t.Errorf("sourceIP(%q) = %q, want %q", addr, got, want)
		}
	}
}
