package policy

import (
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/trent-kms/trent/internal/kmserr"
)

// FuzzParse checks that Parse never panics, that every error is a
// MalformedPolicyDocumentException, that parsing and validating are
// deterministic, and that whatever the strict scanner accepts
// encoding/json accepts too (the scanner may only be stricter).
func FuzzParse(f *testing.F) {
	seeds := []string{
		wantDefaultPolicy,
		consolePolicy,
		`{}`,
		`{"Statement":{}}`,
		`{"Statement":[{"Effect":"Deny","Effect":"Allow"}]}`,
		stmt(okStatement + `,"Condition":{"ForAnyValue:StringLikeIfExists":{"k":[1,true,"v"]}}`),
		`{"Statement":{"Principal":{"AWS":"\ud800"}}}`,
		"{\"Sid\":\"\xff\"}",
		`[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]`,
		`{"Version":"2012-10-17"} trailing`,
		`-0.0e+1`,
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		d, err := Parse(doc)
		if err != nil {
			assertMalformed(t, err)
			if d != nil {
				t.Fatal("Parse returned a document and an error")
			}
			// The error is deterministic too.
			if _, err2 := Parse(doc); err2 == nil || err2.Error() != err.Error() {
				t.Fatalf("second Parse: %v, first: %v", err2, err)
			}
			return
		}
		if !utf8.ValidString(doc) {
			t.Fatal("Parse accepted invalid UTF-8")
		}
		if !json.Valid([]byte(doc)) {
			t.Fatalf("Parse accepted what encoding/json refuses: %q", doc)
		}
		d2, err := Parse(doc)
		if err != nil || !reflect.DeepEqual(d, d2) {
			t.Fatalf("second Parse differs: %+v, %v", d2, err)
		}
		v1, v2 := d.Validate(), d2.Validate()
		if (v1 == nil) != (v2 == nil) || v1 != nil && v1.Error() != v2.Error() {
			t.Fatalf("Validate not deterministic: %v vs %v", v1, v2)
		}
		if v1 != nil {
			assertMalformed(t, v1)
		}
		if v3 := d.Validate(); (v3 == nil) != (v1 == nil) {
			t.Fatalf("Validate changed its answer on the same document: %v then %v", v1, v3)
		}
	})
}

func assertMalformed(t *testing.T, err error) {
	t.Helper()
	e, ok := kmserr.As(err)
	if !ok || e.Code != kmserr.CodeMalformedPolicyDocument || e.Message == "" {
		t.Fatalf("error %v is not a MalformedPolicyDocumentException with a message", err)
	}
}
