package policy

import (
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
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

// scanner is a strict RFC 8259 parser over a string. Unlike encoding/json it
// refuses duplicate member names (compared after unescaping, so "Effect" and
// "\u0045ffect" collide), invalid UTF-8, unpaired surrogate escapes, nesting
// beyond maxDepth and anything after the top-level value.
type scanner struct {
	s     string
	i     int
	depth int
}

// scanJSON parses one JSON value that must fill all of s, save whitespace.
func scanJSON(s string) (value, error) {
	if !utf8.ValidString(s) {
		off := 0
		for off < len(s) {
			r, n := utf8.DecodeRuneInString(s[off:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			off += n
		}
		return value{}, &syntaxError{"invalid UTF-8", off}
	}
	sc := &scanner{s: s}
	sc.skipSpace()
	v, err := sc.value()
	if err != nil {
		return value{}, err
	}
	sc.skipSpace()
	if sc.i != len(sc.s) {
		return value{}, sc.fail("unexpected data after the top-level value")
	}
	return v, nil
}

func (sc *scanner) fail(msg string) error { return &syntaxError{msg, sc.i} }

// skipSpace skips the four whitespace characters RFC 8259 §2 allows.
func (sc *scanner) skipSpace() {
	for sc.i < len(sc.s) {
		switch sc.s[sc.i] {
		case ' ', '\t', '\n', '\r':
			sc.i++
		default:
			return
		}
	}
}

func (sc *scanner) value() (value, error) {
	if sc.i >= len(sc.s) {
		return value{}, sc.fail("unexpected end of input")
	}
	switch c := sc.s[sc.i]; {
	case c == '{':
		return sc.object()
	case c == '[':
		return sc.array()
	case c == '"':
		s, err := sc.str()
		return value{kind: kindString, text: s}, err
	case c == '-' || (c >= '0' && c <= '9'):
		return sc.number()
	case strings.HasPrefix(sc.s[sc.i:], "true"):
		sc.i += len("true")
		return value{kind: kindBool, text: "true"}, nil
	case strings.HasPrefix(sc.s[sc.i:], "false"):
		sc.i += len("false")
		return value{kind: kindBool, text: "false"}, nil
	case strings.HasPrefix(sc.s[sc.i:], "null"):
		sc.i += len("null")
		return value{kind: kindNull}, nil
	default:
		r, _ := utf8.DecodeRuneInString(sc.s[sc.i:])
		return value{}, sc.fail(fmt.Sprintf("invalid character %q", r))
	}
}

func (sc *scanner) enter() error {
	sc.depth++
	if sc.depth > maxDepth {
		return sc.fail(fmt.Sprintf("nesting deeper than %d levels", maxDepth))
	}
	sc.i++ // the opening bracket
	sc.skipSpace()
	return nil
}

func (sc *scanner) object() (value, error) {
	if err := sc.enter(); err != nil {
		return value{}, err
	}
	v := value{kind: kindObject, members: []member{}}
	if sc.i < len(sc.s) && sc.s[sc.i] == '}' {
		sc.i++
		sc.depth--
		return v, nil
	}
	seen := map[string]bool{}
	for {
		if sc.i >= len(sc.s) || sc.s[sc.i] != '"' {
			return value{}, sc.fail("expected a member name")
		}
		at := sc.i
		name, err := sc.str()
		if err != nil {
			return value{}, err
		}
		if seen[name] {
			return value{}, &syntaxError{fmt.Sprintf("duplicate element %q", name), at}
		}
		seen[name] = true
		sc.skipSpace()
		if sc.i >= len(sc.s) || sc.s[sc.i] != ':' {
			return value{}, sc.fail("expected ':' after a member name")
		}
		sc.i++
		sc.skipSpace()
		val, err := sc.value()
		if err != nil {
			return value{}, err
		}
		v.members = append(v.members, member{name, val})
		sc.skipSpace()
		if done, err := sc.next('}'); done || err != nil {
			return v, err
		}
	}
}

func (sc *scanner) array() (value, error) {
	if err := sc.enter(); err != nil {
		return value{}, err
	}
	v := value{kind: kindArray, elems: []value{}}
	if sc.i < len(sc.s) && sc.s[sc.i] == ']' {
		sc.i++
		sc.depth--
		return v, nil
	}
	for {
		val, err := sc.value()
		if err != nil {
			return value{}, err
		}
		v.elems = append(v.elems, val)
		sc.skipSpace()
		if done, err := sc.next(']'); done || err != nil {
			return v, err
		}
	}
}

// next consumes the ',' between elements, or the closing bracket, in which
// case it reports done.
func (sc *scanner) next(closing byte) (done bool, err error) {
	if sc.i >= len(sc.s) {
		return false, sc.fail("unexpected end of input")
	}
	switch sc.s[sc.i] {
	case ',':
		sc.i++
		sc.skipSpace()
		return false, nil
	case closing:
		sc.i++
		sc.depth--
		return true, nil
	default:
		return false, sc.fail(fmt.Sprintf("expected ',' or %q", closing))
	}
}

// str reads a string starting at the opening quote and returns it decoded.
func (sc *scanner) str() (string, error) {
	sc.i++ // opening quote
	start := sc.i
	var b *strings.Builder // only allocated once an escape is seen
	for sc.i < len(sc.s) {
		c := sc.s[sc.i]
		switch {
		case c == '"':
			s := sc.s[start:sc.i]
			sc.i++
			if b == nil {
				return s, nil
			}
			b.WriteString(s)
			return b.String(), nil
		case c < 0x20:
			return "", sc.fail("control character in string")
		case c == '\\':
			if b == nil {
				b = &strings.Builder{}
			}
			b.WriteString(sc.s[start:sc.i])
			if err := sc.escape(b); err != nil {
				return "", err
			}
			start = sc.i
		default:
			sc.i++
		}
	}
	return "", sc.fail("unexpected end of input in string")
}

// escape decodes one escape sequence at sc.i (the backslash) into b.
func (sc *scanner) escape(b *strings.Builder) error {
	if sc.i+1 >= len(sc.s) {
		return sc.fail("unexpected end of input in string")
	}
	c := sc.s[sc.i+1]
	if r, ok := simpleEscapes[c]; ok {
		b.WriteByte(r)
		sc.i += 2
		return nil
	}
	if c != 'u' {
		return sc.fail(fmt.Sprintf("invalid escape '\\%c'", c))
	}
	r, err := sc.hex4()
	if err != nil {
		return err
	}
	switch {
	case utf16.IsSurrogate(r) && r < 0xDC00:
		// A high surrogate must be followed by an escaped low one
		// (RFC 8259 §7); encoding/json would write U+FFFD instead.
		lo := rune(-1)
		if strings.HasPrefix(sc.s[sc.i:], `\u`) {
			if lo, err = sc.hex4(); err != nil {
				return err
			}
		}
		if lo < 0xDC00 || lo > 0xDFFF {
			return sc.fail("unpaired surrogate escape")
		}
		b.WriteRune(utf16.DecodeRune(r, lo))
	case utf16.IsSurrogate(r):
		return sc.fail("unpaired surrogate escape")
	default:
		b.WriteRune(r)
	}
	return nil
}

var simpleEscapes = map[byte]byte{
	'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t',
}

// hex4 reads `\uXXXX` at sc.i.
func (sc *scanner) hex4() (rune, error) {
	if sc.i+6 > len(sc.s) {
		return 0, sc.fail(`incomplete \u escape`)
	}
	var r rune
	for _, c := range []byte(sc.s[sc.i+2 : sc.i+6]) {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, sc.fail(`invalid \u escape`)
		}
	}
	sc.i += 6
	return r, nil
}

// number reads a number per the RFC 8259 §6 grammar and keeps its text.
func (sc *scanner) number() (value, error) {
	start := sc.i
	if sc.s[sc.i] == '-' {
		sc.i++
	}
	switch {
	case sc.i < len(sc.s) && sc.s[sc.i] == '0':
		sc.i++
	case sc.digits() == 0:
		return value{}, sc.fail("invalid number")
	}
	if sc.i < len(sc.s) && sc.s[sc.i] == '.' {
		sc.i++
		if sc.digits() == 0 {
			return value{}, sc.fail("invalid number")
		}
	}
	if sc.i < len(sc.s) && (sc.s[sc.i] == 'e' || sc.s[sc.i] == 'E') {
		sc.i++
		if sc.i < len(sc.s) && (sc.s[sc.i] == '+' || sc.s[sc.i] == '-') {
			sc.i++
		}
		if sc.digits() == 0 {
			return value{}, sc.fail("invalid number")
		}
	}
	return value{kind: kindNumber, text: sc.s[start:sc.i]}, nil
}

func (sc *scanner) digits() int {
	n := 0
	for sc.i < len(sc.s) && sc.s[sc.i] >= '0' && sc.s[sc.i] <= '9' {
		sc.i++
		n++
	}
	return n
}
