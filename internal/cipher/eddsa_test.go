package cipher

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"sync"
	"testing"

	"github.com/trent-kms/trent/internal/randtest"
)

type ed25519WycheproofGroup struct {
	PublicKey struct {
		PK hexBytes `json:"pk"`
	} `json:"publicKey"`
	PublicKeyDER hexBytes `json:"publicKeyDer"`
	Tests        []struct {
		wycheproofCase
		Msg hexBytes `json:"msg"`
		Sig hexBytes `json:"sig"`
	} `json:"tests"`
}

// TestEd25519Wycheproof runs ed25519_test (pure Ed25519) through the
// verifier Ed25519Key uses. The file has no "acceptable" vectors.
func TestEd25519Wycheproof(t *testing.T) {
	var valid, invalid int
	for _, g := range loadWycheproof[ed25519WycheproofGroup](t, "ed25519_test") {
		pub := ed25519.PublicKey(g.PublicKey.PK)
		if der, err := x509.MarshalPKIXPublicKey(pub); err != nil || !bytes.Equal(der, g.PublicKeyDER) {
			t.Errorf("SPKI of %x = %x, %v; want %x", pub, der, err, g.PublicKeyDER)
		}
		for _, tc := range g.Tests {
			got := ed25519Verify(pub, tc.Msg, tc.Sig, SignOptions{Input: InputRaw})
			switch {
			case tc.Valid() && got:
				valid++
			case tc.Invalid() && !got:
				invalid++
			default:
				t.Errorf("tcId %d (%s, %v): verify = %v, want result %s", tc.TcID, tc.Comment, tc.Flags, got, tc.Result)
			}
		}
	}
	t.Logf("ed25519_test: %d valid verified, %d invalid refused", valid, invalid)
}

