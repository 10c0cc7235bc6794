package strictjson

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// tokens scans all of doc and returns its tokens written as
// "kind@offset" or "kind@offset=text", or the error.
func tokens[T Text](doc T, maxDepth int) ([]string, error) {
	s := NewScanner(doc, maxDepth)
	var out []string
	for {
		tok, err := s.Next()
		if err != nil {
			return out, err
		}
		switch tok.Kind {
		case Name, String, Number:
			out = append(out, fmt.Sprintf("%v@%d=%s", tok.Kind, tok.Offset, tok.Text))
		default:
			out = append(out, fmt.Sprintf("%v@%d", tok.Kind, tok.Offset))
		}
		if tok.Kind == End {
			return out, nil
		}
	}
}

func TestTokens(t *testing.T) {
	for _, tt := range []struct {
		doc  string
		want string
	}{
		{`{}`, `'{'@0 '}'@1 end of input@2`},
		{" \t\r\n[ ] \n", `'['@4 ']'@6 end of input@9`},
		{`"s"`, `string@0=s end of input@3`},
		{`-0.5e+10`, `number@0=-0.5e+10 end of input@8`},
		{`{"a":1,"b":[true,false,null],"c":{}}`,
			`'{'@0 member name@1=a number@5=1 member name@7=b '['@11 true@12 false@17 null@23 ']'@27 ` +
				`member name@29=c '{'@33 '}'@34 '}'@35 end of input@36`},
		{`{"s":"\"\\\/\b\f\n\r\t\u0041\u00e9\u20ac\ud834\udd1e"}`,
			"'{'@0 member name@1=s string@5=\"\\/\b\f\n\r\tAé€𝄞 '}'@53 end of input@54"},
		{`{"\u0061":"é€𝄞 raw"}`, `'{'@0 member name@1=a string@10=é€𝄞 raw '}'@25 end of input@26`},
		{`[{"a":1},{"a":2}]`, `'['@0 '{'@1 member name@2=a number@6=1 '}'@7 '{'@9 member name@10=a number@14=2 '}'@15 ']'@16 end of input@17`},
		{`{"\u0061":{"\u0062":1},"\u0062":2}`, `'{'@0 member name@1=a '{'@10 member name@11=b number@20=1 '}'@21 member name@23=b number@32=2 '}'@33 end of input@34`},
		{`{"x":1,"X":2}`, `'{'@0 member name@1=x number@5=1 member name@7=X number@11=2 '}'@12 end of input@13`},
		{`{"tiny":1e-400}`, `'{'@0 member name@1=tiny number@8=1e-400 '}'@14 end of input@15`},
	} {
		for _, got := range [][]string{must(tokens(tt.doc, 8)), must(tokens([]byte(tt.doc), 8))} {
			if s := strings.Join(got, " "); s != tt.want {
				t.Errorf("tokens(%q):\n got %s\nwant %s", tt.doc, s, tt.want)
			}
		}
	}
}

func must[V any](v V, err error) V {
	if err != nil {
		panic(err)
	}
	return v
}

