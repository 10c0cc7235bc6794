package strictjson

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// The scanner's lexical half: strings, escapes, numbers and literals, each
// to the letter of RFC 8259 and the stricter rules of this package. On a
// fault each sets s.err and reports !ok.

// str reads a string (or member name) starting at its opening quote and
// returns its content decoded from escapes: a sub-slice of the input when
// there are none, else (esc) a new copy.
func (s *Scanner[T]) str() (text T, esc, ok bool) {
	data := s.data
	start := s.pos + 1 // after the opening quote
	i := start
	// The common case: no escape. The text is valid UTF-8 (checked up
	// front), so a multi-byte sequence needs no decoding here.
	for i < len(data) && !special[data[i]] {
		i++
	}
	if i < len(data) && data[i] == '"' {
		s.pos = i + 1
		return data[start:i], false, true
	}
	s.pos = i
	var out []byte // the decoded copy
	for s.pos < len(data) {
		switch c := data[s.pos]; {
		case c == '"':
			s.pos++
			return T(out), true, true
		case c < 0x20: // §7: control characters must be escaped
			s.fail(ControlChar)
			return text, false, false
		case c == '\\':
			if out == nil {
				out = append(make([]byte, 0, s.pos-start+8), data[start:s.pos]...)
			}
			r, ok := s.escape()
			if !ok {
				return text, false, false
			}
			out = utf8.AppendRune(out, r)
		default:
			out = append(out, c)
			s.pos++
		}
	}
	s.fail(UnterminatedString)
	return text, false, false
}

// special marks the bytes that end the plain run of a string: the quote,
// the backslash and the control characters, which §7 says must be escaped.
var special = [256]bool{
	0x00: true, 0x01: true, 0x02: true, 0x03: true, 0x04: true, 0x05: true, 0x06: true, 0x07: true,
	0x08: true, 0x09: true, 0x0a: true, 0x0b: true, 0x0c: true, 0x0d: true, 0x0e: true, 0x0f: true,
	0x10: true, 0x11: true, 0x12: true, 0x13: true, 0x14: true, 0x15: true, 0x16: true, 0x17: true,
	0x18: true, 0x19: true, 0x1a: true, 0x1b: true, 0x1c: true, 0x1d: true, 0x1e: true, 0x1f: true,
	'"': true, '\\': true,
}

// escape decodes the escape sequence at s.pos (its backslash) and returns
// the rune it stands for (§7). A \u escape of a high surrogate must be
// followed at once by a \u escape of a low surrogate, and a low surrogate
// must not stand alone: encoding/json would write U+FFFD for either, so two
// different texts would read the same.
func (s *Scanner[T]) escape() (rune, bool) {
	at := s.pos
	if s.pos+1 >= len(s.data) {
		s.failAt(UnterminatedEscape, at)
		return 0, false
	}
	c := s.data[s.pos+1]
	s.pos += 2
	switch c {
	case '"', '\\', '/':
		return rune(c), true
	case 'b':
		return '\b', true
	case 'f':
		return '\f', true
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	case 't':
		return '\t', true
	case 'u':
	default:
		s.failAt(InvalidEscape, at)
		return 0, false
	}
	r, ok := s.hex4(at)
	if !ok || !utf16.IsSurrogate(r) {
		return r, ok
	}
	if r < 0xdc00 && s.pos+1 < len(s.data) && s.data[s.pos] == '\\' && s.data[s.pos+1] == 'u' {
		s.pos += 2
		lo, ok := s.hex4(s.pos - 2)
		if !ok {
			return 0, false
		}
		if pair := utf16.DecodeRune(r, lo); pair != utf8.RuneError {
			return pair, true
		}
	}
	s.failAt(UnpairedSurrogate, at)
	return 0, false
}

// hex4 reads the four hex digits of the \u escape that starts at at.
func (s *Scanner[T]) hex4(at int) (rune, bool) {
	var r rune
	for range 4 {
		if s.pos >= len(s.data) {
			s.failAt(UnterminatedEscape, at)
			return 0, false
		}
		c := s.data[s.pos]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			s.failAt(InvalidUnicodeEscape, at)
			return 0, false
		}
		r = r<<4 | rune(c)
		s.pos++
	}
	return r, true
}

// maxPlainDigits is the length up to which a number without an exponent
// cannot exceed float64's range (about 1.8e308), so it needs no parsing.
const maxPlainDigits = 300

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? (§6) and
// refuses a value beyond float64's range, which no KMS member (Integer,
// Long, Double) can hold and encoding/json cannot store in an untyped
// value (§9 allows the limit). It returns the number as written.
func (s *Scanner[T]) number() (text T, ok bool) {
	start := s.pos
	if s.data[s.pos] == '-' {
		s.pos++
	}
	switch {
	case s.pos < len(s.data) && s.data[s.pos] == '0':
		s.pos++
	case s.digits() == 0:
		s.fail(InvalidNumber)
		return text, false
	}
	if s.pos < len(s.data) && s.data[s.pos] == '.' {
		s.pos++
		if s.digits() == 0 {
			s.fail(InvalidNumber)
			return text, false
		}
	}
	exponent := s.pos < len(s.data) && (s.data[s.pos] == 'e' || s.data[s.pos] == 'E')
	if exponent {
		s.pos++
		if s.pos < len(s.data) && (s.data[s.pos] == '+' || s.data[s.pos] == '-') {
			s.pos++
		}
		if s.digits() == 0 {
			s.fail(InvalidNumber)
			return text, false
		}
	}
	text = s.data[start:s.pos]
	if exponent || len(text) > maxPlainDigits {
		// ParseFloat reports overflow as an error and rounds underflow
		// to zero, as encoding/json decodes it.
		if _, err := strconv.ParseFloat(string(text), 64); err != nil {
			s.failAt(NumberOutOfRange, start)
			return text, false
		}
	}
	return text, true
}

func (s *Scanner[T]) digits() int {
	data, i := s.data, s.pos
	for i < len(data) && data[i] >= '0' && data[i] <= '9' {
		i++
	}
	n := i - s.pos
	s.pos = i
	return n
}

// literal reads true, false or null (§3).
func (s *Scanner[T]) literal(lit string, k Kind) Kind {
	end := min(s.pos+len(lit), len(s.data))
	if string(s.data[s.pos:end]) != lit {
		return s.fail(InvalidLiteral)
	}
	s.pos = end
	return k
}