// TestEd25519phRFC8032 checks the Ed25519ph core against RFC 8032 §7.3
// (TEST abc). The exported path cannot take this vector: it signs a 64-byte
// digest d as the message, and "abc" is 3 bytes.
func TestEd25519phRFC8032(t *testing.T) {
	priv := ed25519.NewKeyFromSeed(ecMustHex("833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42"))
	if got := priv.Public().(ed25519.PublicKey); !bytes.Equal(got, ecMustHex("ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf")) {
		t.Fatalf("public key = %x", got)
	}
	want := ecMustHex("98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae4131f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406")
	sig, err := ed25519phSign(priv, []byte("abc"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sig, want) {
		t.Errorf("Ed25519ph(abc) = %x, want %x", sig, want)
	}
	pub := priv.Public().(ed25519.PublicKey)
	if !ed25519phVerify(pub, []byte("abc"), want) {
		t.Error("the RFC's signature does not verify")
	}
	if ed25519phVerify(pub, []byte("abd"), want) {
		t.Error("the RFC's signature verifies another message")
	}
	// Ed25519ph and Ed25519 signatures are not interchangeable.
	if ed25519.Verify(pub, []byte("abc"), want) {
		t.Error("an Ed25519ph signature verifies as pure Ed25519")
	}
}

var testEd25519Key = sync.OnceValue(func() *Ed25519Key {
	k, err := Generate(KindEd25519, nil)
	if err != nil {
		panic(err)
	}
	return k.(*Ed25519Key)
})

var (
	ed25519Pure = SignOptions{Input: InputRaw}
	ed25519PH   = SignOptions{Prehash: true, Input: InputDigest, Hash: crypto.SHA512}
)

// stdlibEd25519Keys reads the key's halves with Go's x509.
func stdlibEd25519Keys(t *testing.T, k *Ed25519Key) (ed25519.PrivateKey, ed25519.PublicKey) {
	t.Helper()
	m, err := k.Material()
	if err != nil {
		t.Fatal(err)
	}
	priv, err := x509.ParsePKCS8PrivateKey(m.Reveal())
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.ParsePKIXPublicKey(k.PublicKeyDER())
	if err != nil {
		t.Fatal(err)
	}
	if !priv.(ed25519.PrivateKey).Public().(ed25519.PublicKey).Equal(pub) {
		t.Fatal("Material and PublicKeyDER hold different keys")
	}
	return priv.(ed25519.PrivateKey), pub.(ed25519.PublicKey)
}

func TestEd25519SignCrossCheck(t *testing.T) {
	k := testEd25519Key()
	if _, ok := Key(k).(Signer); !ok {
		t.Fatal("not a Signer")
	}
	stdPriv, stdPub := stdlibEd25519Keys(t, k)
	msg := []byte("message to sign")

	// Pure Ed25519, with Hash zero or SHA-512 (ED25519_SHA_512, RAW).
	for _, o := range []SignOptions{ed25519Pure, {Input: InputRaw, Hash: crypto.SHA512}} {
		sig, err := k.Sign(nil, msg, o)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(sig, ed25519.Sign(stdPriv, msg)) {
			t.Error("pure signature differs from stdlib's")
		}
		if !ed25519.Verify(stdPub, msg, sig) || !k.Verify(msg, sig, o) {
			t.Error("pure signature does not verify")
		}
		if k.Verify(msg[1:], sig, o) {
			t.Error("pure signature verifies another message")
		}
	}

	// Ed25519ph of a 64-byte digest d (ED25519_PH_SHA_512, DIGEST): the
	// signature is Ed25519ph over the message d, which stdlib checks as
	// Ed25519ph with PH(d) = SHA-512(d).
	d := ecSHA512Of(msg)
	sig, err := k.Sign(nil, d, ed25519PH)
	if err != nil {
		t.Fatal(err)
	}
	if err := ed25519.VerifyWithOptions(stdPub, ecSHA512Of(d), sig, &ed25519.Options{Hash: crypto.SHA512}); err != nil {
		t.Errorf("stdlib rejects our Ed25519ph signature: %v", err)
	}
	stdSig, err := stdPriv.Sign(nil, ecSHA512Of(d), &ed25519.Options{Hash: crypto.SHA512})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sig, stdSig) {
		t.Error("Ed25519ph signature differs from stdlib's")
	}
	if !k.Verify(d, sig, ed25519PH) {
		t.Error("Verify rejects our Ed25519ph signature")
	}
	// Not the same as signing d once hashed: AWS hashes the digest again.
	if once, _ := stdPriv.Sign(nil, d, &ed25519.Options{Hash: crypto.SHA512}); k.Verify(d, once, ed25519PH) {
		t.Error("Verify accepts Ed25519ph with d itself as PH(M)")
	}
	if k.Verify(d, sig, ed25519Pure) || k.Verify(d, ed25519.Sign(stdPriv, d), ed25519PH) {
		t.Error("pure and prehash signatures are interchangeable")
	}

	// Every other combination is an error, and false for Verify.
	for name, c := range map[string]struct {
		in []byte
		o  SignOptions
	}{
		"prehash of raw":    {d, SignOptions{Prehash: true, Input: InputRaw, Hash: crypto.SHA512}},
		"pure of digest":    {d, SignOptions{Input: InputDigest, Hash: crypto.SHA512}},
		"prehash, no hash":  {d, SignOptions{Prehash: true, Input: InputDigest}},
		"prehash SHA-256":   {d[:32], SignOptions{Prehash: true, Input: InputDigest, Hash: crypto.SHA256}},
		"prehash 32 bytes":  {d[:32], ed25519PH},
		"prehash 65 bytes":  {append(bytes.Clone(d), 0), ed25519PH},
		"prehash empty":     {nil, ed25519PH},
		"pure SHA-256":      {msg, SignOptions{Input: InputRaw, Hash: crypto.SHA256}},
		"PSS":               {msg, SignOptions{Input: InputRaw, PSS: true}},
		"mu":                {d, SignOptions{Input: InputMu}},
		"prehash mu":        {d, SignOptions{Prehash: true, Input: InputMu, Hash: crypto.SHA512}},
		"unknown input":     {msg, SignOptions{Input: Input(7)}},
		"PSS with prehash":  {d, SignOptions{Prehash: true, Input: InputDigest, Hash: crypto.SHA512, PSS: true}},
		"pure SHA-512 mu":   {d, SignOptions{Input: InputMu, Hash: crypto.SHA512}},
		"prehash SHA3-512":  {d, SignOptions{Prehash: true, Input: InputDigest, Hash: crypto.SHA3_512}},
		"pure with SHA-384": {msg, SignOptions{Input: InputRaw, Hash: crypto.SHA384}},
	} {
		if _, err := k.Sign(nil, c.in, c.o); err == nil {
			t.Errorf("%s: Sign succeeded", name)
		}
		for _, s := range [][]byte{sig, ed25519.Sign(stdPriv, c.in)} {
			if k.Verify(c.in, s, c.o) {
				t.Errorf("%s: Verify = true", name)
			}
		}
	}
}

