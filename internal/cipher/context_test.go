package cipher

import (
	"bytes"
	"encoding/binary"
	"errors"
	"maps"
	mathrand "math/rand/v2"
	"testing"
)

// decodeEncryptionContext is the strict inverse of EncodeEncryptionContext,
// used only to prove the encoding injective: if decode(encode(x)) == x for
// every x, no two contexts share an encoding. It refuses trailing bytes,
// unsorted or repeated keys, so it accepts exactly the canonical encodings.
func decodeEncryptionContext(b []byte) (map[string]string, error) {
	next := func() (string, error) {
		if len(b) < 4 {
			return "", errors.New("short length")
		}
		n := binary.BigEndian.Uint32(b)
		b = b[4:]
		if uint64(len(b)) < uint64(n) {
			return "", errors.New("short string")
		}
		s := string(b[:n])
		b = b[n:]
		return s, nil
	}
	if len(b) < 4 {
		return nil, errors.New("short count")
	}
	count := binary.BigEndian.Uint32(b)
	b = b[4:]
	ec := map[string]string{}
	prev := ""
	for i := uint32(0); i < count; i++ {
		k, err := next()
		if err != nil {
			return nil, err
		}
		v, err := next()
		if err != nil {
			return nil, err
		}
		if i > 0 && k <= prev {
			return nil, errors.New("keys not strictly ascending")
		}
		prev = k
		ec[k] = v
	}
	if len(b) != 0 {
		return nil, errors.New("trailing bytes")
	}
	return ec, nil
}

func mustEncode(t *testing.T, ec map[string]string) []byte {
	t.Helper()
	b, err := EncodeEncryptionContext(ec)
	if err != nil {
		t.Fatalf("EncodeEncryptionContext(%q): %v", ec, err)
	}
	return b
}

func TestEncodeEncryptionContextExactBytes(t *testing.T) {
	tests := []struct {
		name string
		ec   map[string]string
		want []byte
	}{
		{"nil", nil, []byte{0, 0, 0, 0}},
		{"empty", map[string]string{}, []byte{0, 0, 0, 0}},
		{"one pair", map[string]string{"a": "bc"}, []byte{
			0, 0, 0, 1,
			0, 0, 0, 1, 'a',
			0, 0, 0, 2, 'b', 'c',
		}},
		{"sorted by key bytes, not insertion or case-folded", map[string]string{"b": "", "B": "x", "a": "y"}, []byte{
			0, 0, 0, 3,
			0, 0, 0, 1, 'B', 0, 0, 0, 1, 'x',
			0, 0, 0, 1, 'a', 0, 0, 0, 1, 'y',
			0, 0, 0, 1, 'b', 0, 0, 0, 0,
		}},
		{"empty key and value are encoded, not dropped", map[string]string{"": ""}, []byte{
			0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
		}},
		{"multi-byte UTF-8 counted in bytes", map[string]string{"é": "日"}, []byte{
			0, 0, 0, 1, 0, 0, 0, 2, 0xc3, 0xa9, 0, 0, 0, 3, 0xe6, 0x97, 0xa5,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustEncode(t, tt.ec); !bytes.Equal(got, tt.want) {
				t.Fatalf("got %x, want %x", got, tt.want)
			}
		})
	}
}

// TestEncodeEncryptionContextInjective lists contexts that a careless
// encoding (concatenation, separators, dropping empties) would confuse.
func TestEncodeEncryptionContextInjective(t *testing.T) {
	contexts := []map[string]string{
		nil,
		{"": ""},
		{"a": ""},
		{"": "a"},
		{"a": "bc"},
		{"ab": "c"},
		{"abc": ""},
		{"a": "b", "c": "d"},
		{"a": "b\x00c\x00d"},
		{"a": "b\x00\x00\x00\x01c"},
		{"a\x00b": "c\x00d"},
		{"a": "b=c"},
		{"a=b": "c"},
		{"a": "b,c=d"},
		{"a": "b", "c": ""},
		{"a": "b", "": "c"},
		{"A": "b"},
		{"a": "B"},
		{"a": "b "},
		{"\x00\x00\x00\x01": "a"},
		{"a": "\x00\x00\x00\x01\x00\x00\x00\x01b\x00\x00\x00\x00"},
	}
	seen := map[string]int{}
	for i, ec := range contexts {
		enc := string(mustEncode(t, ec))
		if j, dup := seen[enc]; dup {
			t.Errorf("contexts %q and %q encode identically as %x", contexts[j], ec, enc)
		}
		seen[enc] = i
		back, err := decodeEncryptionContext([]byte(enc))
		if err != nil || !maps.Equal(back, ec) {
			t.Errorf("decode(encode(%q)) = %q, %v", ec, back, err)
		}
	}
}

// TestEncodeEncryptionContextRoundTripRandom checks decode(encode(x)) == x on
// random contexts drawn from a small alphabet that makes near-collisions
// (shared prefixes, NULs, length-like bytes) likely.
func TestEncodeEncryptionContextRoundTripRandom(t *testing.T) {
	r := mathrand.New(mathrand.NewPCG(1, 2))
	alphabet := []string{"", "a", "b", "\x00", "\x01", "é", "=", ","}
	str := func() string {
		var s string
		for range r.IntN(4) {
			s += alphabet[r.IntN(len(alphabet))]
		}
		return s
	}
	for range 20000 {
		ec := map[string]string{}
		for range r.IntN(4) {
			ec[str()] = str()
		}
		enc := mustEncode(t, ec)
		back, err := decodeEncryptionContext(enc)
		if err != nil || !maps.Equal(back, ec) {
			t.Fatalf("decode(encode(%q)) = %q, %v", ec, back, err)
		}
	}
}

func TestEncodeEncryptionContextRejectsInvalidUTF8(t *testing.T) {
	for _, ec := range []map[string]string{
		{"\xff": "v"},
		{"k": "\xff"},
		{"ok": "ok", "k": "a\xc3"},      // truncated two-byte sequence
		{"k": "\xed\xa0\x80"},           // UTF-16 surrogate, not valid UTF-8
		{"k\xc0\xaf": "v"},              // overlong encoding of '/'
		{"k": "valid", "\xef\xbf": "v"}, // truncated three-byte sequence
	} {
		if _, err := EncodeEncryptionContext(ec); !errors.Is(err, ErrInvalidEncryptionContext) {
			t.Errorf("EncodeEncryptionContext(%q) error = %v, want ErrInvalidEncryptionContext", ec, err)
		}
	}
	// U+FFFD itself is valid and must not be confused with replaced bytes.
	if _, err := EncodeEncryptionContext(map[string]string{"k": "\uFFFD"}); err != nil {
		t.Fatalf("U+FFFD rejected: %v", err)
	}
}
