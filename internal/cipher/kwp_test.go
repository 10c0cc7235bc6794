package cipher

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
)

// Every helper and test of this file carries "KWP" or "kwp" in its name.

type kwpWycheproofGroup struct {
	KeySize int `json:"keySize"`
	Tests   []struct {
		wycheproofCase
		Key hexBytes `json:"key"`
		Msg hexBytes `json:"msg"`
		CT  hexBytes `json:"ct"`
	} `json:"tests"`
}

// TestKWPWycheproof runs aes_kwp_test (AES-128, -192 and -256): every
// valid vector wraps to its ciphertext and unwraps to its message, every
// invalid one is refused with ErrUnwrap. The file has no "acceptable"
// vectors; one would only have to not panic. The SmallKey vectors (1 to 15
// bytes of material) are valid and pass: KWP itself is not the place to
// judge the material's length, the service is.
func TestKWPWycheproof(t *testing.T) {
	var valid, refused, other int
	for _, g := range loadWycheproof[kwpWycheproofGroup](t, "aes_kwp_test") {
		for _, tc := range g.Tests {
			name := fmt.Sprintf("tc%d", tc.TcID)
			if len(tc.Key)*8 != g.KeySize {
				t.Fatalf("%s: key is %d bytes in a %d-bit group", name, len(tc.Key), g.KeySize)
			}
			got, err := KeyUnwrapPad(tc.Key, tc.CT)
			switch {
			case tc.Valid():
				if err != nil || !bytes.Equal(got.Reveal(), tc.Msg) {
					t.Errorf("%s (%s): unwrap = %x, %v; want the message", name, tc.Comment, got.Reveal(), err)
				}
				ct, err := KeyWrapPad(tc.Key, tc.Msg)
				if err != nil || !bytes.Equal(ct, tc.CT) {
					t.Errorf("%s (%s): wrap = %x, %v; want %x", name, tc.Comment, ct, err, tc.CT)
				}
				valid++
			case tc.Invalid():
				if err != ErrUnwrap || got != nil {
					t.Errorf("%s (%s): unwrap = %x, %v; want ErrUnwrap", name, tc.Comment, got.Reveal(), err)
				}
				refused++
			default:
				other++
			}
		}
	}
	t.Logf("aes_kwp_test: %d valid pass, %d invalid refused, %d acceptable", valid, refused, other)
	if valid == 0 || refused == 0 {
		t.Fatal("no vectors ran")
	}
}

func kwpHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestKWPRFC5649 checks the two examples of RFC 5649 §6 (AES-192), one
// with a single block after padding and one with several.
func TestKWPRFC5649(t *testing.T) {
	kek := kwpHex(t, "5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8")
	for _, c := range []struct{ key, wrapped string }{
		{"c37b7e6492584340bed12207808941155068f738", "138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a"},
		{"466f7250617369", "afbeb0f07dfbf5419200f2ccb50bb24f"},
	} {
		key, want := kwpHex(t, c.key), kwpHex(t, c.wrapped)
		got, err := KeyWrapPad(kek, key)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("wrap %s = %x, %v; want %s", c.key, got, err, c.wrapped)
		}
		un, err := KeyUnwrapPad(kek, want)
		if err != nil || !bytes.Equal(un.Reveal(), key) {
			t.Errorf("unwrap %s = %x, %v; want %s", c.wrapped, un.Reveal(), err, c.key)
		}
	}
}

// TestKWPMatchesOpenSSL compares KeyWrapPad with the wraps that OpenSSL's
// id-aes256-wrap-pad made of the import fixtures (testdata/importwrap).
func TestKWPMatchesOpenSSL(t *testing.T) {
	kek := importFixture(t, "aes_key.bin")
	for _, m := range importFixtureMaterials {
		want := importFixture(t, "kwp_"+m.name+".bin")
		got, err := KeyWrapPad(kek, importFixture(t, m.file))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: wrap differs from OpenSSL's (%v)", m.name, err)
		}
	}
}

// TestKWPRoundTrip wraps and unwraps every length around the block and
// single-block boundaries under each AES key size.
func TestKWPRoundTrip(t *testing.T) {
	for _, size := range []int{16, 24, 32} {
		kek := bytes.Repeat([]byte{byte(size)}, size)
		for n := 1; n <= 70; n++ {
			msg := bytes.Repeat([]byte{0xff}, n) // 0xff: padding must not absorb it
			ct, err := KeyWrapPad(kek, msg)
			if err != nil {
				t.Fatalf("AES-%d, %d bytes: %v", size*8, n, err)
			}
			if want := 8 + (n+7)/8*8; len(ct) != want {
				t.Fatalf("AES-%d, %d bytes: wrap is %d bytes, want %d", size*8, n, len(ct), want)
			}
			got, err := KeyUnwrapPad(kek, ct)
			if err != nil || !bytes.Equal(got.Reveal(), msg) {
				t.Fatalf("AES-%d, %d bytes: unwrap = %x, %v", size*8, n, got.Reveal(), err)
			}
			// The result is a copy: wiping it leaves the ciphertext be,
			// and changing the ciphertext leaves the result be.
			ct[len(ct)-1] ^= 1
			if !bytes.Equal(got.Reveal(), msg) {
				t.Fatalf("AES-%d, %d bytes: result aliases the ciphertext", size*8, n)
			}
		}
	}
}

// TestKWPRefuses covers what Wycheproof does not: bad key-encryption keys
// and plaintexts (caller errors, not ErrUnwrap), every changed byte, a
// wrong key and lengths that are not whole blocks.
func TestKWPRefuses(t *testing.T) {
	kek := bytes.Repeat([]byte{7}, 32)
	for _, bad := range [][]byte{nil, make([]byte, 15), make([]byte, 33), make([]byte, 64)} {
		if _, err := KeyWrapPad(bad, []byte("material")); err == nil || errors.Is(err, ErrUnwrap) {
			t.Errorf("wrap under a %d-byte key: %v", len(bad), err)
		}
		if _, err := KeyUnwrapPad(bad, make([]byte, 24)); err == nil || errors.Is(err, ErrUnwrap) {
			t.Errorf("unwrap under a %d-byte key: %v", len(bad), err)
		}
	}
	if _, err := KeyWrapPad(kek, nil); err == nil {
		t.Error("wrapping nothing succeeded")
	}
	msg := []byte("twenty-one bytes long") // padded: two blocks and a half
	ct, err := KeyWrapPad(kek, msg)
	if err != nil {
		t.Fatal(err)
	}
	kwpMustFail := func(what string, kek, ct []byte) {
		t.Helper()
		if got, err := KeyUnwrapPad(kek, ct); err != ErrUnwrap || got != nil {
			t.Errorf("%s: unwrap = %x, %v; want ErrUnwrap", what, got.Reveal(), err)
		}
	}
	for i := range ct {
		for _, bit := range []byte{0x01, 0x80} {
			c := bytes.Clone(ct)
			c[i] ^= bit
			kwpMustFail(fmt.Sprintf("byte %d ^ %#x", i, bit), kek, c)
		}
	}
	kwpMustFail("wrong key", bytes.Repeat([]byte{8}, 32), ct)
	kwpMustFail("AES-128 key", kek[:16], ct)
	for _, n := range []int{0, 1, 8, 15, 17, len(ct) - 8, len(ct) - 1} {
		kwpMustFail(fmt.Sprintf("truncated to %d", n), kek, ct[:n])
	}
	kwpMustFail("extended by a byte", kek, append(bytes.Clone(ct), 0))
	kwpMustFail("extended by a block", kek, append(bytes.Clone(ct), make([]byte, 8)...))
}
