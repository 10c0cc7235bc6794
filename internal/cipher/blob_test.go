package cipher

import (
	"bytes"
	"errors"
	"testing"

	"github.com/trent-kms/trent/internal/randtest"
)

const (
	testUUIDKeyID = "1234abcd-12ab-34cd-56ef-1234567890ab"
	testMRKKeyID  = "mrk-1234abcd12ab34cd56ef1234567890ab"
)

func TestParseHeaderBothKeyIDKinds(t *testing.T) {
	key := newTestKey(t, 0x11)
	for _, h := range []Header{
		{KeyID: testUUIDKeyID, MaterialVersion: 1},
		{KeyID: testMRKKeyID, MaterialVersion: 0xfffffffe},
		{KeyID: "00000000-0000-0000-0000-000000000000", MaterialVersion: 0},
		{KeyID: "mrk-ffffffffffffffffffffffffffffffff", MaterialVersion: 0xffffffff},
	} {
		blob, err := key.Encrypt(h, []byte("x"), nil, nil)
		if err != nil {
			t.Fatalf("Encrypt(%+v): %v", h, err)
		}
		got, err := ParseHeader(blob)
		if err != nil || got != h {
			t.Fatalf("ParseHeader = %+v, %v; want %+v", got, err, h)
		}
	}

	// The raw bytes and kind are where the format document says.
	blob, err := key.Encrypt(Header{KeyID: testMRKKeyID, MaterialVersion: 0x01020304}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantPrefix := []byte{0x01, 0x02,
		0x12, 0x34, 0xab, 0xcd, 0x12, 0xab, 0x34, 0xcd, 0x56, 0xef, 0x12, 0x34, 0x56, 0x78, 0x90, 0xab,
		0x01, 0x02, 0x03, 0x04}
	if !bytes.HasPrefix(blob, wantPrefix) {
		t.Fatalf("header = %x, want prefix %x", blob[:headerLen], wantPrefix)
	}
}

func TestParseHeaderMalformed(t *testing.T) {
	key := newTestKey(t, 0x11)
	valid, err := key.Encrypt(Header{KeyID: testUUIDKeyID, MaterialVersion: 1}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(valid) != BlobOverhead {
		t.Fatalf("empty plaintext blob is %d bytes, want %d", len(valid), BlobOverhead)
	}
	withByte := func(i int, b byte) []byte {
		c := bytes.Clone(valid)
		c[i] = b
		return c
	}
	tests := map[string][]byte{
		"nil":                   nil,
		"one byte":              {0x01},
		"header only, no tag":   valid[:headerLen],
		"one short":             valid[:BlobOverhead-1],
		"version 0":             withByte(offVersion, 0x00),
		"version 2":             withByte(offVersion, 0x02),
		"version 0xff":          withByte(offVersion, 0xff),
		"kind 0":                withByte(offKind, 0x00),
		"kind 3":                withByte(offKind, 0x03),
		"kind 0xff":             withByte(offKind, 0xff),
		"text, not a blob":      []byte("1234abcd-12ab-34cd-56ef-1234567890ab and some more bytes to be long enough"),
		"all zero, long enough": make([]byte, 200),
	}
	for name, blob := range tests {
		if _, err := ParseHeader(blob); !errors.Is(err, ErrMalformedCiphertext) {
			t.Errorf("%s: ParseHeader error = %v, want ErrMalformedCiphertext", name, err)
		}
	}
}

func TestKeyIDForms(t *testing.T) {
	valid := []string{
		testUUIDKeyID,
		testMRKKeyID,
		"89abcdef-0123-4567-89ab-cdef01234567",
		"mrk-00000000000000000000000000000000",
	}
	for _, id := range valid {
		kind, raw, ok := parseKeyID(id)
		if !ok {
			t.Errorf("parseKeyID(%q) rejected a valid key ID", id)
			continue
		}
		back, ok := formatKeyID(kind, raw[:])
		if !ok || back != id {
			t.Errorf("formatKeyID(parseKeyID(%q)) = %q", id, back)
		}
	}

	invalid := []string{
		"",
		"1234ABCD-12AB-34CD-56EF-1234567890AB",   // AWS key IDs are lowercase
		"1234abcd-12ab-34cd-56ef-1234567890aB",   // one uppercase digit
		"mrk-1234ABCD12AB34CD56EF1234567890AB",   // uppercase mrk
		"MRK-1234abcd12ab34cd56ef1234567890ab",   // uppercase prefix
		"1234abcd12ab34cd56ef1234567890ab",       // UUID without dashes
		"1234abcd-12ab-34cd-56ef-1234567890a",    // one digit short
		"1234abcd-12ab-34cd-56ef-1234567890abc",  // one digit long
		"1234abcd-12ab-34cd-56ef_1234567890ab",   // wrong separator
		"1234abc-d12ab-34cd-56ef-1234567890ab",   // dash moved
		"1234abcd-12ab-34cd-56eg-1234567890ab",   // not hex
		"mrk-1234abcd12ab34cd56ef1234567890a",    // mrk one short
		"mrk-1234abcd12ab34cd56ef1234567890ab0",  // mrk one long
		"mrk-1234abcd-12ab-34cd-56ef-1234567890", // mrk with dashes
		"mrk-1234abcd12ab34cd56ef1234567890a ",   // trailing space
		" 234abcd-12ab-34cd-56ef-1234567890ab",   // leading space
		"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
		"alias/ExampleAlias",
	}
	key := newTestKey(t, 0x11)
	for _, id := range invalid {
		if _, _, ok := parseKeyID(id); ok {
			t.Errorf("parseKeyID(%q) accepted an invalid key ID", id)
		}
		if _, err := key.Encrypt(Header{KeyID: id}, []byte("x"), nil, randtest.Failing{}); !errors.Is(err, ErrInvalidKeyID) {
			t.Errorf("Encrypt with key ID %q: error = %v, want ErrInvalidKeyID", id, err)
		}
	}
}
