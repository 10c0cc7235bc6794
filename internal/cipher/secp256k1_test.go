package cipher

import (
	"bytes"
	"crypto"
	"encoding/asn1"
	"errors"
	"math/big"
	"sync"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	k1ecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"

	"github.com/trent-kms/trent/internal/randtest"
)

// secp256k1N is the group order n of secp256k1 (SEC 2 §2.4.1).
var secp256k1N, _ = new(big.Int).SetString("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", 16)

// ecSecp256k1Point reads an uncompressed point as PublicKeyDER holds it
// (decred's ParsePubKey also takes compressed and hybrid forms).
func ecSecp256k1Point(point []byte) (*secp256k1.PublicKey, error) {
	if len(point) != 65 || point[0] != 0x04 {
		return nil, ErrInvalidPublicKey
	}
	return secp256k1.ParsePubKey(point)
}

// TestSecp256k1Wycheproof runs ecdsa_secp256k1_sha256_test, where
// signatures with a high S are valid (only the _bitcoin_ file demands a low
// S, which AWS does not). decred's DER parser is exactly as strict as the
// file demands, so no parser of our own is needed.
func TestSecp256k1Wycheproof(t *testing.T) {
	ecdsaWycheproof(t, "ecdsa_secp256k1_sha256_test", oidCurveSecp256k1, crypto.SHA256, 1,
		func(point []byte) (func([]byte, []byte, SignOptions) bool, error) {
			pub, err := ecSecp256k1Point(point)
			if err != nil {
				return nil, err
			}
			return secp256k1Verifier{pub}.verify, nil
		})
}

var testSecp256k1Key = sync.OnceValue(func() *Secp256k1Key {
	k, err := Generate(KindSecp256k1, nil)
	if err != nil {
		panic(err)
	}
	return k.(*Secp256k1Key)
})

// ecHighS returns the DER signature (r, n-s) of sig's (r, s), written with
// encoding/asn1: as valid as sig, but not what decred (low S) makes.
func ecHighS(t *testing.T, sig []byte) []byte {
	t.Helper()
	var rs struct{ R, S *big.Int }
	if rest, err := asn1.Unmarshal(sig, &rs); err != nil || len(rest) != 0 {
		t.Fatalf("signature %x is not DER: %v", sig, err)
	}
	return ecMustMarshal(t, struct{ R, S *big.Int }{rs.R, new(big.Int).Sub(secp256k1N, rs.S)})
}

func TestSecp256k1SignCrossCheck(t *testing.T) {
	k := testSecp256k1Key()
	if _, ok := Key(k).(Signer); !ok {
		t.Fatal("not a Signer")
	}
	if _, ok := Key(k).(AgreementKey); ok {
		t.Error("a secp256k1 key agrees secrets; AWS allows it only SIGN_VERIFY")
	}
	// decred's own verifier, with the public key read from PublicKeyDER.
	point, err := ecParseSPKI(k.PublicKeyDER(), oidCurveSecp256k1)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := secp256k1.ParsePubKey(point)
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("message to sign")
	digest := ecSHA256Of(msg)
	for _, o := range []SignOptions{{Hash: crypto.SHA256, Input: InputRaw}, {Hash: crypto.SHA256, Input: InputDigest}} {
		in := msg
		if o.Input == InputDigest {
			in = digest
		}
		sig, err := k.Sign(nil, in, o)
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := k1ecdsa.ParseDERSignature(sig)
		if err != nil || !parsed.Verify(digest, pub) {
			t.Errorf("%v: decred rejects our signature: %v", o, err)
		}
		if !k.Verify(in, sig, o) {
			t.Errorf("%v: Verify rejects our signature", o)
		}
		if high := ecHighS(t, sig); !k.Verify(in, high, o) {
			t.Errorf("%v: Verify rejects the high-S twin of our signature", o)
		}
		changed := bytes.Clone(in)
		changed[len(changed)-1] ^= 1
		if k.Verify(changed, sig, o) {
			t.Errorf("%v: Verify accepts a changed message", o)
		}
		if k.Verify(in, append(bytes.Clone(sig), 0), o) {
			t.Errorf("%v: Verify accepts a trailing byte", o)
		}
	}
	// A signature decred makes itself verifies in ours.
	theirs := k1ecdsa.Sign(k.priv, digest).Serialize()
	if !k.Verify(digest, theirs, SignOptions{Hash: crypto.SHA256, Input: InputDigest}) {
		t.Error("Verify rejects decred's signature")
	}

	// Only SHA-256, only ECDSA options.
	for name, c := range map[string]struct {
		in []byte
		o  SignOptions
	}{
		"SHA-384":      {make([]byte, 48), SignOptions{Hash: crypto.SHA384, Input: InputDigest}},
		"SHA-512 raw":  {msg, SignOptions{Hash: crypto.SHA512}},
		"no hash":      {digest, SignOptions{Input: InputDigest}},
		"PSS":          {digest, SignOptions{Hash: crypto.SHA256, Input: InputDigest, PSS: true}},
		"Prehash":      {digest, SignOptions{Hash: crypto.SHA256, Input: InputDigest, Prehash: true}},
		"mu":           {make([]byte, 64), SignOptions{Hash: crypto.SHA256, Input: InputMu}},
		"short digest": {digest[:31], SignOptions{Hash: crypto.SHA256, Input: InputDigest}},
	} {
		if _, err := k.Sign(nil, c.in, c.o); err == nil {
			t.Errorf("%s: Sign succeeded", name)
		}
		sig, _ := k.Sign(nil, digest, SignOptions{Hash: crypto.SHA256, Input: InputDigest})
		if k.Verify(c.in, sig, c.o) {
			t.Errorf("%s: Verify = true", name)
		}
	}
}

