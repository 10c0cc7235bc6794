package awsjson

import (
	"bytes"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/trent-kms/trent/internal/kmserr"
)

// The scanner's lexical half: strings, escapes, numbers and literals, each
// checked to the letter of RFC 8259 and to the stricter rules of
// checkStrict (no unpaired surrogates, numbers within float64 range).

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
