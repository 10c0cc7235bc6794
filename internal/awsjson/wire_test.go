package awsjson

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/kmserr"
)

// wireCase is one request sent over a real connection and what must come
// back.
type wireCase struct {
	name    string
	op      string // X-Amz-Target operation; "" to leave the header out
	body    string
	modify  func(*http.Request)
	status  int
	code    string // "" for success
	message string // substring of the error message
	audited bool   // exactly one audit record, else none
}

func setHeader(name, value string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set(name, value) }
}

func TestWireErrors(t *testing.T) {
	nested := func(depth int) string {
		// The top-level object is depth 1.
		return `{"KeyId":"k","Constraints":` + strings.Repeat(`{"a":`, depth-1) + `1` + strings.Repeat("}", depth)
	}
	cases := []wireCase{
		{name: "success", op: "GenerateRandom", body: `{"NumberOfBytes":4}`, status: 200, audited: true},
		{name: "empty request body is {}", op: "EnableKey", body: "", status: 200, audited: true},
		{name: "missing authorization", op: "GenerateRandom", body: `{}`, modify: func(r *http.Request) { r.Header.Del("Authorization") },
			status: 400, code: kmserr.CodeMissingAuthenticationToken, message: "Missing Authentication Token"},
		{name: "malformed authorization", op: "GenerateRandom", body: `{}`, modify: setHeader("Authorization", "AWS4-HMAC-SHA256 Credential=test/20261103/us-east-1/kms/aws4_request"),
			status: 400, code: kmserr.CodeIncompleteSignature, message: "Authorization header requires 'Signature' parameter."},
		{name: "two authorization headers", op: "GenerateRandom", body: `{}`, modify: func(r *http.Request) { r.Header.Add("Authorization", validAuth) },
			status: 400, code: kmserr.CodeIncompleteSignature, message: "exactly one Authorization header"},
		{name: "wrong service in scope", op: "GenerateRandom", body: `{}`, modify: setHeader("Authorization", strings.Replace(validAuth, "/kms/", "/s3/", 1)),
			status: 400, code: kmserr.CodeInvalidSignature, message: "Credential should be scoped to correct service: 'kms'. "},
		{name: "GET", op: "GenerateRandom", modify: func(r *http.Request) { r.Method = http.MethodGet },
			status: 400, code: kmserr.CodeUnknownOperation, message: "POST requests to the path /"},
		{name: "other path", op: "GenerateRandom", body: `{}`, modify: func(r *http.Request) { r.URL.Path = "/v1/keys" },
			status: 400, code: kmserr.CodeUnknownOperation, message: "POST requests to the path /"},
		{name: "content type json", op: "GenerateRandom", body: `{}`, modify: setHeader("Content-Type", "application/json"),
			status: 400, code: kmserr.CodeUnknownOperation, message: "Content-Type must be application/x-amz-json-1.1"},
		{name: "content type missing", op: "GenerateRandom", body: `{}`, modify: func(r *http.Request) { r.Header.Del("Content-Type") },
			status: 400, code: kmserr.CodeUnknownOperation, message: "Content-Type must be"},
		{name: "content type latin1", op: "GenerateRandom", body: `{}`, modify: setHeader("Content-Type", "application/x-amz-json-1.1; charset=iso-8859-1"),
			status: 400, code: kmserr.CodeUnknownOperation, message: "charset=utf-8"},
		{name: "content type utf-8 charset", op: "GenerateRandom", body: `{"NumberOfBytes":1}`, modify: setHeader("Content-Type", "application/x-amz-json-1.1; charset=UTF-8"),
			status: 200, audited: true},
		{name: "content type json 1.0", op: "GenerateRandom", body: `{"NumberOfBytes":1}`, modify: setHeader("Content-Type", "Application/X-Amz-Json-1.0"),
			status: 200, audited: true},
		{name: "no target", op: "", body: `{}`, status: 400, code: kmserr.CodeUnknownOperation, message: "X-Amz-Target"},
		{name: "unknown target", op: "ConjureKey", body: `{}`, status: 400, code: kmserr.CodeUnknownOperation, message: "does not support"},
		{name: "other service target", body: `{}`, modify: setHeader("X-Amz-Target", "DynamoDB_20120810.ListTables"),
			status: 400, code: kmserr.CodeUnknownOperation, message: "TrentService.<Operation>"},
		{name: "target case", body: `{}`, modify: setHeader("X-Amz-Target", "TrentService.generaterandom"),
			status: 400, code: kmserr.CodeUnknownOperation, message: "does not support"},
		{name: "invalid utf-8", op: "Encrypt", body: "{\"EncryptionContext\":{\"a\":\"\xff\"}}",
			status: 400, code: kmserr.CodeSerialization, message: "not valid UTF-8", audited: true},
		{name: "lone surrogate", op: "Encrypt", body: `{"EncryptionContext":{"a":"\ud800"}}`,
			status: 400, code: kmserr.CodeSerialization, message: "unpaired UTF-16 surrogate", audited: true},
		{name: "duplicate top-level key", op: "Encrypt", body: `{"KeyId":"a","KeyId":"b"}`,
			status: 400, code: kmserr.CodeSerialization, message: "duplicate member name", audited: true},
		{name: "duplicate nested key", op: "Encrypt", body: `{"KeyId":"a","EncryptionContext":{"x":"1","\u0078":"2"}}`,
			status: 400, code: kmserr.CodeSerialization, message: "duplicate member name", audited: true},
		{name: "case-folded member", op: "Encrypt", body: `{"KeyId":"a","keyid":"b"}`,
			status: 400, code: kmserr.CodeSerialization, message: "case-sensitive", audited: true},
		{name: "depth 32 accepted", op: "Encrypt", body: nested(32), status: 200, audited: true},
		{name: "depth 33 refused", op: "Encrypt", body: nested(33),
			status: 400, code: kmserr.CodeSerialization, message: "deeper than 32", audited: true},
		{name: "trailing garbage", op: "Encrypt", body: `{"KeyId":"a"} x`,
			status: 400, code: kmserr.CodeSerialization, message: "after the JSON object", audited: true},
		{name: "two objects", op: "Encrypt", body: `{}{}`,
			status: 400, code: kmserr.CodeSerialization, message: "after the JSON object", audited: true},
		{name: "array body", op: "Encrypt", body: `[]`,
			status: 400, code: kmserr.CodeSerialization, message: "must be a JSON object", audited: true},
		{name: "null body", op: "Encrypt", body: `null`,
			status: 400, code: kmserr.CodeSerialization, message: "must be a JSON object", audited: true},
		{name: "truncated", op: "Encrypt", body: `{"KeyId":"a"`,
			status: 400, code: kmserr.CodeSerialization, message: "unexpected end of input", audited: true},
		{name: "wrong member type", op: "GenerateRandom", body: `{"NumberOfBytes":"32"}`,
			status: 400, code: kmserr.CodeSerialization, message: "Member 'NumberOfBytes' has a value of the wrong type: expected an integer.", audited: true},
		{name: "fraction for integer", op: "GenerateRandom", body: `{"NumberOfBytes":1.5}`,
			status: 400, code: kmserr.CodeSerialization, message: "Member 'NumberOfBytes' has a number that is not an integer", audited: true},
		{name: "bad base64", op: "Encrypt", body: `{"Plaintext":"!!!"}`,
			status: 400, code: kmserr.CodeSerialization, message: "not valid base64", audited: true},
		{name: "null member is absent", op: "GenerateRandom", body: `{"NumberOfBytes":null}`,
			status: 400, code: kmserr.CodeValidation, message: "number of bytes", audited: true},
		// AWS JSON maps and lists are not sparse: a null in one is refused,
		// not decoded as "" (which would bind a different encryption
		// context than the caller meant). A null structure member is absent.
		{name: "null encryption context value", op: "Encrypt", body: `{"KeyId":"a","EncryptionContext":{"a":null}}`,
			status: 400, code: kmserr.CodeSerialization, message: "null value at offset 38 inside a map or list", audited: true},
		{name: "null encryption context value after others", op: "Encrypt", body: `{"EncryptionContext":{"a":"1", "b" : null ,"c":"3"}}`,
			status: 400, code: kmserr.CodeSerialization, message: "null value at offset 37 inside a map or list", audited: true},
		{name: "null constraint context value", op: "Encrypt", body: `{"Constraints":{"EncryptionContextSubset":{"a":null}}}`,
			status: 400, code: kmserr.CodeSerialization, message: "null value at offset 47 inside a map or list", audited: true},
		{name: "null grant token", op: "Encrypt", body: `{"GrantTokens":["t",null]}`,
			status: 400, code: kmserr.CodeSerialization, message: "null value at offset 20 inside a map or list", audited: true},
		{name: "null first grant token", op: "DescribeKey", body: `{"GrantTokens":[null]}`,
			status: 400, code: kmserr.CodeSerialization, message: "null value at offset 16 inside a map or list", audited: true},
		{name: "null map is absent", op: "Encrypt", body: `{"KeyId":"a","EncryptionContext":null,"GrantTokens":null,"Constraints":null}`, status: 200, audited: true},
		{name: "null in unknown member ignored", op: "Encrypt", body: `{"KeyId":"a","Future":{"a":null,"b":[null]}}`, status: 200, audited: true},
		{name: "unknown member ignored", op: "GenerateRandom", body: `{"NumberOfBytes":2,"FutureMember":{"x":[1,2]}}`, status: 200, audited: true},
		{name: "panic in operation", op: "CreateKey", body: `{}`, status: 500, code: kmserr.CodeInternal, message: internalText, audited: true},
		{name: "non-kmserr error", op: "DisableKey", body: `{}`, status: 500, code: kmserr.CodeInternal, message: internalText, audited: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			srv := f.server(t)
			r := newRequest(tc.op, tc.body)
			if tc.op == "" {
				r.Header.Del("X-Amz-Target")
			}
			r.RequestURI = ""
			r.URL.Scheme, r.URL.Host = "http", strings.TrimPrefix(srv.URL, "http://")
			if tc.modify != nil {
				tc.modify(r)
			}
			resp, err := srv.Client().Do(r)
			if err != nil {
				t.Fatal(err)
			}
			checkResponse(t, resp, tc.status, tc.code, tc.message)
			checkAudited(t, f, resp.Header.Get("x-amzn-RequestId"), tc.audited, tc.code)
		})
	}
}

