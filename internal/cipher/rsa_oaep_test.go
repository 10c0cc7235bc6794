package cipher

import (
	"bytes"
	"crypto"
	cryptorand "crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"
)

// rsaOAEPHashes are the hashes of AWS's RSAES_OAEP_SHA_1 and _SHA_256.
var rsaOAEPHashes = []crypto.Hash{crypto.SHA1, crypto.SHA256}

// TestRSAOAEPCrossCheck encrypts with crypto/rsa on the public key as x509
// reads PublicKeyDER and decrypts here, and the other way round.
func TestRSAOAEPCrossCheck(t *testing.T) {
	msg := []byte("a data key, say")
	for _, kind := range rsaKinds {
		k := rsaTestKey(t, kind)
		pub := rsaStdPublic(t, k)
		priv := rsaStdPrivate(t, k)
		for _, h := range rsaOAEPHashes {
			t.Run(fmt.Sprintf("%s/%v", kind, h), func(t *testing.T) {
				std, err := rsa.EncryptOAEP(h.New(), cryptorand.Reader, pub, msg, nil)
				if err != nil {
					t.Fatal(err)
				}
				pt, err := k.DecryptOAEP(h, std)
				if err != nil || !bytes.Equal(pt.Reveal(), msg) {
					t.Fatalf("DecryptOAEP(crypto/rsa's ciphertext) = %v", err)
				}
				ours, err := k.EncryptOAEP(nil, h, msg)
				if err != nil {
					t.Fatal(err)
				}
				if len(ours) != rsaBits[kind]/8 {
					t.Errorf("ciphertext is %d bytes", len(ours))
				}
				got, err := rsa.DecryptOAEP(h.New(), nil, priv, ours, nil)
				if err != nil || !bytes.Equal(got, msg) {
					t.Fatalf("crypto/rsa cannot decrypt our ciphertext: %v", err)
				}
				again, _ := k.EncryptOAEP(nil, h, msg)
				if bytes.Equal(ours, again) {
					t.Error("OAEP encryption is not randomized")
				}

				// Every failure is ErrDecrypt itself, nothing more telling.
				other := crypto.SHA1
				if h == crypto.SHA1 {
					other = crypto.SHA256
				}
				labelled, _ := rsa.EncryptOAEP(h.New(), cryptorand.Reader, pub, msg, []byte("label"))
				flipped := bytes.Clone(ours)
				flipped[len(flipped)/2] ^= 1
				bad := map[string]struct {
					h  crypto.Hash
					ct []byte
				}{
					"other hash":     {other, ours},
					"SHA-512":        {crypto.SHA512, ours},
					"no hash":        {0, ours},
					"flipped byte":   {h, flipped},
					"short":          {h, ours[1:]},
					"long":           {h, append(bytes.Clone(ours), 0)},
					"empty":          {h, nil},
					"zeros":          {h, make([]byte, len(ours))},
					"label":          {h, labelled},
					"modulus-sized+": {h, bytes.Repeat([]byte{0xff}, len(ours))},
				}
				for name, c := range bad {
					if pt, err := k.DecryptOAEP(c.h, c.ct); err != ErrDecrypt || pt != nil {
						t.Errorf("%s: DecryptOAEP = %v, %v; want ErrDecrypt", name, pt, err)
					}
				}
			})
		}
	}
}

func TestRSAOAEPRejectsHashes(t *testing.T) {
	k := rsaTestKey(t, KindRSA2048)
	for _, h := range []crypto.Hash{0, crypto.SHA224, crypto.SHA384, crypto.SHA512, crypto.MD5} {
		if _, err := k.EncryptOAEP(nil, h, []byte("x")); err == nil {
			t.Errorf("EncryptOAEP with %v succeeded", h)
		}
	}
}