func TestEd25519OpenSSLFixture(t *testing.T) {
	checkOpenSSLFixture(t, KindEd25519, ecOpenSSLEd25519PKCS8, ecOpenSSLEd25519SPKI, ecOpenSSLEd25519Sig, ed25519Pure)
}

// edPKCS8Variant builds PKCS#8 Ed25519 material by hand.
func edPKCS8Variant(t *testing.T, version int, oid asn1.ObjectIdentifier, seed []byte, pub *asn1.BitString) []byte {
	t.Helper()
	info := edPrivateKeyInfo{Version: version, Algorithm: edAlgorithm{oid}, PrivateKey: ecMustMarshal(t, seed)}
	if pub != nil {
		info.PublicKey = *pub
	}
	return ecMustMarshal(t, info)
}

func TestEd25519Material(t *testing.T) {
	k := testEd25519Key()
	m, err := k.Material()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(KindEd25519, m.Reveal())
	if err != nil {
		t.Fatal(err)
	}
	m2, _ := back.Material()
	if !bytes.Equal(m.Reveal(), m2.Reveal()) || !bytes.Equal(back.(Signer).PublicKeyDER(), k.PublicKeyDER()) {
		t.Error("key changed across Parse")
	}
	m.Wipe()
	if m3, _ := k.Material(); !bytes.Equal(m3.Reveal(), m2.Reveal()) {
		t.Error("wiping Material changed the key")
	}
	buf := bytes.Clone(m2.Reveal())
	kp, err := Parse(KindEd25519, buf)
	if err != nil {
		t.Fatal(err)
	}
	clear(buf)
	if m4, _ := kp.Material(); !bytes.Equal(m4.Reveal(), m2.Reveal()) {
		t.Error("wiping Parse's input changed the key")
	}

	seed := k.priv.Seed()
	pub := asn1.BitString{Bytes: k.pub, BitLength: 256}
	// RFC 5958 version 1 with the public key (RFC 8410 §10.3's example
	// form) is accepted; attributes are ignored.
	withAttrs := edPrivateKeyInfo{Version: 0, Algorithm: edAlgorithm{oidEd25519}, PrivateKey: ecMustMarshal(t, seed),
		Attributes: asn1.RawValue{FullBytes: []byte{0xa0, 0x00}}}
	for name, m := range map[string][]byte{
		"v1 with public":   edPKCS8Variant(t, 1, oidEd25519, seed, &pub),
		"v1 without":       edPKCS8Variant(t, 1, oidEd25519, seed, nil),
		"with attributes":  ecMustMarshal(t, withAttrs),
		"v0 built by hand": edPKCS8Variant(t, 0, oidEd25519, seed, nil),
	} {
		got, err := Parse(KindEd25519, m)
		if err != nil {
			t.Errorf("%s: Parse: %v", name, err)
		} else if !bytes.Equal(got.(Signer).PublicKeyDER(), k.PublicKeyDER()) {
			t.Errorf("%s: Parse gave another key", name)
		}
	}

	otherPub := asn1.BitString{Bytes: append(bytes.Clone(k.pub[:31]), k.pub[31]^1), BitLength: 256}
	shortPub := asn1.BitString{Bytes: k.pub[:31], BitLength: 248}
	withParams := ecMustMarshal(t, struct {
		Version    int
		Algorithm  struct{ Algorithm, Params asn1.ObjectIdentifier }
		PrivateKey []byte
	}{0, struct{ Algorithm, Params asn1.ObjectIdentifier }{oidEd25519, oidEd25519}, ecMustMarshal(t, seed)})
	good := edPKCS8Variant(t, 0, oidEd25519, seed, nil)
	for name, m := range map[string][]byte{
		"nil":               nil,
		"garbage":           []byte("garbage that is not a key"),
		"raw seed":          seed,
		"trailing byte":     append(bytes.Clone(good), 0),
		"truncated":         good[:len(good)-1],
		"v0 with public":    edPKCS8Variant(t, 0, oidEd25519, seed, &pub),
		"v2":                edPKCS8Variant(t, 2, oidEd25519, seed, nil),
		"mismatched public": edPKCS8Variant(t, 1, oidEd25519, seed, &otherPub),
		"short public":      edPKCS8Variant(t, 1, oidEd25519, seed, &shortPub),
		"X25519":            edPKCS8Variant(t, 0, asn1.ObjectIdentifier{1, 3, 101, 110}, seed, nil),
		"Ed448":             edPKCS8Variant(t, 0, asn1.ObjectIdentifier{1, 3, 101, 113}, seed, nil),
		"seed 31 bytes":     edPKCS8Variant(t, 0, oidEd25519, seed[:31], nil),
		"seed 64 bytes":     edPKCS8Variant(t, 0, oidEd25519, k.priv, nil),
		"seed not wrapped":  ecMustMarshal(t, edPrivateKeyInfo{Version: 0, Algorithm: edAlgorithm{oidEd25519}, PrivateKey: seed}),
		"with parameters":   withParams,
		"P-256 material":    ecMustHex(ecOpenSSLP256PKCS8),
		"secp256k1":         ecMustHex(ecOpenSSLK1PKCS8),
	} {
		if _, err := Parse(KindEd25519, m); !errors.Is(err, ErrMalformedMaterial) {
			t.Errorf("%s: Parse error = %v, want ErrMalformedMaterial", name, err)
		}
	}
	for _, kind := range []Kind{KindP256, KindP384, KindP521, KindSecp256k1} {
		if _, err := Parse(kind, m2.Reveal()); !errors.Is(err, ErrMalformedMaterial) {
			t.Errorf("Ed25519 material parsed as %s: %v", kind, err)
		}
	}
}

func TestEd25519GenerateRandomness(t *testing.T) {
	k, err := Generate(KindEd25519, &randtest.Counting{})
	if err != nil {
		t.Fatal(err)
	}
	want := make([]byte, ed25519.SeedSize)
	for i := range want {
		want[i] = byte(i)
	}
	if !bytes.Equal(k.(*Ed25519Key).priv.Seed(), want) {
		t.Error("the seed is not the reader's bytes")
	}
	if _, err := Generate(KindEd25519, randtest.Failing{}); !errors.Is(err, randtest.ErrNoEntropy) {
		t.Errorf("Generate with a failing reader: %v", err)
	}
}

func TestEd25519Concurrent(t *testing.T) {
	k := testEd25519Key()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			d := ecSHA512Of([]byte{byte(i)})
			sig, err := k.Sign(nil, d, ed25519PH)
			if err != nil || !k.Verify(d, sig, ed25519PH) {
				t.Errorf("concurrent sign/verify: %v", err)
			}
		})
	}
	wg.Wait()
}

func TestEd25519Redacted(t *testing.T) {
	k := testEd25519Key()
	ecAssertRedacted(t, k, k.priv.Seed())
}