// OpenSSL 3.0 output for a throwaway secp256k1 key: "genpkey -algorithm EC
// -pkeyopt ec_paramgen_curve:secp256k1", "pkcs8 -topk8 -nocrypt -outform
// DER", "pkey -pubout -outform DER" and "dgst -sha256 -sign" of
// ecOpenSSLMsg (its S happens to be high).
const (
	ecOpenSSLK1PKCS8 = "308184020100301006072a8648ce3d020106052b8104000a046d306b020101042086dd12bfb0d33c24e09980d2eb639e8f49ee4c5d76b5d56b4b74b7cf65b149c7a144034200043bd0ae3f6e5ca818f05fba4e7be1c66ded10ffbe2163fb95d4640131982fd011354f56aeebdd65684a4c0b30d4602ae28df3041b4d045c60e571f203b1f51017"
	ecOpenSSLK1SPKI  = "3056301006072a8648ce3d020106052b8104000a034200043bd0ae3f6e5ca818f05fba4e7be1c66ded10ffbe2163fb95d4640131982fd011354f56aeebdd65684a4c0b30d4602ae28df3041b4d045c60e571f203b1f51017"
	ecOpenSSLK1Sig   = "30450220621c8e1da44e96d9033ad7a41c0eeb09aea1f769f63cbe0b5e042e68e32937ce022100e0e232d8c516b75c8788b61574fa96fae353c0b7ecfcdf4260520a166c245160"
)

func TestSecp256k1OpenSSLFixture(t *testing.T) {
	// OpenSSL's signature has a high S, which verifies.
	checkOpenSSLFixture(t, KindSecp256k1, ecOpenSSLK1PKCS8, ecOpenSSLK1SPKI, ecOpenSSLK1Sig, SignOptions{Hash: crypto.SHA256})
	parsed, err := k1ecdsa.ParseDERSignature(ecMustHex(ecOpenSSLK1Sig))
	if err != nil {
		t.Fatal(err)
	}
	if sv := parsed.S(); !sv.IsOverHalfOrder() {
		t.Error("fixture signature is meant to have a high S")
	}
}

