package awsjson

import (
	"bytes"
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
