package cipher

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// Every helper and test of this file carries "import" or "Import" in its
// name. The fixtures in testdata/importwrap were made by OpenSSL, as
// testdata/importwrap/gen.sh shows, the way AWS KMS's documentation tells
// users to wrap key material; this file never wraps with the code it tests.

var importAlgorithms = []string{
	"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256",
	"RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256",
}

// importFixtureMaterials are the materials gen.sh wraps; the RSA private
// key is too long for RSAES-OAEP, as with AWS.
var importFixtureMaterials = []struct {
	name, file string
	kind       Kind
	oaep       bool
}{
	{"symmetric", "material_symmetric.bin", KindAES256, true},
	{"p256", "material_p256.der", KindP256, true},
	{"rsa2048", "material_rsa2048.der", KindRSA2048, false},
}

// importFixtureName is the file gen.sh writes for material m wrapped with
// algorithm.
func importFixtureName(m, algorithm string) string {
	switch algorithm {
	case "RSAES_OAEP_SHA_1":
		return m + "_RSAES_OAEP_sha1.bin"
	case "RSAES_OAEP_SHA_256":
		return m + "_RSAES_OAEP_sha256.bin"
	case "RSA_AES_KEY_WRAP_SHA_1":
		return m + "_RSA_AES_KEY_WRAP_sha1.bin"
	default:
		return m + "_RSA_AES_KEY_WRAP_sha256.bin"
	}
}

func importIsKWP(algorithm string) bool { return importWrappings[algorithm].kwp }

func importHash(algorithm string) crypto.Hash { return importWrappings[algorithm].hash }

func importFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "importwrap", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// importWrappingKey is gen.sh's RSA_2048 wrapping key, parsed once.
var importWrappingKey = sync.OnceValues(func() (*RSAKey, error) {
	der, err := os.ReadFile(filepath.Join("testdata", "importwrap", "wrapping_key.der"))
	if err != nil {
		return nil, err
	}
	k, err := Parse(KindRSA2048, der)
	if err != nil {
		return nil, err
	}
	return k.(*RSAKey), nil
})

func importTestWrappingKey(t testing.TB) *RSAKey {
	t.Helper()
	k, err := importWrappingKey()
	if err != nil {
		t.Fatalf("wrapping key fixture: %v", err)
	}
	return k
}

// TestImportUnwrapsOpenSSLFixtures unwraps every OpenSSL-made blob with the
// wrapping key it was made for.
func TestImportUnwrapsOpenSSLFixtures(t *testing.T) {
	key := importTestWrappingKey(t)
	if !bytes.Equal(key.PublicKeyDER(), importFixture(t, "wrapping_public.der")) {
		t.Fatal("wrapping key fixture and its public key differ")
	}
	n := 0
	for _, m := range importFixtureMaterials {
		want := importFixture(t, m.file)
		// The material is what Trent will take for the kind (OpenSSL's
		// PKCS#8 for the key pairs), as issue 9's import needs.
		if _, err := Parse(m.kind, want); err != nil {
			t.Errorf("%s: Parse(%s): %v", m.name, m.kind, err)
		}
		for _, alg := range importAlgorithms {
			if !importIsKWP(alg) && !m.oaep {
				continue
			}
			wrapped := importFixture(t, importFixtureName(m.name, alg))
			got, err := UnwrapImportedMaterial(key, alg, wrapped)
			if err != nil || !bytes.Equal(got.Reveal(), want) {
				t.Errorf("%s %s: unwrap = %v; want the material", m.name, alg, err)
				continue
			}
			// A fresh copy: changing the blob leaves it be.
			clear(wrapped)
			if !bytes.Equal(got.Reveal(), want) {
				t.Errorf("%s %s: material aliases the blob", m.name, alg)
			}
			n++
		}
	}
	if n != 10 {
		t.Fatalf("%d fixtures unwrapped, want 10", n)
	}
}

// TestImportUnwrapsEveryWrappingKeySize wraps to a key of each RSA size
// with crypto/rsa's EncryptOAEP; for the AES key wrap algorithms the AES
// layer is OpenSSL's (the fixtures' wraps under their ephemeral AES key),
// so both layers come from elsewhere than this package.
func TestImportUnwrapsEveryWrappingKeySize(t *testing.T) {
	aesKey := importFixture(t, "aes_key.bin")
	random32 := make([]byte, 32)
	if _, err := rand.Read(random32); err != nil {
		t.Fatal(err)
	}
	for _, kind := range rsaKinds {
		key := rsaTestKey(t, kind)
		pub := rsaStdPublic(t, key)
		for _, alg := range importAlgorithms {
			h := importHash(alg)
			for _, m := range importFixtureMaterials {
				material := importFixture(t, m.file)
				var wrapped []byte
				if importIsKWP(alg) {
					rsaPart, err := rsa.EncryptOAEP(h.New(), rand.Reader, pub, aesKey, nil)
					if err != nil {
						t.Fatal(err)
					}
					wrapped = append(rsaPart, importFixture(t, "kwp_"+m.name+".bin")...)
				} else {
					if !m.oaep {
						continue
					}
					if m.name == "symmetric" {
						material = random32
					}
					var err error
					wrapped, err = rsa.EncryptOAEP(h.New(), rand.Reader, pub, material, nil)
					if err != nil {
						t.Fatal(err)
					}
				}
				got, err := UnwrapImportedMaterial(key, alg, wrapped)
				if err != nil || !bytes.Equal(got.Reveal(), material) {
					t.Errorf("%s %s %s: unwrap = %v; want the material", kind, alg, m.name, err)
				}
			}
		}
	}
}

