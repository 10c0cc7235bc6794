package awsjson

import (
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/strictjson"
)

// maxDepth bounds the nesting of objects and arrays. KMS inputs nest at most
// a few levels (a grant's constraints, a tag list); encoding/json allows
// 10,000, which lets a 1 MiB body make the decoder recurse deeply for no
// reason (notes/reliability.md row 11).
const maxDepth = 32

// checkStrict validates a request body before encoding/json sees it, because
// encoding/json v1 is lenient in ways that matter for a key service
// (notes/reliability.md finding 3): it keeps the last of two duplicate
// member names, turns invalid UTF-8 and unpaired surrogate escapes into
// U+FFFD (so two different encryption contexts would bind the same AAD),
// matches member names case-insensitively, and accepts 10,000 levels of
// nesting.
//
// The body must be exactly one JSON object that strictjson accepts with
// maxDepth (valid UTF-8, no unpaired surrogate escape, no duplicate member
// name, numbers within float64 range, nothing after the object). If root is
// not nil, the body is also held to the shape of the struct it decodes
// into: a member name that differs only in case from a known member is
// refused, and so is a null map value or list element.
//
// Errors are SerializationException with the byte offset, never body
// content.
func checkStrict(body []byte, root *shape) error {
	s := strictjson.NewScanner(body, maxDepth)
	tok, err := s.Next()
	if e, ok := err.(*strictjson.SyntaxError); ok && e.Code == strictjson.InvalidUTF8 {
		return kmserr.Serialization("The request body is not valid UTF-8.")
	}
	if err != nil || tok.Kind != strictjson.BeginObject {
		return kmserr.Serialization("The request body must be a JSON object.")
	}
	if err := walk(s, root); err != nil {
		return err
	}
	if _, err := s.Next(); err != nil { // End, or data after the object
		return syntaxError(err)
	}
	return nil
}

// walk checks the rest of the object or array the scanner has just opened
// against sh. The recursion is as deep as the body nests, which the scanner
// bounds by maxDepth.
func walk(s *strictjson.Scanner[[]byte], sh *shape) error {
	for {
		tok, err := s.Next()
		if err != nil {
			return syntaxError(err)
		}
		if tok.Kind == strictjson.EndObject || tok.Kind == strictjson.EndArray {
			return nil
		}
		elem := sh.element()
		if tok.Kind == strictjson.Name {
			if elem, err = sh.member(tok.Text, tok.Offset); err != nil {
				return err
			}
			if tok, err = s.Next(); err != nil {
				return syntaxError(err)
			}
		}
		switch tok.Kind {
		case strictjson.Null:
			if sh.collection() {
				return nullInCollection(tok.Offset)
			}
		case strictjson.BeginObject, strictjson.BeginArray:
			if err := walk(s, elem); err != nil {
				return err
			}
		}
	}
}

// nullInCollection refuses a null map value or list element. In AWS JSON a
// null structure member means the member is absent, but maps and lists are
// not sparse: encoding/json would decode {"a":null} in an encryption
// context as "a":"", binding a context the caller did not send.
func nullInCollection(at int) error {
	return kmserr.Serialization(
		"The request body has a null value at offset %d inside a map or list; only a structure member may be null.", at)
}

// syntaxError words a scanner error for the client: what and where, never
// what the body held.
func syntaxError(err error) error {
	e, ok := err.(*strictjson.SyntaxError)
	if !ok {
		return kmserr.Internal(err)
	}
	switch e.Code {
	case strictjson.TooDeep:
		return kmserr.Serialization("The request body nests objects and arrays deeper than %d levels.", maxDepth)
	case strictjson.DuplicateName:
		return kmserr.Serialization("The request body has an object with a duplicate member name at offset %d.", e.Offset)
	case strictjson.UnpairedSurrogate:
		return kmserr.Serialization("The request body has a \\u escape of an unpaired UTF-16 surrogate at offset %d.", e.Offset)
	case strictjson.NumberOutOfRange:
		return kmserr.Serialization("The request body has a number out of range at offset %d.", e.Offset)
	case strictjson.TrailingData:
		return kmserr.Serialization("The request body is not valid JSON: unexpected data after the JSON object at offset %d.", e.Offset)
	}
	return kmserr.Serialization("The request body is not valid JSON: %s at offset %d.", e.Code, e.Offset)
}
