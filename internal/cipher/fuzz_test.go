package cipher

import (
	"bytes"
	"testing"

	"github.com/trent-kms/trent/internal/randtest"
)

// FuzzParseAndDecrypt feeds arbitrary bytes to the blob parser and to
// Decrypt (reliability goal G1: no panics). Each input is used twice:
//
//   - as a blob on its own: where ParseHeader accepts it, formatting the
//     parsed header again must reproduce the input's header bytes, so the
//     parser has exactly one reading of every header it accepts; and Decrypt
//     must fail unless the input is the one valid blob;
//   - as an XOR mask over a valid blob (cut or extended to the input's
//     length): any result other than the valid blob itself must not decrypt.
func FuzzParseAndDecrypt(f *testing.F) {
	key := newTestKey(f, 0x66)
	ec := map[string]string{"fuzz": "context"}
	plaintext := []byte("fuzzed plaintext")
	valid, err := key.Encrypt(Header{KeyID: testUUIDKeyID, MaterialVersion: 5}, plaintext, ec, &randtest.Counting{})
	if err != nil {
		f.Fatal(err)
	}
	mrk, err := key.Encrypt(Header{KeyID: testMRKKeyID, MaterialVersion: 6}, nil, nil, &randtest.Counting{Next: 9})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add(mrk)
	f.Add(valid[:headerLen])
	f.Add(make([]byte, len(valid)))
	f.Add([]byte{0x01, 0x01})
	f.Add([]byte{})

	f.Fuzz(func(t *testing.T, data []byte) {
		if h, err := ParseHeader(data); err == nil {
			again, err := appendHeader(nil, h, data[offSalt:headerLen])
			if err != nil {
				t.Fatalf("ParseHeader returned key ID %q that appendHeader rejects", h.KeyID)
			}
			if !bytes.Equal(again, data[:headerLen]) {
				t.Fatalf("header does not round-trip:\n in  %x\n out %x", data[:headerLen], again)
			}
		}
		if pt, err := key.Decrypt(data, ec); err == nil {
			if !bytes.Equal(data, valid) || !bytes.Equal(pt, plaintext) {
				t.Fatalf("Decrypt accepted a blob it never made: %x", data)
			}
		} else if err != ErrDecrypt {
			t.Fatalf("Decrypt error = %v, want ErrDecrypt", err)
		}

		mutated := make([]byte, len(data))
		copy(mutated, valid)
		for i := range mutated {
			mutated[i] ^= data[i]
		}
		if _, err := key.Decrypt(mutated, ec); err == nil && !bytes.Equal(mutated, valid) {
			t.Fatalf("Decrypt accepted a mutated blob: %x", mutated)
		}
	})
}