// importMustFail checks that unwrapping fails with exactly ErrUnwrap, the
// same value and text whatever went wrong.
func importMustFail(t *testing.T, what string, key *RSAKey, alg string, wrapped []byte) {
	t.Helper()
	got, err := UnwrapImportedMaterial(key, alg, wrapped)
	if err != ErrUnwrap || got != nil {
		t.Errorf("%s: unwrap = %v, %v; want ErrUnwrap", what, got, err)
	}
}

func TestImportRefusesUnknownAlgorithms(t *testing.T) {
	key := importTestWrappingKey(t)
	blob := importFixture(t, "symmetric_RSAES_OAEP_sha256.bin")
	for _, alg := range []string{"", "RSAES_PKCS1_V1_5", "SM2PKE", "rsaes_oaep_sha_256", "RSAES_OAEP_SHA_384", "RSA_AES_KEY_WRAP_SHA_256 "} {
		got, err := UnwrapImportedMaterial(key, alg, blob)
		if !errors.Is(err, ErrUnsupportedWrapping) || errors.Is(err, ErrUnwrap) || got != nil {
			t.Errorf("%q: %v; want ErrUnsupportedWrapping", alg, err)
		}
	}
	if _, err := UnwrapImportedMaterial(nil, "RSAES_OAEP_SHA_256", blob); err == nil {
		t.Error("a nil wrapping key unwrapped")
	}
}

// TestImportRefusesWrongKeyAndAlgorithm opens each fixture with another
// wrapping key and with every other algorithm.
func TestImportRefusesWrongKeyAndAlgorithm(t *testing.T) {
	key := importTestWrappingKey(t)
	other := rsaTestKey(t, KindRSA2048)
	for _, m := range importFixtureMaterials {
		for _, alg := range importAlgorithms {
			if !importIsKWP(alg) && !m.oaep {
				continue
			}
			wrapped := importFixture(t, importFixtureName(m.name, alg))
			importMustFail(t, fmt.Sprintf("%s %s under another key", m.name, alg), other, alg, wrapped)
			for _, wrong := range importAlgorithms {
				if wrong != alg {
					importMustFail(t, fmt.Sprintf("%s %s as %s", m.name, alg, wrong), key, wrong, wrapped)
				}
			}
		}
	}
}

// TestImportRefusesDamagedBlobs changes, cuts and extends blobs of both
// kinds of algorithm, in the RSA part and in the AES part.
func TestImportRefusesDamagedBlobs(t *testing.T) {
	key := importTestWrappingKey(t)
	k := key.priv.Size()
	for _, c := range []struct{ m, alg string }{
		{"symmetric", "RSAES_OAEP_SHA_1"},
		{"p256", "RSAES_OAEP_SHA_256"},
		{"symmetric", "RSA_AES_KEY_WRAP_SHA_1"},
		{"p256", "RSA_AES_KEY_WRAP_SHA_256"},
	} {
		wrapped := importFixture(t, importFixtureName(c.m, c.alg))
		name := c.m + " " + c.alg
		// Changed bytes: the RSA ciphertext's ends and middle, and in the
		// KWP blobs every 8th byte of the AES part (the RSA part intact)
		// and its last byte.
		positions := []int{0, k / 2, k - 1}
		if importIsKWP(c.alg) {
			for i := k; i < len(wrapped); i += 8 {
				positions = append(positions, i)
			}
			positions = append(positions, len(wrapped)-1)
		}
		for _, i := range positions {
			d := bytes.Clone(wrapped)
			d[i] ^= 0x01
			importMustFail(t, fmt.Sprintf("%s, byte %d changed", name, i), key, c.alg, d)
		}
		for _, n := range []int{0, 1, k - 1, k, k + 8, k + 15, len(wrapped) - 8, len(wrapped) - 1} {
			if n >= 0 && n < len(wrapped) {
				importMustFail(t, fmt.Sprintf("%s, cut to %d bytes", name, n), key, c.alg, wrapped[:n])
			}
		}
		importMustFail(t, name+", a byte appended", key, c.alg, append(bytes.Clone(wrapped), 0))
		importMustFail(t, name+", a block appended", key, c.alg, append(bytes.Clone(wrapped), make([]byte, 8)...))
	}
}

// TestImportRefusesBadEphemeralKeys builds KWP blobs whose RSA part opens
// (crypto/rsa encrypts it) but carries the wrong AES key: a different
// 256-bit key, or a key of another AES size under which the AES part does
// unwrap (AWS asks for AES-256 only).
func TestImportRefusesBadEphemeralKeys(t *testing.T) {
	key := importTestWrappingKey(t)
	pub := rsaStdPublic(t, key)
	material := importFixture(t, "material_symmetric.bin")
	for _, alg := range []string{"RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256"} {
		h := importHash(alg)
		build := func(aesKey, kwp []byte) []byte {
			rsaPart, err := rsa.EncryptOAEP(h.New(), rand.Reader, pub, aesKey, nil)
			if err != nil {
				t.Fatal(err)
			}
			return append(rsaPart, kwp...)
		}
		wrongKey := bytes.Clone(importFixture(t, "aes_key.bin"))
		wrongKey[0] ^= 1
		importMustFail(t, alg+", another AES key", key, alg,
			build(wrongKey, importFixture(t, "kwp_symmetric.bin")))
		for _, size := range []int{0, 16, 24, 31, 33} {
			aesKey := bytes.Repeat([]byte{9}, size)
			kwp := importFixture(t, "kwp_symmetric.bin")
			if size == 16 || size == 24 {
				// A wrap that is sound under that key (made here: this is
				// what must be refused, not what is checked against).
				var err error
				if kwp, err = KeyWrapPad(aesKey, material); err != nil {
					t.Fatal(err)
				}
			}
			importMustFail(t, fmt.Sprintf("%s, %d-byte AES key", alg, size), key, alg, build(aesKey, kwp))
		}
	}
}
