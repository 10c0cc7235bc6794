package awsjson

import (
	"encoding/json"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/trent-kms/trent/internal/kmserr"
)

// seedBodies start both fuzz targets off near the interesting edges.
var seedBodies = []string{
	``,
	`{}`,
	`{"NumberOfBytes":32}`,
	`{"KeyId":"alias/x","Plaintext":"aGVsbG8=","EncryptionContext":{"a":"b","\u00e9":"\ud834\udd1e"}}`,
	`{"KeyId":"a","KeyId":"b"}`,
	`{"KeyId":"a","keyid":"b"}`,
	`{"EncryptionContext":{"a":"\ud800"}}`,
	"{\"EncryptionContext\":{\"a\":\"\xff\"}}",
	`{"Constraints":{"EncryptionContextSubset":{"k":"v"}},"GrantTokens":["t1","t2"]}`,
	`{"NumberOfBytes":1e400}`,
	`{"NumberOfBytes":-0.0e-0}`,
	strings.Repeat(`{"a":`, 33) + "1" + strings.Repeat("}", 33),
	`{"a":[1,{"b":null}]} `,
	`{"a":1}{}`,
	`{"EncryptionContext":{"a":null},"GrantTokens":[null],"Constraints":null}`,
}

// FuzzStrictJSON checks the scanner's promise: whatever it accepts is valid
// UTF-8, valid JSON (json.Valid), free of duplicate members, and decodes
// without error into map[string]any; and it never panics.
func FuzzStrictJSON(f *testing.F) {
	for _, s := range seedBodies {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		err := checkStrict(body, nil)
		if err != nil {
			if e, ok := kmserr.As(err); !ok || e.Code != kmserr.CodeSerialization {
				t.Fatalf("rejection %v is not a SerializationException", err)
			}
			return
		}
		if !utf8.Valid(body) || !json.Valid(body) {
			t.Fatalf("accepted %q, which is not valid UTF-8 JSON", body)
		}
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("accepted %q, which does not decode: %v", body, err)
		}
		// Decoding altered no string: encoding/json replaces bad UTF-8 and
		// lone surrogates with U+FFFD, so the decoded value may hold no more
		// of them than the body wrote, raw or escaped.
		again, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		written := strings.Count(string(body), "\ufffd") + strings.Count(strings.ToLower(string(body)), `\ufffd`)
		if strings.Count(string(again), "\ufffd") > written {
			t.Fatalf("accepted %q but decoding introduced U+FFFD", body)
		}
		if checkStrict(again, nil) != nil {
			t.Fatalf("re-encoded %q rejected", again)
		}
	})
}

// FuzzDecode sends arbitrary bodies through the whole handler to a real
// operation: no panic, never a 5xx, every answer a JSON object, and a
// rejection is always SerializationException or the operation's own
// ValidationException.
func FuzzDecode(f *testing.F) {
	for _, s := range seedBodies {
		f.Add([]byte(s))
	}
	// No audit log or log sink: they would grow with every execution.
	fx := newFixture(f, func(c *Config) {
		c.Audit = nil
		c.Logger = slog.New(slog.DiscardHandler)
	})
	inputShape := shapeOf(reflect.TypeFor[encryptInput]())
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, op := range []string{"Encrypt", "GenerateRandom"} {
			w := fx.serve(newRequest(op, string(body)))
			if w.Code >= 500 {
				t.Fatalf("%s(%q): status %d %s", op, body, w.Code, w.Body)
			}
			if !json.Valid(w.Body.Bytes()) || w.Body.Bytes()[0] != '{' {
				t.Fatalf("%s(%q): response %q is not a JSON object", op, body, w.Body)
			}
			if code := w.Header().Get("X-Amzn-ErrorType"); code != "" &&
				code != kmserr.CodeSerialization && code != kmserr.CodeValidation {
				t.Fatalf("%s(%q): error code %s", op, body, code)
			}
		}
		// Anything the typed check accepts decodes into the input struct or
		// fails with a SerializationException, never anything else.
		if checkStrict(body, inputShape) == nil && len(body) > 0 {
			var in encryptInput
			if err := decodeInput(body, &in); err != nil {
				if e, ok := kmserr.As(err); !ok || e.Code != kmserr.CodeSerialization {
					t.Fatalf("decode error %v", err)
				}
			}
		}
	})
}
