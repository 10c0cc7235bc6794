package cipher

import (
	"bytes"
	"crypto/aes"
	gocipher "crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"regexp"
	"testing"

	"github.com/trent-kms/trent/internal/randtest"
	"github.com/trent-kms/trent/internal/secret"
)

// testMaterial returns 32 bytes first, first+1, ... as key material.
func testMaterial(first byte) *secret.Bytes {
	b := make([]byte, SymmetricKeySize)
	for i := range b {
		b[i] = first + byte(i)
	}
	return secret.New(b)
}

func newTestKey(t testing.TB, first byte) *SymmetricKey {
	t.Helper()
	k, err := NewSymmetricKey(testMaterial(first))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var testHeader = Header{KeyID: testUUIDKeyID, MaterialVersion: 3}

func TestRoundTrip(t *testing.T) {
	key := newTestKey(t, 0x20)
	contexts := []map[string]string{
		nil,
		{"purpose": "test"},
		{"a": "1", "b": "2", "c": "3"},
		{"": ""},
		{"unicode ключ": "值 ✓"},
	}
	for _, size := range []int{0, 1, 15, 16, 17, 1024, 4096} {
		plaintext := bytes.Repeat([]byte{0x5a}, size)
		for _, ec := range contexts {
			for _, h := range []Header{testHeader, {KeyID: testMRKKeyID, MaterialVersion: 9}} {
				blob, err := key.Encrypt(h, plaintext, ec, nil)
				if err != nil {
					t.Fatalf("Encrypt(size %d, ec %q): %v", size, ec, err)
				}
				if len(blob) != size+BlobOverhead {
					t.Fatalf("blob length %d, want %d", len(blob), size+BlobOverhead)
				}
				got, err := key.Decrypt(blob, ec)
				if err != nil || !bytes.Equal(got, plaintext) {
					t.Fatalf("Decrypt(size %d, ec %q) = %d bytes, %v", size, ec, len(got), err)
				}
				if hdr, err := ParseHeader(blob); err != nil || hdr != h {
					t.Fatalf("ParseHeader = %+v, %v; want %+v", hdr, err, h)
				}
			}
		}
	}
}

// TestBlobSizeLimit: AWS caps CiphertextBlob at 6144 bytes and Encrypt's
// plaintext at 4096; the largest Encrypt must fit with room to spare.
func TestBlobSizeLimit(t *testing.T) {
	blob, err := newTestKey(t, 0).Encrypt(testHeader, make([]byte, 4096), map[string]string{"k": "v"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(blob) > 6144 {
		t.Fatalf("4096-byte plaintext gives a %d-byte blob, over 6144", len(blob))
	}
	if len(blob) != 4096+66 {
		t.Fatalf("blob is %d bytes, want 4162 (format doc says 66 bytes overhead)", len(blob))
	}
}

func TestEncryptIsRandomized(t *testing.T) {
	key := newTestKey(t, 0)
	a, _ := key.Encrypt(testHeader, []byte("same"), nil, nil)
	b, _ := key.Encrypt(testHeader, []byte("same"), nil, nil)
	if bytes.Equal(a, b) || bytes.Equal(a[offSalt:offNonce], b[offSalt:offNonce]) {
		t.Fatal("two encryptions share a salt")
	}
}

// TestEveryBitFlipFails flips each bit of a short blob in turn (checklist
// row 13): header, salt, nonce, ciphertext and tag are all authenticated.
func TestEveryBitFlipFails(t *testing.T) {
	key := newTestKey(t, 0x33)
	ec := map[string]string{"k": "v"}
	for _, h := range []Header{testHeader, {KeyID: testMRKKeyID, MaterialVersion: 1}} {
		blob, err := key.Encrypt(h, []byte("abc"), ec, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range len(blob) * 8 {
			mutated := bytes.Clone(blob)
			mutated[i/8] ^= 1 << (i % 8)
			if pt, err := key.Decrypt(mutated, ec); err != ErrDecrypt {
				t.Fatalf("bit %d flipped: Decrypt = %q, %v; want exactly ErrDecrypt", i, pt, err)
			}
		}
	}
}

func TestTruncatedAndExtendedBlobsFail(t *testing.T) {
	key := newTestKey(t, 0x33)
	blob, err := key.Encrypt(testHeader, []byte("sixteen byte msg and more"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for n := range len(blob) {
		if _, err := key.Decrypt(blob[:n], nil); err != ErrDecrypt {
			t.Fatalf("truncated to %d bytes: error = %v, want ErrDecrypt", n, err)
		}
		if _, err := key.Decrypt(blob[len(blob)-n:], nil); err != ErrDecrypt {
			t.Fatalf("first %d bytes cut: error = %v, want ErrDecrypt", len(blob)-n, err)
		}
	}
	if _, err := key.Decrypt(append(bytes.Clone(blob), 0), nil); err != ErrDecrypt {
		t.Fatalf("extended blob: error = %v, want ErrDecrypt", err)
	}
}

func TestWrongKeyFails(t *testing.T) {
	blob, err := newTestKey(t, 1).Encrypt(testHeader, []byte("secret"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newTestKey(t, 2).Decrypt(blob, nil); err != ErrDecrypt {
		t.Fatalf("other material: error = %v, want ErrDecrypt", err)
	}
	var zero SymmetricKey
	if _, err := zero.Decrypt(blob, nil); err != ErrDecrypt {
		t.Fatalf("zero SymmetricKey: Decrypt error = %v, want ErrDecrypt", err)
	}
	if _, err := zero.Encrypt(testHeader, []byte("x"), nil, nil); err == nil {
		t.Fatal("zero SymmetricKey encrypted")
	}
}

// TestWrongEncryptionContextFails covers AWS's rule that Decrypt needs
// exactly the encryption context of Encrypt, case-sensitive and order-free.
func TestWrongEncryptionContextFails(t *testing.T) {
	key := newTestKey(t, 0x44)
	ec := map[string]string{"Department": "Finance", "Project": "Alpha"}
	blob, err := key.Encrypt(testHeader, []byte("payroll"), ec, nil)
	if err != nil {
		t.Fatal(err)
	}
	wrong := map[string]map[string]string{
		"missing (nil)":       nil,
		"missing (empty)":     {},
		"one pair missing":    {"Department": "Finance"},
		"extra pair":          {"Department": "Finance", "Project": "Alpha", "x": "y"},
		"extra empty pair":    {"Department": "Finance", "Project": "Alpha", "": ""},
		"changed value":       {"Department": "Finance", "Project": "Beta"},
		"value case change":   {"Department": "finance", "Project": "Alpha"},
		"key case change":     {"department": "Finance", "Project": "Alpha"},
		"values swapped":      {"Department": "Alpha", "Project": "Finance"},
		"trailing space":      {"Department": "Finance ", "Project": "Alpha"},
		"merged across pairs": {"DepartmentFinance": "", "Project": "Alpha"},
	}
	for name, ec := range wrong {
		if _, err := key.Decrypt(blob, ec); err != ErrDecrypt {
			t.Errorf("%s: error = %v, want ErrDecrypt", name, err)
		}
	}
	// Map order never matters.
	if _, err := key.Decrypt(blob, map[string]string{"Project": "Alpha", "Department": "Finance"}); err != nil {
		t.Fatalf("same context: %v", err)
	}

	// A blob made without a context does not open with one.
	noEC, _ := key.Encrypt(testHeader, []byte("x"), nil, nil)
	if _, err := key.Decrypt(noEC, map[string]string{"a": "b"}); err != ErrDecrypt {
		t.Fatalf("nil context blob opened with a context: %v", err)
	}
}

func TestNilAndEmptyContextAreTheSame(t *testing.T) {
	key := newTestKey(t, 0x44)
	for _, pair := range [][2]map[string]string{{nil, {}}, {{}, nil}} {
		blob, err := key.Encrypt(testHeader, []byte("x"), pair[0], nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := key.Decrypt(blob, pair[1]); err != nil {
			t.Fatalf("encrypted with %#v, decrypt with %#v: %v", pair[0], pair[1], err)
		}
	}
}

func TestInvalidUTF8Context(t *testing.T) {
	key := newTestKey(t, 0x44)
	blob, err := key.Encrypt(testHeader, []byte("x"), map[string]string{"k": "\uFFFD"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, ec := range []map[string]string{{"k": "\xff"}, {"\xff": "v"}} {
		if _, err := key.Encrypt(testHeader, []byte("x"), ec, nil); !errors.Is(err, ErrInvalidEncryptionContext) {
			t.Errorf("Encrypt with %q: error = %v, want ErrInvalidEncryptionContext", ec, err)
		}
		// "\xff" must not be read as U+FFFD, which would open this blob.
		if _, err := key.Decrypt(blob, ec); !errors.Is(err, ErrInvalidEncryptionContext) {
			t.Errorf("Decrypt with %q: error = %v, want ErrInvalidEncryptionContext", ec, err)
		}
	}
}

// TestIndependentDerivationAndOpen rebuilds the per-message key from the
// formula in docs/ciphertext-format.md with crypto/hmac, and opens the blob
// with crypto/aes and crypto/cipher directly. If the document and the code
// disagree, this fails.
func TestIndependentDerivationAndOpen(t *testing.T) {
	material := testMaterial(0x55)
	key, err := NewSymmetricKey(material)
	if err != nil {
		t.Fatal(err)
	}
	plaintext := []byte("proof that the document matches the code")
	ec := map[string]string{"b": "2", "a": "1"}
	blob, err := key.Encrypt(Header{KeyID: testMRKKeyID, MaterialVersion: 42}, plaintext, ec, nil)
	if err != nil {
		t.Fatal(err)
	}

	header, body := blob[:50], blob[50:]
	if header[0] != 0x01 || header[1] != 0x02 ||
		hex.EncodeToString(header[2:18]) != testMRKKeyID[4:] ||
		binary.BigEndian.Uint32(header[18:22]) != 42 {
		t.Fatalf("header fields not where documented: %x", header)
	}
	salt, nonce := header[22:38], header[38:50]

	mac := hmac.New(sha256.New, material.Reveal())
	mac.Write([]byte{0, 0, 0, 1})
	mac.Write([]byte("trent symmetric v1"))
	mac.Write([]byte{0})
	mac.Write(salt)
	mac.Write([]byte{0, 0, 1, 0})
	derived := mac.Sum(nil)

	ecBytes := []byte{
		0, 0, 0, 2,
		0, 0, 0, 1, 'a', 0, 0, 0, 1, '1',
		0, 0, 0, 1, 'b', 0, 0, 0, 1, '2',
	}
	block, err := aes.NewCipher(derived)
	if err != nil {
		t.Fatal(err)
	}
	gcm, err := gocipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	got, err := gcm.Open(nil, nonce, body, append(bytes.Clone(header), ecBytes...))
	if err != nil {
		t.Fatalf("hand-derived key does not open the blob: %v", err)
	}
	if !bytes.Equal(got, plaintext) {
		t.Fatalf("hand-opened plaintext = %q", got)
	}

	// And the material itself is not the AES key.
	block, _ = aes.NewCipher(material.Reveal())
	gcm, _ = gocipher.NewGCM(block)
	if _, err := gcm.Open(nil, nonce, body, append(bytes.Clone(header), ecBytes...)); err == nil {
		t.Fatal("the blob opens under the raw material")
	}
}

// TestKnownAnswer pins the exact bytes of one blob. The expected value was
// computed outside Go (Python's hmac and cryptography.AESGCM, following
// docs/ciphertext-format.md), so an accidental format change fails here.
func TestKnownAnswer(t *testing.T) {
	const (
		wantDerived = "5950e70f4f8d6da6db0904420005713dfac58f9fe3c76ecdadb4d6896e16755b"
		wantBlob    = "0101" + // version 1, UUID key ID
			"1234abcd12ab34cd56ef1234567890ab" + // key ID
			"00000007" + // material version 7
			"a0a1a2a3a4a5a6a7a8a9aaabacadaeaf" + // salt
			"b0b1b2b3b4b5b6b7b8b9babb" + // nonce
			"f77a39acc6005bae393b131859f9ed124268d7" + // ciphertext of "Trent KAT plaintext"
			"64f4b807a2d8c6e0f7602f5c668ab615" // tag
	)
	material := testMaterial(0x00)
	key, err := NewSymmetricKey(material)
	if err != nil {
		t.Fatal(err)
	}
	ec := map[string]string{"tenant": "acme", "purpose": "kat"}
	blob, err := key.Encrypt(Header{KeyID: testUUIDKeyID, MaterialVersion: 7},
		[]byte("Trent KAT plaintext"), ec, &randtest.Counting{Next: 0xa0})
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(blob); got != wantBlob {
		t.Fatalf("blob\n got %s\nwant %s", got, wantBlob)
	}
	salt, _ := hex.DecodeString("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf")
	if got := deriveMessageKey(material.Reveal(), salt); hex.EncodeToString(got[:]) != wantDerived {
		t.Fatalf("derived key %x, want %s", got, wantDerived)
	}
	want, _ := hex.DecodeString(wantBlob)
	if pt, err := key.Decrypt(want, ec); err != nil || string(pt) != "Trent KAT plaintext" {
		t.Fatalf("Decrypt(known blob) = %q, %v", pt, err)
	}
}

func TestNewSymmetricKeyValidatesLength(t *testing.T) {
	for _, n := range []int{0, 16, 24, 31, 33, 64} {
		if _, err := NewSymmetricKey(secret.New(make([]byte, n))); !errors.Is(err, ErrInvalidKeyMaterial) {
			t.Errorf("%d bytes: error = %v, want ErrInvalidKeyMaterial", n, err)
		}
	}
	if _, err := NewSymmetricKey(nil); !errors.Is(err, ErrInvalidKeyMaterial) {
		t.Errorf("nil material: error = %v", err)
	}
}

func TestRandomnessFailuresAreErrors(t *testing.T) {
	if _, err := GenerateSymmetricMaterial(randtest.Failing{}); err == nil {
		t.Error("GenerateSymmetricMaterial ignored a failing reader")
	}
	if _, err := MaterialID(randtest.Failing{}); err == nil {
		t.Error("MaterialID ignored a failing reader")
	}
	if _, err := newTestKey(t, 0).Encrypt(testHeader, []byte("x"), nil, randtest.Failing{}); err == nil {
		t.Error("Encrypt ignored a failing reader")
	}
	short := io.LimitReader(&randtest.Counting{}, 27) // one byte short of salt and nonce
	if _, err := newTestKey(t, 0).Encrypt(testHeader, []byte("x"), nil, short); err == nil {
		t.Error("Encrypt accepted a short read of randomness")
	}
}

func TestGeneratedMaterialAndIDs(t *testing.T) {
	a, err := GenerateSymmetricMaterial(nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := GenerateSymmetricMaterial(nil)
	if a.Len() != 32 || bytes.Equal(a.Reveal(), b.Reveal()) {
		t.Fatal("material is not 32 fresh random bytes")
	}
	if _, err := NewSymmetricKey(a); err != nil {
		t.Fatal(err)
	}
	id1, err := MaterialID(nil)
	if err != nil {
		t.Fatal(err)
	}
	id2, _ := MaterialID(nil)
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(id1) || id1 == id2 {
		t.Fatalf("material IDs %q, %q", id1, id2)
	}
}
