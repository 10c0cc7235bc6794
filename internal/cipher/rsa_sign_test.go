package cipher

import (
	"bytes"
	"crypto"
	cryptorand "crypto/rand"
	"crypto/rsa"
	"fmt"
	"testing"
)

// rsaHashes are the hashes of AWS's RSA signing algorithms.
var rsaHashes = []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512}

func rsaDigestOf(h crypto.Hash, msg []byte) []byte {
	d := h.New()
	d.Write(msg)
	return d.Sum(nil)
}

// TestRSASignCrossCheck checks both directions against crypto/rsa on the
// public key as x509 reads PublicKeyDER: our signatures verify there with
// the salt length pinned to the digest length, and crypto/rsa's verify
// here; DIGEST signatures are RAW signatures of the same message.
func TestRSASignCrossCheck(t *testing.T) {
	msg := []byte("the message AWS KMS would sign")
	for _, kind := range rsaKinds {
		k := rsaTestKey(t, kind)
		pub := rsaStdPublic(t, k)
		priv := rsaStdPrivate(t, k)
		for _, h := range rsaHashes {
			for _, pss := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%v/PSS=%v", kind, h, pss), func(t *testing.T) {
					raw := SignOptions{Hash: h, PSS: pss, Input: InputRaw}
					dig := SignOptions{Hash: h, PSS: pss, Input: InputDigest}
					digest := rsaDigestOf(h, msg)
					pssOpts := &rsa.PSSOptions{SaltLength: h.Size()}
					stdVerify := func(sig []byte) error {
						if pss {
							return rsa.VerifyPSS(pub, h, digest, sig, pssOpts)
						}
						return rsa.VerifyPKCS1v15(pub, h, digest, sig)
					}

					sigRaw, err := k.Sign(nil, msg, raw)
					if err != nil {
						t.Fatal(err)
					}
					sigDig, err := k.Sign(nil, digest, dig)
					if err != nil {
						t.Fatal(err)
					}
					for name, sig := range map[string][]byte{"RAW": sigRaw, "DIGEST": sigDig} {
						if len(sig) != rsaBits[kind]/8 {
							t.Errorf("%s signature is %d bytes", name, len(sig))
						}
						if err := stdVerify(sig); err != nil {
							t.Errorf("crypto/rsa refuses our %s signature: %v", name, err)
						}
						if !k.Verify(msg, sig, raw) || !k.Verify(digest, sig, dig) {
							t.Errorf("our %s signature does not verify as RAW and DIGEST", name)
						}
					}
					// PKCS#1 v1.5 is deterministic; PSS draws a salt.
					if !pss && !bytes.Equal(sigRaw, sigDig) {
						t.Error("PKCS#1 v1.5 DIGEST signature differs from the RAW one")
					}
					if pss && bytes.Equal(sigRaw, sigDig) {
						t.Error("two PSS signatures are equal: no salt drawn")
					}

					var std []byte
					if pss {
						std, err = rsa.SignPSS(cryptorand.Reader, priv, h, digest, pssOpts)
					} else {
						std, err = rsa.SignPKCS1v15(nil, priv, h, digest)
					}
					if err != nil {
						t.Fatal(err)
					}
					if !k.Verify(msg, std, raw) || !k.Verify(digest, std, dig) {
						t.Error("crypto/rsa's signature does not verify")
					}

					// What must not verify.
					other := SignOptions{Hash: h, PSS: !pss}
					if k.Verify(msg, sigRaw, other) {
						t.Error("signature verifies under the other padding")
					}
					for _, h2 := range rsaHashes {
						if h2 != h && k.Verify(msg, sigRaw, SignOptions{Hash: h2, PSS: pss}) {
							t.Errorf("signature verifies under %v", h2)
						}
					}
					if k.Verify(append(bytes.Clone(msg), 0), sigRaw, raw) {
						t.Error("signature verifies for another message")
					}
					for _, i := range []int{0, len(sigRaw) / 2, len(sigRaw) - 1} {
						bad := bytes.Clone(sigRaw)
						bad[i] ^= 0x40
						if k.Verify(msg, bad, raw) {
							t.Errorf("signature with byte %d changed verifies", i)
						}
					}
					if k.Verify(msg, sigRaw[1:], raw) || k.Verify(msg, append([]byte{0}, sigRaw...), raw) {
						t.Error("signature of the wrong length verifies")
					}
				})
			}
		}
	}
}