func TestSecp256k1Material(t *testing.T) {
	k := testSecp256k1Key()
	m, err := k.Material()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(KindSecp256k1, m.Reveal())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back.(Signer).PublicKeyDER(), k.PublicKeyDER()) {
		t.Error("public key changed across Parse")
	}
	m2, _ := back.Material()
	if !bytes.Equal(m.Reveal(), m2.Reveal()) {
		t.Error("Material changed across Parse")
	}
	m.Wipe()
	if m3, _ := k.Material(); !bytes.Equal(m3.Reveal(), m2.Reveal()) {
		t.Error("wiping Material changed the key")
	}
	buf := bytes.Clone(m2.Reveal())
	kp, err := Parse(KindSecp256k1, buf)
	if err != nil {
		t.Fatal(err)
	}
	clear(buf)
	if m4, _ := kp.Material(); !bytes.Equal(m4.Reveal(), m2.Reveal()) {
		t.Error("wiping Parse's input changed the key")
	}

	scalar := k.priv.Serialize()
	point := k.pub.pub.SerializeUncompressed()
	algo := ecAlgorithm{oidECPublicKey, oidCurveSecp256k1}
	for name, m := range map[string][]byte{
		"with inner curve": ecPKCS8Variant(t, 0, algo, ecPrivateKey{Version: 1, PrivateKey: scalar, NamedCurve: oidCurveSecp256k1, PublicKey: asn1.BitString{Bytes: point, BitLength: 520}}),
		"without public":   ecPKCS8Variant(t, 0, algo, ecPrivateKey{Version: 1, PrivateKey: scalar}),
		"curve, no public": ecPKCS8Variant(t, 0, algo, ecPrivateKey{Version: 1, PrivateKey: scalar, NamedCurve: oidCurveSecp256k1}),
	} {
		got, err := Parse(KindSecp256k1, m)
		if err != nil {
			t.Errorf("%s: Parse: %v", name, err)
		} else if !bytes.Equal(got.(Signer).PublicKeyDER(), k.PublicKeyDER()) {
			t.Errorf("%s: Parse gave another key", name)
		}
	}
	rejects := ecParseRejects(t, oidCurveSecp256k1, secp256k1N, scalar, point)
	rejects["P-256 material"] = ecMustHex(ecOpenSSLP256PKCS8)
	rejects["Ed25519 material"] = ecMustHex(ecOpenSSLEd25519PKCS8)
	// The scalar n-1 is the largest valid one; n and above are refused
	// (ecParseRejects), not reduced.
	for name, m := range rejects {
		if _, err := Parse(KindSecp256k1, m); !errors.Is(err, ErrMalformedMaterial) {
			t.Errorf("%s: Parse error = %v, want ErrMalformedMaterial", name, err)
		}
	}
	nMinus1 := new(big.Int).Sub(secp256k1N, big.NewInt(1)).FillBytes(make([]byte, 32))
	if _, err := Parse(KindSecp256k1, ecPKCS8Variant(t, 0, algo, ecPrivateKey{Version: 1, PrivateKey: nMinus1})); err != nil {
		t.Errorf("scalar n-1: %v", err)
	}
	// And the secp256k1 material is refused by the NIST kinds.
	for _, kind := range []Kind{KindP256, KindP384, KindP521, KindEd25519} {
		if _, err := Parse(kind, m2.Reveal()); !errors.Is(err, ErrMalformedMaterial) {
			t.Errorf("secp256k1 material parsed as %s: %v", kind, err)
		}
	}
}

func TestSecp256k1GenerateRandomness(t *testing.T) {
	a, err := Generate(KindSecp256k1, &randtest.Counting{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Generate(KindSecp256k1, &randtest.Counting{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.(Signer).PublicKeyDER(), b.(Signer).PublicKeyDER()) {
		t.Error("the same random bytes gave different keys")
	}
	if _, err := Generate(KindSecp256k1, randtest.Failing{}); !errors.Is(err, randtest.ErrNoEntropy) {
		t.Errorf("Generate with a failing reader: %v", err)
	}
}

func TestSecp256k1Concurrent(t *testing.T) {
	k := testSecp256k1Key()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			msg := []byte{byte(i)}
			o := SignOptions{Hash: crypto.SHA256}
			sig, err := k.Sign(nil, msg, o)
			if err != nil || !k.Verify(msg, sig, o) {
				t.Errorf("concurrent sign/verify: %v", err)
			}
			if _, err := k.Material(); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

func TestSecp256k1Redacted(t *testing.T) {
	k := testSecp256k1Key()
	ecAssertRedacted(t, k, k.priv.Serialize())
}
