package awsjson

import (
	"bytes"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/trent-kms/trent/internal/kmserr"
)

// maxDepth bounds the nesting of objects and arrays. KMS inputs nest at most
// a few levels (a grant's constraints, a tag list); encoding/json allows
// 10,000, which lets a 1 MiB body make the decoder recurse deeply for no
// reason (notes/reliability.md row 11).
const maxDepth = 32

// smallObject is how many member names are compared pairwise before an
// object switches to a map for its duplicate check: pairwise is cheaper and
// allocation-free for the handful of members KMS inputs have, a map keeps a
// huge adversarial object linear.
const smallObject = 16

// checkStrict validates a request body before encoding/json sees it, because
// encoding/json v1 is lenient in ways that matter for a key service
// (notes/reliability.md finding 3): it keeps the last of two duplicate
// member names, turns invalid UTF-8 and unpaired surrogate escapes into
// U+FFFD (so two different encryption contexts would bind the same AAD),
// matches member names case-insensitively, and accepts 10,000 levels of
// nesting.
//
// The body must be exactly one JSON object (RFC 8259) with optional
// surrounding whitespace, valid UTF-8, no \u escape of an unpaired UTF-16
// surrogate, no object with two members of the same (unescaped) name, no
// nesting deeper than maxDepth, and every number within float64 range. If
// root is not nil, a member name that differs only in case from a member of
// the struct it decodes into is refused as well.
//
// Errors are SerializationException with the byte offset, never body
// content.
func checkStrict(body []byte, root *shape) error {
	if !utf8.Valid(body) {
		return kmserr.Serialization("The request body is not valid UTF-8.")
	}
	s := scanner{data: body}
	s.skipSpace()
	if s.pos >= len(s.data) || s.data[s.pos] != '{' {
		return kmserr.Serialization("The request body must be a JSON object.")
	}
	if err := s.object(root, 1); err != nil {
		return err
	}
	s.skipSpace()
	if s.pos != len(s.data) {
		return s.fail("unexpected data after the JSON object")
	}
	return nil
}

// scanner is a recursive-descent JSON validator over a byte slice.
type scanner struct {
	data []byte
	pos  int
	// names holds the member names of the objects being scanned, innermost
	// last, so that small objects need no allocation of their own.
	names [][]byte
}

func (s *scanner) fail(what string) error {
	return kmserr.Serialization("The request body is not valid JSON: %s at offset %d.", what, s.pos)
}

func (s *scanner) skipSpace() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

func (s *scanner) value(sh *shape, depth int) error {
	if s.pos >= len(s.data) {
		return s.fail("unexpected end of input")
	}
	switch c := s.data[s.pos]; {
	case c == '{':
		return s.object(sh, depth+1)
	case c == '[':
		return s.array(sh, depth+1)
	case c == '"':
		_, err := s.str(false)
		return err
	case c == '-' || c >= '0' && c <= '9':
		return s.number()
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	}
	return s.fail("unexpected character")
}

func (s *scanner) object(sh *shape, depth int) error {
	if depth > maxDepth {
		return kmserr.Serialization("The request body nests objects and arrays deeper than %d levels.", maxDepth)
	}
	s.pos++ // '{'
	base := len(s.names)
	defer func() { s.names = s.names[:base] }()
	var seen map[string]struct{} // only for objects with many members
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == '}' {
		s.pos++
		return nil
	}
	for {
		s.skipSpace()
		if s.pos >= len(s.data) || s.data[s.pos] != '"' {
			return s.fail("expected a member name")
		}
		at := s.pos
		name, err := s.str(true)
		if err != nil {
			return err
		}
		if seen == nil && len(s.names)-base < smallObject {
			for _, n := range s.names[base:] {
				if bytes.Equal(n, name) {
					return duplicate(at)
				}
			}
			s.names = append(s.names, name)
		} else {
			if seen == nil {
				seen = make(map[string]struct{}, 2*smallObject)
				for _, n := range s.names[base:] {
					seen[string(n)] = struct{}{}
				}
			}
			if _, dup := seen[string(name)]; dup {
				return duplicate(at)
			}
			seen[string(name)] = struct{}{}
		}
		child, err := sh.member(name, at)
		if err != nil {
			return err
		}
		s.skipSpace()
		if s.pos >= len(s.data) || s.data[s.pos] != ':' {
			return s.fail("expected ':'")
		}
		s.pos++
		s.skipSpace()
		if err := s.value(child, depth); err != nil {
			return err
		}
		s.skipSpace()
		if s.pos >= len(s.data) {
			return s.fail("unexpected end of input")
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return nil
		default:
			return s.fail("expected ',' or '}'")
		}
	}
}

func duplicate(at int) error {
	return kmserr.Serialization("The request body has an object with a duplicate member name at offset %d.", at)
}