// checkResponse asserts the status, request ID, content type and, for
// errors, that __type, X-Amzn-ErrorType and the message agree and that no
// internal cause leaked.
func checkResponse(t *testing.T, resp *http.Response, status int, code, message string) {
	t.Helper()
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != status {
		t.Errorf("status %d, want %d (body %s)", resp.StatusCode, status, raw)
	}
	if id := resp.Header.Get("x-amzn-RequestId"); !strings.HasPrefix(id, "req-") {
		t.Errorf("x-amzn-RequestId = %q", id)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		t.Errorf("Content-Type = %q", ct)
	}
	if strings.Contains(string(raw), secretCause) || strings.Contains(string(raw), "/var/lib") {
		t.Errorf("body leaks the internal cause: %s", raw)
	}
	if code == "" {
		// An operation without output answers an empty body
		// (TestNoOutputAnswersAnEmptyBody), any other a JSON object.
		if len(raw) > 0 && (!json.Valid(raw) || raw[0] != '{') {
			t.Errorf("success body %q is not a JSON object", raw)
		}
		return
	}
	var eb errorBody
	if err := json.Unmarshal(raw, &eb); err != nil {
		t.Fatalf("error body %q: %v", raw, err)
	}
	if eb.Type != code || resp.Header.Get("X-Amzn-ErrorType") != code {
		t.Errorf("__type %q, X-Amzn-ErrorType %q, want %q", eb.Type, resp.Header.Get("X-Amzn-ErrorType"), code)
	}
	if !strings.Contains(eb.Message, message) {
		t.Errorf("message %q does not contain %q", eb.Message, message)
	}
}

// checkAudited asserts one record with the response's request ID and code,
// or none.
func checkAudited(t *testing.T, f *fixture, id string, audited bool, code string) {
	t.Helper()
	recs := f.audit.all()
	if !audited {
		if len(recs) != 0 {
			t.Errorf("%d audit records for a request that failed before the caller was known", len(recs))
		}
		return
	}
	if len(recs) != 1 {
		t.Fatalf("%d audit records, want 1", len(recs))
	}
	c := recs[0]
	if c.Info.ID != id || c.Info.Caller.Account != testAccount || c.Info.Region != "us-east-1" || c.Details == nil {
		t.Errorf("record info %+v", c.Info)
	}
	e, _ := kmserr.As(c.Err)
	switch {
	case code == "" && (c.Err != nil || c.Input == nil):
		t.Errorf("success recorded as %v with input %v", c.Err, c.Input)
	case code != "" && (e == nil || e.Code != code || c.Output != nil):
		t.Errorf("record error %v output %v, want code %s", c.Err, c.Output, code)
	}
}