// TestRSAOAEPLimits pins AWS's plaintext limits (the table in the service
// states them): each is exactly the longest plaintext EncryptOAEP takes.
func TestRSAOAEPLimits(t *testing.T) {
	limits := []struct {
		kind Kind
		h    crypto.Hash
		max  int
	}{
		{KindRSA2048, crypto.SHA1, 214}, {KindRSA2048, crypto.SHA256, 190},
		{KindRSA3072, crypto.SHA1, 342}, {KindRSA3072, crypto.SHA256, 318},
		{KindRSA4096, crypto.SHA1, 470}, {KindRSA4096, crypto.SHA256, 446},
	}
	for _, l := range limits {
		k := rsaTestKey(t, l.kind)
		pt := bytes.Repeat([]byte{0xa5}, l.max)
		ct, err := k.EncryptOAEP(nil, l.h, pt)
		if err != nil {
			t.Errorf("%s %v: %d bytes refused: %v", l.kind, l.h, l.max, err)
			continue
		}
		if got, err := k.DecryptOAEP(l.h, ct); err != nil || !bytes.Equal(got.Reveal(), pt) {
			t.Errorf("%s %v: %d bytes do not round-trip: %v", l.kind, l.h, l.max, err)
		}
		if _, err := k.EncryptOAEP(nil, l.h, append(pt, 0)); !errors.Is(err, rsa.ErrMessageTooLong) {
			t.Errorf("%s %v: %d bytes: err = %v; want ErrMessageTooLong", l.kind, l.h, l.max+1, err)
		}
	}
	// Empty plaintexts are valid OAEP (the service refuses them first).
	k := rsaTestKey(t, KindRSA2048)
	ct, err := k.EncryptOAEP(nil, crypto.SHA256, nil)
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := k.DecryptOAEP(crypto.SHA256, ct); err != nil || pt.Len() != 0 {
		t.Fatalf("empty plaintext: %v", err)
	}
}

// TestRSAOAEPReadsRand checks that EncryptOAEP draws its seed from rand:
// a failing reader fails it, and equal readers give equal ciphertexts.
func TestRSAOAEPReadsRand(t *testing.T) {
	k := rsaTestKey(t, KindRSA2048)
	if _, err := k.EncryptOAEP(bytes.NewReader(nil), crypto.SHA256, []byte("x")); err == nil {
		t.Error("EncryptOAEP with an empty reader succeeded")
	}
	seed := sha256.Sum256([]byte("seed"))
	a, err1 := k.EncryptOAEP(bytes.NewReader(seed[:]), crypto.SHA256, []byte("x"))
	b, err2 := k.EncryptOAEP(bytes.NewReader(seed[:]), crypto.SHA256, []byte("x"))
	if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
		t.Errorf("fixed reader: %v, %v, equal %v", err1, err2, bytes.Equal(a, b))
	}
}

// TestRSAOAEPRefusesShortCiphertexts: RFC 8017 §7.1.2 step 1 refuses a
// ciphertext that is not exactly k octets. A ciphertext whose first octet
// is zero, with that octet dropped, is the same integer; crypto/rsa takes
// it, so DecryptOAEP must check the length itself.
func TestRSAOAEPRefusesShortCiphertexts(t *testing.T) {
	k := rsaTestKey(t, KindRSA2048)
	var ct []byte
	for i := 0; i < 4096 && (ct == nil || ct[0] != 0); i++ {
		var err error
		if ct, err = k.EncryptOAEP(nil, crypto.SHA256, []byte("leading zero")); err != nil {
			t.Fatal(err)
		}
	}
	if ct[0] != 0 {
		t.Fatal("no ciphertext with a leading zero octet in 4096 tries")
	}
	if pt, err := k.DecryptOAEP(crypto.SHA256, ct); err != nil || !bytes.Equal(pt.Reveal(), []byte("leading zero")) {
		t.Fatalf("the full ciphertext does not decrypt: %v", err)
	}
	if pt, err := k.DecryptOAEP(crypto.SHA256, ct[1:]); err != ErrDecrypt || pt != nil {
		t.Errorf("a ciphertext one octet short: DecryptOAEP = %v, %v; want ErrDecrypt", pt, err)
	}
}