// TestRSAPSSSaltIsDigestLength checks that the salt is the digest's length
// both ways: crypto/rsa with the salt length left to detection verifies,
// and a signature with a shorter salt (crypto/rsa's) does not.
func TestRSAPSSSaltIsDigestLength(t *testing.T) {
	k := rsaTestKey(t, KindRSA2048)
	priv := rsaStdPrivate(t, k)
	msg := []byte("salt")
	for _, h := range rsaHashes {
		o := SignOptions{Hash: h, PSS: true}
		digest := rsaDigestOf(h, msg)
		sig, err := k.Sign(nil, msg, o)
		if err != nil {
			t.Fatal(err)
		}
		if err := rsa.VerifyPSS(&priv.PublicKey, h, digest, sig, &rsa.PSSOptions{SaltLength: h.Size() - 1}); err == nil {
			t.Errorf("%v: our PSS salt is not %d bytes", h, h.Size())
		}
		short, err := rsa.SignPSS(cryptorand.Reader, priv, h, digest, &rsa.PSSOptions{SaltLength: h.Size() / 2})
		if err != nil {
			t.Fatal(err)
		}
		if k.Verify(msg, short, o) {
			t.Errorf("%v: a signature with a %d-byte salt verifies", h, h.Size()/2)
		}
	}
}

func TestRSASignRejectsOptions(t *testing.T) {
	k := rsaTestKey(t, KindRSA2048)
	msg := []byte("m")
	good := SignOptions{Hash: crypto.SHA256, PSS: true, Input: InputDigest}
	digest := rsaDigestOf(crypto.SHA256, msg)
	sig, err := k.Sign(nil, digest, good)
	if err != nil {
		t.Fatal(err)
	}
	type tc struct {
		in []byte
		o  SignOptions
	}
	cases := map[string]tc{
		"InputMu":           {digest, SignOptions{Hash: crypto.SHA256, PSS: true, Input: InputMu}},
		"unknown input":     {digest, SignOptions{Hash: crypto.SHA256, PSS: true, Input: 7}},
		"Prehash":           {digest, SignOptions{Hash: crypto.SHA256, PSS: true, Input: InputDigest, Prehash: true}},
		"no hash":           {digest, SignOptions{PSS: true, Input: InputDigest}},
		"SHA-1":             {digest[:20], SignOptions{Hash: crypto.SHA1, PSS: true, Input: InputDigest}},
		"SHA-224":           {digest[:28], SignOptions{Hash: crypto.SHA224, PSS: true, Input: InputDigest}},
		"SHA3-256":          {digest, SignOptions{Hash: crypto.SHA3_256, PSS: true, Input: InputDigest}},
		"short digest":      {digest[:31], good},
		"long digest":       {append(bytes.Clone(digest), 0), good},
		"empty digest":      {nil, good},
		"SHA-384 length 32": {digest, SignOptions{Hash: crypto.SHA384, PSS: true, Input: InputDigest}},
	}
	for name, c := range cases {
		if s, err := k.Sign(nil, c.in, c.o); err == nil {
			t.Errorf("%s: Sign = %x, nil; want an error", name, s)
		}
		if k.Verify(c.in, sig, c.o) {
			t.Errorf("%s: Verify = true", name)
		}
	}
	if !k.Verify(digest, sig, good) {
		t.Fatal("the good options do not verify")
	}
}

// TestRSAPSSReadsRand checks that Sign draws the PSS salt from rand: a
// failing reader fails it, and equal readers give equal signatures.
func TestRSAPSSReadsRand(t *testing.T) {
	k := rsaTestKey(t, KindRSA2048)
	o := SignOptions{Hash: crypto.SHA256, PSS: true}
	if _, err := k.Sign(bytes.NewReader(nil), []byte("m"), o); err == nil {
		t.Error("PSS Sign with an empty reader succeeded")
	}
	salt := bytes.Repeat([]byte{7}, 32)
	a, err1 := k.Sign(bytes.NewReader(salt), []byte("m"), o)
	b, err2 := k.Sign(bytes.NewReader(salt), []byte("m"), o)
	if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
		t.Errorf("fixed reader: %v, %v, equal %v", err1, err2, bytes.Equal(a, b))
	}
	// PKCS#1 v1.5 reads nothing: an empty reader does not matter.
	if _, err := k.Sign(bytes.NewReader(nil), []byte("m"), SignOptions{Hash: crypto.SHA256}); err != nil {
		t.Errorf("PKCS#1 v1.5 Sign with an empty reader: %v", err)
	}
}
