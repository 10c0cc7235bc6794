package policy

import (
	"fmt"
	"unicode/utf8"

	"github.com/trent-kms/trent/internal/strictjson"
)

// maxDepth bounds the nesting of objects and arrays. The deepest valid key
// policy value is a condition value list: document > Statement list >
// statement > Condition > operator block > value list, six levels. The
// limit leaves room for that and stops a hostile document from costing
// more than a bounded amount of stack.
const maxDepth = 16

// kind is the type of a JSON value.
type kind uint8

const (
	kindString kind = iota + 1
	kindNumber
	kindBool
	kindNull
	kindObject
	kindArray
)

// value is a parsed JSON value. Objects keep their members in document
// order; a name appears at most once per object.
type value struct {
	kind kind
	// text is the decoded string, the literal text of a number, or
	// "true"/"false".
	text    string
	elems   []value
	members []member
}

type member struct {
	name string
	val  value
}

// syntaxError is a JSON error with the byte offset where it was found.
type syntaxError struct {
	msg string
	off int
}

func (e *syntaxError) Error() string { return fmt.Sprintf("%s at offset %d", e.msg, e.off) }

// scanJSON parses one JSON value that must fill all of s, save whitespace,
// with strictjson's rules (see the package comment for why).
func scanJSON(s string) (value, error) {
	sc := strictjson.NewScanner(s, maxDepth)
	tok, err := sc.Next()
	if err != nil {
		return value{}, wordError(s, err)
	}
	v, err := build(sc, tok)
	if err != nil {
		return value{}, wordError(s, err)
	}
	if _, err := sc.Next(); err != nil { // End, or data after the value
		return value{}, wordError(s, err)
	}
	return v, nil
}

// build makes the value that begins with tok, reading the rest of it from
// sc. The recursion is as deep as the document nests, which the scanner
// bounds by maxDepth.
func build(sc *strictjson.Scanner[string], tok strictjson.Token[string]) (value, error) {
	switch tok.Kind {
	case strictjson.String:
		return value{kind: kindString, text: tok.Text}, nil
	case strictjson.Number:
		return value{kind: kindNumber, text: tok.Text}, nil
	case strictjson.True:
		return value{kind: kindBool, text: "true"}, nil
	case strictjson.False:
		return value{kind: kindBool, text: "false"}, nil
	case strictjson.Null:
		return value{kind: kindNull}, nil
	case strictjson.BeginObject:
		v := value{kind: kindObject, members: []member{}}
		for {
			name, err := sc.Next()
			if err != nil || name.Kind == strictjson.EndObject {
				return v, err
			}
			tok, err := sc.Next()
			if err != nil {
				return value{}, err
			}
			val, err := build(sc, tok)
			if err != nil {
				return value{}, err
			}
			v.members = append(v.members, member{name.Text, val})
		}
	case strictjson.BeginArray:
		v := value{kind: kindArray, elems: []value{}}
		for {
			tok, err := sc.Next()
			if err != nil || tok.Kind == strictjson.EndArray {
				return v, err
			}
			val, err := build(sc, tok)
			if err != nil {
				return value{}, err
			}
			v.elems = append(v.elems, val)
		}
	}
	// Not reached: the scanner only starts a value with the kinds above.
	return value{}, fmt.Errorf("unexpected %v token at offset %d", tok.Kind, tok.Offset)
}

// wordError turns a scanner error into a syntaxError in this package's
// words. Unlike the wire, it may quote the document: it is the caller's
// own policy, and naming the duplicate element or the bad character is
// what helps them fix it.
func wordError(doc string, err error) error {
	e, ok := err.(*strictjson.SyntaxError)
	if !ok {
		return err
	}
	msg := e.Code.String()
	switch e.Code {
	case strictjson.UnexpectedChar, strictjson.InvalidLiteral:
		r, _ := utf8.DecodeRuneInString(doc[e.Offset:])
		msg = fmt.Sprintf("invalid character %q", r)
	case strictjson.TooDeep:
		msg = fmt.Sprintf("nesting deeper than %d levels", maxDepth)
	case strictjson.DuplicateName:
		// The name decoded once already, so it decodes again here.
		tok, _ := strictjson.NewScanner(doc[e.Offset:], 1).Next()
		msg = fmt.Sprintf("duplicate element %q", tok.Text)
	case strictjson.InvalidEscape:
		r, _ := utf8.DecodeRuneInString(doc[e.Offset+1:])
		msg = fmt.Sprintf("invalid escape '\\%c'", r)
	case strictjson.UnterminatedString, strictjson.UnterminatedEscape:
		msg = "unexpected end of input in string"
	}
	return &syntaxError{msg, e.Offset}
}