func TestRefuses(t *testing.T) {
	manyMembers := func(dupAt int) string {
		var b strings.Builder
		b.WriteString("{")
		for i := range 100 {
			fmt.Fprintf(&b, `"m%03d":1,`, i)
		}
		if dupAt >= 0 {
			fmt.Fprintf(&b, `"m%03d":2}`, dupAt)
		} else {
			b.WriteString(`"last":2}`)
		}
		return b.String()
	}
	if _, err := tokens(manyMembers(-1), 8); err != nil {
		t.Fatalf("100 distinct members: %v", err)
	}
	for _, tt := range []struct {
		doc  string
		code Code
		off  int
	}{
		{"", UnexpectedEnd, 0},
		{"  ", UnexpectedEnd, 2},
		{"\xef\xbb\xbf{}", UnexpectedChar, 0}, // a BOM is valid UTF-8 but not JSON
		{"{\"a\":\"\xc3\x28\"}", InvalidUTF8, 6},
		{"{\"a\":\"\xed\xa0\x80\"}", InvalidUTF8, 6}, // a surrogate encoded in UTF-8
		{"{\"a\":1}\xff", InvalidUTF8, 7},
		{`{"a":"\ud800"}`, UnpairedSurrogate, 6},
		{`{"a":"\udc00"}`, UnpairedSurrogate, 6},
		{`{"a":"x\ud800\u0041"}`, UnpairedSurrogate, 7},
		{`{"a":"\ud800\ud800"}`, UnpairedSurrogate, 6},
		{`{"a":"\ud800x"}`, UnpairedSurrogate, 6},
		{`{"\udfff":1}`, UnpairedSurrogate, 2},
		{`{"a":"\ud800\u12"}`, InvalidUnicodeEscape, 12},
		{`{"a":"\u12"}`, InvalidUnicodeEscape, 6},
		{`"\u12`, UnterminatedEscape, 1},
		{`"\`, UnterminatedEscape, 1},
		{`{"a":"\x"}`, InvalidEscape, 6},
		{"{\"a\":\"\x01\"}", ControlChar, 6},
		{"\"a\tb\"", ControlChar, 2},
		{`{"a":"x`, UnterminatedString, 7},
		{`{"a":1,"a":2}`, DuplicateName, 7},
		{`{"a":1,"\u0061":2}`, DuplicateName, 7},
		{`{"\u0061":1,"a":2}`, DuplicateName, 12},
		{`{"o":{"k":1,"k":1}}`, DuplicateName, 12},
		{`[{"k":1},{"k":1,"k":2}]`, DuplicateName, 16},
		{`{"a":{"b":1},"a":2}`, DuplicateName, 13},
		{`{"\u0061":{"\u0062":1},"\u0062":2,"\u0061":3}`, DuplicateName, 34},
		{manyMembers(0), DuplicateName, 1 + 100*9},
		{manyMembers(50), DuplicateName, 1 + 100*9},
		{manyMembers(99), DuplicateName, 1 + 100*9},
		{`{"a":1} x`, TrailingData, 8},
		{`{}{}`, TrailingData, 2},
		{`01`, TrailingData, 1},
		{`{"a":1,}`, ExpectedName, 7},
		{`{,}`, ExpectedName, 1},
		{`{`, ExpectedName, 1},
		{`{'a':1}`, ExpectedName, 1},
		{`{"a" 1}`, ExpectedColon, 5},
		{`{"a"`, ExpectedColon, 4},
		{`{"a":1 "b":2}`, ExpectedCommaOrObjectEnd, 7},
		{`{"a":1`, UnexpectedEnd, 6},
		{`[1 2]`, ExpectedCommaOrArrayEnd, 3},
		{`[1`, UnexpectedEnd, 2},
		{`[1,]`, UnexpectedChar, 3},
		{`[`, UnexpectedEnd, 1},
		{`{"a":`, UnexpectedEnd, 5},
		{`1.`, InvalidNumber, 2},
		{`1.x`, InvalidNumber, 2},
		{`.5`, UnexpectedChar, 0},
		{`-`, InvalidNumber, 1},
		{`-a`, InvalidNumber, 1},
		{`1e`, InvalidNumber, 2},
		{`1e+`, InvalidNumber, 3},
		{`+1`, UnexpectedChar, 0},
		{`NaN`, UnexpectedChar, 0},
		{`[1e400]`, NumberOutOfRange, 1},
		{`-1.5E309`, NumberOutOfRange, 0},
		{"1" + strings.Repeat("0", 309), NumberOutOfRange, 0},
		{`tru`, InvalidLiteral, 0},
		{`[nul]`, InvalidLiteral, 1},
		{`nulll`, TrailingData, 4},
		{`True`, UnexpectedChar, 0},
	} {
		for _, err := range []error{second(tokens(tt.doc, 8)), second(tokens([]byte(tt.doc), 8))} {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Code != tt.code || se.Offset != tt.off {
				t.Errorf("tokens(%.40q) = %v, want %v at offset %d", tt.doc, err, tt.code, tt.off)
			}
		}
	}
}

func second[V any](_ V, err error) error { return err }

// TestDepthLimit pins the boundary: maxDepth containers open at once pass,
// one more is refused at its opening bracket.
func TestDepthLimit(t *testing.T) {
	for _, depth := range []int{1, 16, 32, inlineEntries + 10} {
		nested := func(n int) string {
			return strings.Repeat(`{"a":[`, n/2) + strings.Repeat("[", n%2) + strings.Repeat("]", n%2) + strings.Repeat(`]}`, n/2)
		}
		if _, err := tokens(nested(depth), depth); err != nil {
			t.Errorf("depth %d with limit %d: %v", depth, depth, err)
		}
		// The refused bracket is the (depth+1)th.
		doc, opened, at := nested(depth+1), 0, 0
		for i, c := range doc {
			if c == '{' || c == '[' {
				if opened++; opened == depth+1 {
					at = i
				}
			}
		}
		_, err := tokens(doc, depth)
		var se *SyntaxError
		if !errors.As(err, &se) || se.Code != TooDeep || se.Offset != at {
			t.Errorf("depth %d with limit %d: %v, want %v at offset %d", depth+1, depth, err, TooDeep, at)
		}
	}
	if _, err := tokens(`1`, 0); err != nil {
		t.Errorf("a scalar needs no depth: %v", err)
	}
}

// TestManyNames runs past the inline stack and the pairwise duplicate check
// in nested objects, and checks that names are forgotten when their object
// closes.
func TestManyNames(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{`)
	for i := range 40 {
		fmt.Fprintf(&b, `"k%d":{"k%d":[{"k%d":1}],"\u006b":2},`, i, i, i)
	}
	b.WriteString(`"k":{"k":{"k":{"k":0}}}}`)
	if _, err := tokens(b.String(), 8); err != nil {
		t.Fatal(err)
	}
	dup := strings.TrimSuffix(b.String(), "}") + `,"k39":1}`
	var se *SyntaxError
	if _, err := tokens(dup, 8); !errors.As(err, &se) || se.Code != DuplicateName || se.Offset != len(dup)-8 {
		t.Errorf("duplicate after 41 members: %v", err)
	}
}

func TestErrorIsSticky(t *testing.T) {
	s := NewScanner(`[1,}`, 4)
	var first error
	for range 5 {
		if _, err := s.Next(); err != nil {
			first = err
			break
		}
	}
	if first == nil {
		t.Fatal("no error")
	}
	if tok, err := s.Next(); err != first || tok.Kind != 0 {
		t.Errorf("after the error: %v, %v", tok, err)
	}
	s = NewScanner(`1`, 1)
	for range 3 {
		s.Next()
	}
	if tok, err := s.Next(); err != nil || tok.Kind != End {
		t.Errorf("after End: %v, %v", tok, err)
	}
}

// TestErrorHoldsNoInput: the error text is the code and the offset, so a
// caller can pass it on without leaking the document.
func TestErrorHoldsNoInput(t *testing.T) {
	for _, doc := range []string{
		`{"CANARY":1,"CANARY":2}`, `{"k":"CANARY\ud800"}`, `{"k":"CANARY"}CANARY`,
		"{\"k\":\"CANARY\xff\"}", `{"CANARY":CANARY}`, `{"CANARY":1e999}`, `"\CANARY"`,
	} {
		if _, err := tokens(doc, 8); err == nil || strings.Contains(err.Error(), "CANARY") {
			t.Errorf("tokens(%q) = %v", doc, err)
		}
	}
}

// TestTextAliasing: a string without escapes is a sub-slice of the input,
// and a decoded one is a copy of its own that later tokens do not change.
func TestTextAliasing(t *testing.T) {
	doc := []byte(`{"plain":"\u0041","x\u0042":"tail"}`)
	s := NewScanner(doc, 4)
	var toks []Token[[]byte]
	for {
		tok, err := s.Next()
		if err != nil {
			t.Fatal(err)
		}
		if tok.Kind == End {
			break
		}
		toks = append(toks, tok)
	}
	if &toks[1].Text[0] != &doc[2] {
		t.Error("plain name is not a sub-slice of the input")
	}
	if string(toks[2].Text) != "A" || string(toks[3].Text) != "xB" || string(toks[4].Text) != "tail" {
		t.Errorf("texts %q %q %q", toks[2].Text, toks[3].Text, toks[4].Text)
	}
}

// TestSmallDocumentsDoNotAllocate: the wire scans every request body.
func TestSmallDocumentsDoNotAllocate(t *testing.T) {
	doc := []byte(`{"KeyId":"alias/x","Plaintext":"aGk=","EncryptionContext":{"a":"1","b":"2"},"GrantTokens":["t",null],"N":-1.5e3}`)
	allocs := testing.AllocsPerRun(100, func() {
		s := NewScanner(doc, 32)
		for {
			tok, err := s.Next()
			if err != nil {
				t.Fatal(err)
			}
			if tok.Kind == End {
				return
			}
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations", allocs)
	}
}

func TestStrings(t *testing.T) {
	for k := BeginObject; k <= End; k++ {
		if strings.Contains(k.String(), "invalid") {
			t.Errorf("Kind %d has no name", k)
		}
	}
	for c := InvalidUTF8; c <= UnterminatedEscape; c++ {
		if strings.Contains(c.String(), "Code(") {
			t.Errorf("Code %d has no text", c)
		}
	}
	if Kind(0).String() != "invalid kind" || Code(0).String() != "strictjson.Code(0)" {
		t.Error("zero values have names")
	}
}
