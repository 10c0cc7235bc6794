package cipher

import (
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"unicode/utf8"
)

// ErrInvalidEncryptionContext is returned for an encryption context that
// cannot be bound as associated data: a key or value that is not valid UTF-8,
// or one too long to length-prefix. Invalid UTF-8 is refused rather than
// replaced with U+FFFD, because replacement would let two different contexts
// authenticate as the same one (reliability notes, finding 3).
var ErrInvalidEncryptionContext = errors.New("cipher: invalid encryption context")

// EncodeEncryptionContext returns the canonical byte encoding of an
// encryption context, used as part of the AEAD associated data.
//
// The encoding is
//
//	count (uint32 big-endian)
//	then, for each pair in ascending order of key bytes:
//	    len(key) (uint32 big-endian) ‖ key ‖ len(value) (uint32 big-endian) ‖ value
//
// It is injective: the pairs are sorted, map keys are unique, and every
// string is length-prefixed, so the bytes parse back to exactly one context.
// A separator-based encoding would not be ({"a":"b=c"} and {"a=b":"c"}).
// AWS treats a missing context and an empty one as the same (Decrypt with no
// context opens a ciphertext made with none), so nil and an empty map both
// encode as four zero bytes.
//
// The encoding checks only what it needs to be unambiguous; AWS's limits on
// key and value length are the service's to enforce.
func EncodeEncryptionContext(ec map[string]string) ([]byte, error) {
	if uint64(len(ec)) > math.MaxUint32 {
		return nil, ErrInvalidEncryptionContext
	}
	keys := make([]string, 0, len(ec))
	size := 4
	for k, v := range ec {
		if !utf8.ValidString(k) || !utf8.ValidString(v) ||
			uint64(len(k)) > math.MaxUint32 || uint64(len(v)) > math.MaxUint32 {
			return nil, ErrInvalidEncryptionContext
		}
		keys = append(keys, k)
		size += 8 + len(k) + len(v)
	}
	// Go compares strings bytewise, which is the order the encoding promises
	// (and the order of UTF-8 code points, since the strings are valid).
	slices.Sort(keys)

	out := make([]byte, 0, size)
	out = binary.BigEndian.AppendUint32(out, uint32(len(keys)))
	for _, k := range keys {
		v := ec[k]
		out = binary.BigEndian.AppendUint32(out, uint32(len(k)))
		out = append(out, k...)
		out = binary.BigEndian.AppendUint32(out, uint32(len(v)))
		out = append(out, v...)
	}
	return out, nil
}
