package policy

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// toAny converts a scanned value to what encoding/json (with UseNumber)
// produces, so the two parsers can be compared on documents both accept.
func toAny(v value) any {
	switch v.kind {
	case kindString:
		return v.text
	case kindNumber:
		return json.Number(v.text)
	case kindBool:
		return v.text == "true"
	case kindNull:
		return nil
	case kindArray:
		out := []any{}
		for _, e := range v.elems {
			out = append(out, toAny(e))
		}
		return out
	default:
		out := map[string]any{}
		for _, m := range v.members {
			out[m.name] = toAny(m.val)
		}
		return out
	}
}

func TestScanAgreesWithEncodingJSON(t *testing.T) {
	docs := []string{
		`{}`,
		`[]`,
		` {"a" : [1, -0.5, 2e10, 3E-2, 0, -0], "b": {"c": null, "d": true, "e": false}} `,
		`"text"`,
		`"esc \" \\ \/ \b \f \n \r \t \u00e9 \u4e2d \ud83d\ude00"`,
		"\"caf\u00e9 \U0001F600\"",
		`{"": "", "x": [[], {}]}`,
		"\t\r\n[1]\n",
		wantDefaultPolicy,
	}
	for _, doc := range docs {
		v, err := scanJSON(doc)
		if err != nil {
			t.Errorf("scanJSON(%q): %v", doc, err)
			continue
		}
		dec := json.NewDecoder(bytes.NewReader([]byte(doc)))
		dec.UseNumber()
		var want any
		if err := dec.Decode(&want); err != nil {
			t.Fatalf("encoding/json refused %q: %v", doc, err)
		}
		if got := toAny(v); !reflect.DeepEqual(got, want) {
			t.Errorf("scanJSON(%q) = %#v, encoding/json says %#v", doc, got, want)
		}
	}
}

func TestScanRefuses(t *testing.T) {
	deep := strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1)
	tests := []struct {
		name, doc, want string
	}{
		{"empty", ``, "unexpected end of input at offset 0"},
		{"only space", ` `, "unexpected end of input at offset 1"},
		{"duplicate top level", `{"a":1,"a":2}`, `duplicate element "a" at offset 7`},
		{"duplicate after unescaping", `{"Effect":"Deny","\u0045ffect":"Allow"}`, `duplicate element "Effect" at offset 17`},
		{"duplicate nested", `{"a":{"b":[{"c":1,"c":1}]}}`, `duplicate element "c" at offset 18`},
		{"invalid UTF-8", "{\"a\":\"\xff\"}", "invalid UTF-8 at offset 6"},
		{"truncated UTF-8", "\"\xc3\"", "invalid UTF-8 at offset 1"},
		{"UTF-8 surrogate", "\"\xed\xa0\x80\"", "invalid UTF-8 at offset 1"},
		{"lone high surrogate", `"\ud800"`, "unpaired surrogate escape at offset 1"},
		{"high then non-low", `"\ud800\u0041"`, "unpaired surrogate escape at offset 1"},
		{"lone low surrogate", `"\udc00"`, "unpaired surrogate escape at offset 1"},
		{"trailing object", `{} {}`, "unexpected data after the top-level value at offset 3"},
		{"trailing comma in object", `{"a":1,}`, "expected a member name at offset 7"},
		{"trailing comma in array", `[1,]`, `invalid character ']' at offset 3`},
		{"too deep", deep, "nesting deeper than 16 levels at offset 16"},
		{"control char in string", "\"a\tb\"", "control character in string at offset 2"},
		{"bad escape", `"\x"`, `invalid escape '\x' at offset 1`},
		{"bad escape of a non-ASCII character", `"\é"`, `invalid escape '\é' at offset 1`},
		{"bad unicode escape", `"\u12g4"`, `invalid \u escape at offset 1`},
		{"short unicode escape", `"\u12"`, `invalid \u escape at offset 1`},
		{"unicode escape cut off", `"\u12`, "unexpected end of input in string at offset 1"},
		{"escape cut off", `"\`, "unexpected end of input in string at offset 1"},
		{"unterminated string", `"abc`, "unexpected end of input in string at offset 4"},
		{"leading zero", `01`, "unexpected data after the top-level value at offset 1"},
		{"bare minus", `-`, "invalid number at offset 1"},
		{"bad fraction", `1.`, "invalid number at offset 2"},
		{"bad exponent", `1e+`, "invalid number at offset 3"},
		{"single quotes", `{'a':1}`, "expected a member name at offset 1"},
		{"missing colon", `{"a" 1}`, "expected ':' after a member name at offset 5"},
		{"missing comma", `[1 2]`, `expected ',' or ']' at offset 3`},
		{"unknown literal", `nul`, `invalid character 'n' at offset 0`},
		{"byte order mark", "\ufeff{}", `invalid character '\ufeff' at offset 0`},
		{"NaN", `NaN`, `invalid character 'N' at offset 0`},
		{"number beyond float64", `{"a":[1e400]}`, "number out of range at offset 6"},
		{"unclosed object", `{"a":1`, "unexpected end of input at offset 6"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := scanJSON(tt.doc)
			if err == nil {
				t.Fatalf("scanJSON(%q) accepted", tt.doc)
			}
			if err.Error() != tt.want {
				t.Errorf("scanJSON(%q) = %q, want %q", tt.doc, err, tt.want)
			}
		})
	}
}

func TestScanAcceptsMaxDepth(t *testing.T) {
	doc := strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth)
	if _, err := scanJSON(doc); err != nil {
		t.Errorf("depth %d refused: %v", maxDepth, err)
	}
}

// encoding/json keeps the last duplicate and rewrites bad input to U+FFFD;
// these are the cases that make it unfit for policies. If a Go release ever
// changes that, this test says so and the package comment needs a look.
func TestEncodingJSONIsLenient(t *testing.T) {
	var m map[string]string
	if err := json.Unmarshal([]byte(`{"Effect":"Deny","Effect":"Allow"}`), &m); err != nil || m["Effect"] != "Allow" {
		t.Errorf("encoding/json on duplicates: %v, %v", m, err)
	}
	var s string
	if err := json.Unmarshal([]byte(`"\ud800"`), &s); err != nil || s != "\ufffd" {
		t.Errorf("encoding/json on a lone surrogate: %q, %v", s, err)
	}
}

// BenchmarkScan measures parsing the default key policy into a tree.
func BenchmarkScan(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(wantDefaultPolicy)))
	for b.Loop() {
		if _, err := scanJSON(wantDefaultPolicy); err != nil {
			b.Fatal(err)
		}
	}
}
