package awsjson

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/kmserr"
)

func TestCheckStrictAccepts(t *testing.T) {
	for _, body := range []string{
		`{}`,
		" \t\r\n{ } \n",
		`{"a":1,"b":-0.5e+10,"c":0,"d":-0,"e":1E3,"f":true,"g":false,"h":null}`,
		`{"s":"\"\\\/\b\f\n\r\t\u0041\u00e9\u20ac\ud834\udd1e"}`,
		`{"s":"é€𝄞 raw UTF-8"}`,
		`{"a":{"a":{"a":1}},"b":[{"a":1},{"a":1}]}`, // same names in different objects
		`{"x":"a","X":"b"}`,                         // names differ in case: not duplicates
		`{"list":[[],[{}],[1,"2",null]]}`,
		`{"` + strings.Repeat("k", 1000) + `":1}`,
		`{"tiny":1e-400}`, // underflows to zero, as encoding/json decodes it
	} {
		if err := checkStrict([]byte(body), nil); err != nil {
			t.Errorf("checkStrict(%q) = %v", body, err)
		}
	}
}

func TestCheckStrictRejects(t *testing.T) {
	manyMembers := func(dup bool) string {
		var b strings.Builder
		b.WriteString("{")
		for i := 0; i < 100; i++ {
			b.WriteString(`"m` + strings.Repeat("x", i) + `":1,`)
		}
		if dup {
			b.WriteString(`"m` + strings.Repeat("x", 50) + `":2`)
		} else {
			b.WriteString(`"last":2`)
		}
		b.WriteString("}")
		return b.String()
	}
	if err := checkStrict([]byte(manyMembers(false)), nil); err != nil {
		t.Fatalf("100 distinct members: %v", err)
	}
	for _, tt := range []struct{ body, message string }{
		{"", "must be a JSON object"},
		{"   ", "must be a JSON object"},
		{`"s"`, "must be a JSON object"},
		{`[{}]`, "must be a JSON object"},
		{"\xef\xbb\xbf{}", "must be a JSON object"}, // a BOM is valid UTF-8 but not JSON
		{"{\"a\":\"\xc3\x28\"}", "not valid UTF-8"},
		{"{\"a\":\"\xed\xa0\x80\"}", "not valid UTF-8"}, // surrogate encoded in UTF-8
		{"{\"\xff\":1}", "not valid UTF-8"},
		{`{"a":"\ud800"}`, "unpaired UTF-16 surrogate at offset 6"},
		{`{"a":"\udc00"}`, "unpaired UTF-16 surrogate"},
		{`{"a":"\ud800\u0041"}`, "unpaired UTF-16 surrogate"},
		{`{"a":"\ud800\ud800"}`, "unpaired UTF-16 surrogate"},
		{`{"a":"\ud800x"}`, "unpaired UTF-16 surrogate"},
		{`{"\udfff":1}`, "unpaired UTF-16 surrogate"},
		{`{"a":"\u12"}`, `invalid \u escape`},
		{`{"a":"\x"}`, "invalid escape at offset 6"},
		{"{\"a\":\"\x01\"}", "control character"},
		{`{"a":1,"a":2}`, "duplicate member name at offset 7"},
		{`{"a":1,"\u0061":2}`, "duplicate member name"},
		{`{"o":{"k":1,"k":1}}`, "duplicate member name"},
		{`{"l":[{"k":1},{"k":1,"k":2}]}`, "duplicate member name"},
		{manyMembers(true), "duplicate member name"},
		{`{"a":1}x`, "after the JSON object"},
		{`{"a":1},`, "after the JSON object"},
		{`{"a":1,}`, "expected a member name"},
		{`{,}`, "expected a member name"},
		{`{"a" 1}`, "expected ':'"},
		{`{"a":1 "b":2}`, "expected ',' or '}'"},
		{`{"a":[1 2]}`, "expected ',' or ']'"},
		{`{"a":[1,]}`, "unexpected character"},
		{`{"a":01}`, "expected ',' or '}'"},
		{`{"a":1.}`, "invalid number"},
		{`{"a":.5}`, "unexpected character"},
		{`{"a":-}`, "invalid number"},
		{`{"a":1e}`, "invalid number"},
		{`{"a":+1}`, "unexpected character"},
		{`{"a":NaN}`, "unexpected character"},
		{`{"a":1e400}`, "number out of range"},
		{`{"a":tru}`, "invalid literal"},
		{`{"a":nul`, "invalid literal"},
		{`{"a":"x`, "unterminated string"},
		{`{"a":"\`, "unterminated escape"},
		{`{"a":`, "unexpected end of input"},
		{`{'a':1}`, "expected a member name"},
		{strings.Repeat(`{"a":`, 33) + "1" + strings.Repeat("}", 33), "deeper than 32 levels"},
		{`{"a":` + strings.Repeat("[", 32) + strings.Repeat("]", 32) + "}", "deeper than 32 levels"},
	} {
		err := checkStrict([]byte(tt.body), nil)
		e, ok := kmserr.As(err)
		if !ok || e.Code != kmserr.CodeSerialization || e.Status != 400 || !strings.Contains(e.Message, tt.message) {
			t.Errorf("checkStrict(%.60q) = %v, want SerializationException containing %q", tt.body, err, tt.message)
		}
	}
}

// TestCheckStrictDepthLimit pins the boundary: 32 levels pass, 33 do not.
func TestCheckStrictDepthLimit(t *testing.T) {
	at := func(n int) []byte {
		return []byte(strings.Repeat(`{"a":`, n-1) + "[]" + strings.Repeat("}", n-1))
	}
	if err := checkStrict(at(maxDepth), nil); err != nil {
		t.Errorf("depth %d: %v", maxDepth, err)
	}
	if err := checkStrict(at(maxDepth+1), nil); err == nil {
		t.Errorf("depth %d accepted", maxDepth+1)
	}
}

// TestCheckStrictNeverEchoes guards the promise that messages carry offsets,
// not content.
func TestCheckStrictNeverEchoes(t *testing.T) {
	const canary = "CANARY"
	for _, body := range []string{
		`{"CANARY":1,"CANARY":2}`,
		`{"k":"CANARY\ud800"}`,
		`{"k":"CANARY"}CANARY`,
		"{\"k\":\"CANARY\xff\"}",
		`{"CANARY":CANARY}`,
		`{"CANARY":1e999}`,
	} {
		if err := checkStrict([]byte(body), nil); err == nil || strings.Contains(err.Error(), canary) {
			t.Errorf("checkStrict(%q) = %v", body, err)
		}
	}
}

func TestShapeCaseSensitivity(t *testing.T) {
	type inner struct {
		Name string `json:"Name"`
	}
	type Embedded struct {
		Promoted string
	}
	type input struct {
		Embedded
		KeyId   *string           `json:"KeyId,omitempty"`
		Tags    []inner           `json:"Tags"`
		ByName  map[string]inner  `json:"ByName"`
		Context map[string]string `json:"Context"`
		Skipped string            `json:"-"`
		GoName  int
		hidden  int
	}
	_ = input{}.hidden
	sh := shapeOf(reflect.TypeFor[input]())
	for _, tt := range []struct {
		body string
		ok   bool
	}{
		{`{"KeyId":"a","Tags":[{"Name":"x"}],"ByName":{"k":{"Name":"y"}},"GoName":1,"Promoted":"p"}`, true},
		{`{"Unknown":1,"Skipped":"x","hidden":1}`, true}, // exact unknown names are ignored
		{`{"Context":{"keyid":"v","KEYID":"w"}}`, true},  // map keys are data, not members
		{`{"keyid":"a"}`, false},
		{`{"KEYID":"a"}`, false},
		{`{"Tags":[{"name":"x"}]}`, false},
		{`{"ByName":{"k":{"NAME":"y"}}}`, false},
		{`{"goname":1}`, false},
		{`{"promoted":"p"}`, false},
		{`{"K\u0065yId":"a"}`, true}, // escapes are resolved before matching
		{`{"Keyıd":"a"}`, true},      // dotless i does not fold to I
	} {
		err := checkStrict([]byte(tt.body), sh)
		if (err == nil) != tt.ok {
			t.Errorf("checkStrict(%s) = %v, want ok=%v", tt.body, err, tt.ok)
		}
		if tt.ok { // what passes must decode the way it reads
			var v input
			if err := json.Unmarshal([]byte(tt.body), &v); err != nil {
				t.Errorf("decode %s: %v", tt.body, err)
			}
		}
	}
}

// TestShapeRecursiveAndOpaque covers recursive types and types that decode
// themselves.
func TestShapeRecursiveAndOpaque(t *testing.T) {
	type node struct {
		Value    string  `json:"Value"`
		Children []*node `json:"Children"`
	}
	sh := shapeOf(reflect.TypeFor[node]())
	if err := checkStrict([]byte(`{"Children":[{"Children":[{"value":"x"}]}]}`), sh); err == nil {
		t.Error("case-folded member deep in a recursive type accepted")
	}
	type withRaw struct {
		Raw json.RawMessage `json:"Raw"`
	}
	if err := checkStrict([]byte(`{"Raw":{"raw":1,"RAW":2}}`), shapeOf(reflect.TypeFor[withRaw]())); err != nil {
		t.Errorf("a json.Unmarshaler's content is its own business: %v", err)
	}
}

// TestShapeRefusesNullInCollections: in AWS JSON a null structure member
// means the member is absent, but maps and lists are not sparse, so a null
// map value or list element is refused wherever the input type has a map or
// list, however deep. Where the type says nothing (unknown members, types
// that decode themselves) nothing is refused.
func TestShapeRefusesNullInCollections(t *testing.T) {
	type tag struct {
		TagKey   *string `json:"TagKey"`
		TagValue *string `json:"TagValue"`
	}
	type input struct {
		KeyId       *string           `json:"KeyId"`
		Context     map[string]string `json:"Context"`
		GrantTokens []string          `json:"GrantTokens"`
		Tags        []tag             `json:"Tags"`
		TagPtrs     []*tag            `json:"TagPtrs"`
		Nested      map[string][]int  `json:"Nested"`
		Constraints *struct {
			Subset map[string]string `json:"Subset"`
		} `json:"Constraints"`
		Raw json.RawMessage `json:"Raw"`
	}
	sh := shapeOf(reflect.TypeFor[input]())
	for _, tt := range []struct {
		body string
		at   int // offset of the refused null; 0 if accepted
	}{
		{`{"KeyId":null,"Context":null,"GrantTokens":null,"Tags":null,"Constraints":null}`, 0},
		{`{"Tags":[{"TagKey":"k","TagValue":null}]}`, 0}, // a member of a structure in a list
		{`{"Constraints":{"Subset":null}}`, 0},
		{`{"Nested":{"k":null}}`, 15},
		{`{"Context":{"a":"x","b":null}}`, 24},
		{`{"GrantTokens":[null]}`, 16},
		{`{"GrantTokens":["a", null]}`, 21},
		{`{"Tags":[null]}`, 9},
		{`{"TagPtrs":[{"TagKey":"k"},null]}`, 27},
		{`{"Nested":{"k":[1,null]}}`, 18},
		{`{"Constraints":{"Subset":{"k":null}}}`, 30},
		{`{"Unknown":{"k":null,"l":[null]}}`, 0},
		{`{"Raw":{"k":null,"l":[null]}}`, 0},
	} {
		err := checkStrict([]byte(tt.body), sh)
		if tt.at == 0 {
			if err != nil {
				t.Errorf("checkStrict(%s) = %v", tt.body, err)
			}
			continue
		}
		want := fmt.Sprintf("null value at offset %d inside a map or list", tt.at)
		e, ok := kmserr.As(err)
		if !ok || e.Code != kmserr.CodeSerialization || !strings.Contains(e.Message, want) {
			t.Errorf("checkStrict(%s) = %v, want SerializationException containing %q", tt.body, err, want)
		}
	}
	// Without a shape (nothing known about the target) null is valid JSON.
	if err := checkStrict([]byte(`{"a":[null],"b":{"c":null}}`), nil); err != nil {
		t.Errorf("no shape: %v", err)
	}
}
