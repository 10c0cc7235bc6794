package strictjson

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// build reads the value that begins with tok into what encoding/json (with
// UseNumber) would make of it.
func build[T Text](s *Scanner[T], tok Token[T]) (any, error) {
	switch tok.Kind {
	case String:
		return string(tok.Text), nil
	case Number:
		return json.Number(tok.Text), nil
	case True, False:
		return tok.Kind == True, nil
	case Null:
		return nil, nil
	case BeginObject:
		m := map[string]any{}
		for {
			name, err := s.Next()
			if err != nil || name.Kind == EndObject {
				return m, err
			}
			if name.Kind != Name {
				return nil, errors.New("object member without a name token")
			}
			tok, err := s.Next()
			if err != nil {
				return nil, err
			}
			if m[string(name.Text)], err = build(s, tok); err != nil {
				return nil, err
			}
		}
	case BeginArray:
		l := []any{}
		for {
			tok, err := s.Next()
			if err != nil || tok.Kind == EndArray {
				return l, err
			}
			v, err := build(s, tok)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
	}
	return nil, errors.New("token " + tok.Kind.String() + " cannot start a value")
}

func parse[T Text](doc T, maxDepth int) (any, error) {
	s := NewScanner(doc, maxDepth)
	tok, err := s.Next()
	if err != nil {
		return nil, err
	}
	v, err := build(s, tok)
	if err != nil {
		return nil, err
	}
	if tok, err := s.Next(); err != nil || tok.Kind != End {
		return nil, errors.Join(err, errors.New("no End after the value"))
	}
	return v, nil
}

// FuzzScanner checks the scanner against encoding/json and against itself:
// it never panics; it scans a string and the same []byte alike; what it
// refuses has a SyntaxError with an offset inside the input; what it
// accepts is valid UTF-8 and valid JSON, and its tokens build exactly the
// value encoding/json decodes (so no name was dropped, no string altered
// and no number rewritten), which also shows there were no duplicates.
func FuzzScanner(f *testing.F) {
	for _, s := range []string{
		``, `{}`, `[]`, `"s"`, `-0.5e+10`, `{"a":1,"b":[true,false,null],"c":{}}`,
		`{"s":"\"\\\/\b\f\n\r\t\u0041\u00e9\u20ac\ud834\udd1e"}`, `{"a":1,"\u0061":2}`,
		`{"a":"\ud800"}`, "{\"a\":\"\xff\"}", `[1e400]`, `[1e-400]`, `{"a":1}x`,
		strings.Repeat("[", 9) + strings.Repeat("]", 9), `{"k":{"k":{"k":null}}}`, "\t[ 1 , 2 ]\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		const depth = 8
		v, err := parse(doc, depth)
		vb, errb := parse([]byte(doc), depth)
		if (err == nil) != (errb == nil) || err != nil && err.Error() != errb.Error() || !reflect.DeepEqual(v, vb) {
			t.Fatalf("string and []byte differ: %v, %v / %v, %v", v, err, vb, errb)
		}
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Code == 0 || se.Offset < 0 || se.Offset > len(doc) {
				t.Fatalf("error %v is not a SyntaxError within the input", err)
			}
			return
		}
		if !utf8.ValidString(doc) || !json.Valid([]byte(doc)) {
			t.Fatalf("accepted %q, which is not valid UTF-8 JSON", doc)
		}
		dec := json.NewDecoder(strings.NewReader(doc))
		dec.UseNumber()
		var want any
		if err := dec.Decode(&want); err != nil {
			t.Fatalf("accepted %q, which encoding/json refuses: %v", doc, err)
		}
		if !reflect.DeepEqual(v, want) {
			t.Fatalf("%q scans as %#v, encoding/json says %#v", doc, v, want)
		}
		// What encoding/json writes back is accepted too.
		again, err := json.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := parse(again, depth); err != nil {
			t.Fatalf("re-encoded %q refused: %v", again, err)
		}
	})
}