func (s *scanner) array(sh *shape, depth int) error {
	if depth > maxDepth {
		return kmserr.Serialization("The request body nests objects and arrays deeper than %d levels.", maxDepth)
	}
	s.pos++ // '['
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.pos++
		return nil
	}
	for {
		s.skipSpace()
		if err := s.value(sh.element(), depth); err != nil {
			return err
		}
		s.skipSpace()
		if s.pos >= len(s.data) {
			return s.fail("unexpected end of input")
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return nil
		default:
			return s.fail("expected ',' or ']'")
		}
	}
}

// str scans a string starting at its opening quote. If want is set it
// returns the unescaped content (a sub-slice of the body when there are no
// escapes), which is what duplicate detection and member matching compare:
// {"a":1,"\u0061":2} has a duplicate.
func (s *scanner) str(want bool) ([]byte, error) {
	s.pos++ // opening quote
	start := s.pos
	var out []byte // unescaped copy, only once an escape is seen
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		switch {
		case c == '"':
			raw := s.data[start:s.pos]
			s.pos++
			if out != nil {
				return out, nil
			}
			return raw, nil
		case c < 0x20:
			return nil, s.fail("control character in string")
		case c == '\\':
			if want && out == nil {
				out = append([]byte(nil), s.data[start:s.pos]...)
			}
			r, err := s.escape()
			if err != nil {
				return nil, err
			}
			if want {
				out = utf8.AppendRune(out, r)
			}
		default:
			// The body is valid UTF-8 (checked up front), so multi-byte
			// sequences need no decoding here.
			if out != nil {
				out = append(out, c)
			}
			s.pos++
		}
	}
	return nil, s.fail("unterminated string")
}

// escape decodes one escape sequence at s.pos (the backslash) and returns
// the rune it stands for. A \u escape of a high surrogate must be followed
// by a \u escape of a low surrogate; anything else is refused instead of
// becoming U+FFFD.
func (s *scanner) escape() (rune, error) {
	if s.pos+1 >= len(s.data) {
		return 0, s.fail("unterminated escape")
	}
	c := s.data[s.pos+1]
	s.pos += 2
	switch c {
	case '"', '\\', '/':
		return rune(c), nil
	case 'b':
		return '\b', nil
	case 'f':
		return '\f', nil
	case 'n':
		return '\n', nil
	case 'r':
		return '\r', nil
	case 't':
		return '\t', nil
	case 'u':
	default:
		s.pos -= 2
		return 0, s.fail("invalid escape")
	}
	r, ok := s.hex4()
	if !ok {
		return 0, s.fail("invalid \\u escape")
	}
	if !utf16.IsSurrogate(r) {
		return r, nil
	}
	at := s.pos - 6
	if r < 0xdc00 && s.pos+1 < len(s.data) && s.data[s.pos] == '\\' && s.data[s.pos+1] == 'u' {
		s.pos += 2
		lo, ok := s.hex4()
		if !ok {
			return 0, s.fail("invalid \\u escape")
		}
		if pair := utf16.DecodeRune(r, lo); pair != utf8.RuneError {
			return pair, nil
		}
	}
	return 0, kmserr.Serialization("The request body has a \\u escape of an unpaired UTF-16 surrogate at offset %d.", at)
}

// hex4 reads the four hex digits of a \u escape.
func (s *scanner) hex4() (rune, bool) {
	if s.pos+4 > len(s.data) {
		return 0, false
	}
	var r rune
	for _, c := range s.data[s.pos : s.pos+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	s.pos += 4
	return r, true
}

// number scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? and refuses
// values beyond float64's range, which encoding/json cannot store in an
// untyped value and which no KMS member (Integer, Long, Double) can hold.
func (s *scanner) number() error {
	start := s.pos
	if s.data[s.pos] == '-' {
		s.pos++
	}
	switch {
	case s.pos < len(s.data) && s.data[s.pos] == '0':
		s.pos++
	case s.digits() == 0:
		return s.fail("invalid number")
	}
	if s.pos < len(s.data) && s.data[s.pos] == '.' {
		s.pos++
		if s.digits() == 0 {
			return s.fail("invalid number")
		}
	}
	if s.pos < len(s.data) && (s.data[s.pos] == 'e' || s.data[s.pos] == 'E') {
		s.pos++
		if s.pos < len(s.data) && (s.data[s.pos] == '+' || s.data[s.pos] == '-') {
			s.pos++
		}
		if s.digits() == 0 {
			return s.fail("invalid number")
		}
	}
	if _, err := strconv.ParseFloat(string(s.data[start:s.pos]), 64); err != nil {
		return kmserr.Serialization("The request body has a number out of range at offset %d.", start)
	}
	return nil
}

func (s *scanner) digits() int {
	n := 0
	for s.pos < len(s.data) && s.data[s.pos] >= '0' && s.data[s.pos] <= '9' {
		s.pos++
		n++
	}
	return n
}

func (s *scanner) literal(lit string) error {
	if !bytes.HasPrefix(s.data[s.pos:], []byte(lit)) {
		return s.fail("invalid literal")
	}
	s.pos += len(lit)
	return nil
}
