package cipher

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	cryptorand "crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"runtime/debug"
	"strings"
	"sync"
	"testing"

	"github.com/trent-kms/trent/internal/randtest"
)

// ecdsaWycheproofGroup is a group of an ecdsa_*_test file (DER signatures).
type ecdsaWycheproofGroup struct {
	PublicKeyDER hexBytes `json:"publicKeyDer"`
	SHA          string   `json:"sha"`
	Tests        []struct {
		wycheproofCase
		Msg hexBytes `json:"msg"`
		Sig hexBytes `json:"sig"`
	} `json:"tests"`
}

// ecdsaWycheproof runs the vectors of file through verify, built by
// newVerifier from each group's SPKI point; the files have no "acceptable"
// vectors, so every vector must go its way. It runs one vector in stride
// (see ecVectorStride).
func ecdsaWycheproof(t *testing.T, file string, curve asn1.ObjectIdentifier, hash crypto.Hash, stride int,
	newVerifier func(point []byte) (func(msg, sig []byte, o SignOptions) bool, error)) {
	t.Helper()
	var valid, invalid, skipped, n int
	for _, g := range loadWycheproof[ecdsaWycheproofGroup](t, file) {
		point, err := ecParseSPKI(g.PublicKeyDER, curve)
		if err != nil {
			t.Fatalf("%s: public key %x: %v", file, g.PublicKeyDER, err)
		}
		// Our SPKI encoder writes what Wycheproof (and OpenSSL) write.
		if der, err := ecMarshalSPKI(curve, point); err != nil || !bytes.Equal(der, g.PublicKeyDER) {
			t.Errorf("%s: ecMarshalSPKI = %x, %v; want %x", file, der, err, g.PublicKeyDER)
		}
		verify, err := newVerifier(point)
		if err != nil {
			t.Fatalf("%s: public key %x: %v", file, point, err)
		}
		for _, tc := range g.Tests {
			if n++; n%stride != 0 {
				skipped++
				continue
			}
			got := verify(tc.Msg, tc.Sig, SignOptions{Hash: hash, Input: InputRaw})
			switch {
			case tc.Valid() && got:
				valid++
			case tc.Invalid() && !got:
				invalid++
			default:
				t.Errorf("%s tcId %d (%s, %v): verify = %v, want result %s", file, tc.TcID, tc.Comment, tc.Flags, got, tc.Result)
			}
		}
	}
	t.Logf("%s: %d valid verified, %d invalid refused, %d skipped (stride %d)", file, valid, invalid, skipped, stride)
}

// ecVectorStride is 1, or 4 for P-384 and P-521 under the race detector:
// it slows their generic Go field arithmetic (P-256 has assembly) about
// fifteenfold, which would make these files take most of the package's
// time budget. The vectors test arithmetic, not concurrency; every one of
// them runs in a test run without -race.
func ecVectorStride(c *nistCurve) int {
	if c == nistP256 || !ecRaceEnabled() {
		return 1
	}
	return 4
}

var ecRaceEnabled = sync.OnceValue(func() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
})

func TestECDSAWycheproof(t *testing.T) {
	for _, tt := range []struct {
		file  string
		curve *nistCurve
		hash  crypto.Hash
	}{
		{"ecdsa_secp256r1_sha256_test", nistP256, crypto.SHA256},
		{"ecdsa_secp384r1_sha384_test", nistP384, crypto.SHA384},
		{"ecdsa_secp521r1_sha512_test", nistP521, crypto.SHA512},
	} {
		t.Run(tt.file, func(t *testing.T) {
			ecdsaWycheproof(t, tt.file, tt.curve.oid, tt.hash, ecVectorStride(tt.curve), func(point []byte) (func([]byte, []byte, SignOptions) bool, error) {
				pub, err := ecdsa.ParseUncompressedPublicKey(tt.curve.curve, point)
				if err != nil {
					return nil, err
				}
				return ecdsaVerifier{pub}.verify, nil
			})
		})
	}
}

var nistCurves = []*nistCurve{nistP256, nistP384, nistP521}

// testECKeys holds one generated key per NIST kind, made once.
var testECKeys = sync.OnceValue(func() map[Kind]*ECKey {
	m := map[Kind]*ECKey{}
	for _, c := range nistCurves {
		k, err := Generate(c.kind, nil)
		if err != nil {
			panic(err)
		}
		m[c.kind] = k.(*ECKey)
	}
	return m
})

func TestECKeyInterfaces(t *testing.T) {
	for kind, k := range testECKeys() {
		var key Key = k
		if _, ok := key.(Signer); !ok {
			t.Errorf("%s key is not a Signer", kind)
		}
		if _, ok := key.(AgreementKey); !ok {
			t.Errorf("%s key is not an AgreementKey", kind)
		}
		if k.Kind() != kind {
			t.Errorf("Kind() = %s, want %s", k.Kind(), kind)
		}
	}
}

// stdlibECKeys returns the key's private and public halves as Go's x509
// reads its Material and PublicKeyDER, independently of our parsers.
func stdlibECKeys(t *testing.T, k AsymmetricKey) (*ecdsa.PrivateKey, *ecdsa.PublicKey) {
	t.Helper()
	m, err := k.Material()
	if err != nil {
		t.Fatal(err)
	}
	priv, err := x509.ParsePKCS8PrivateKey(m.Reveal())
	if err != nil {
		t.Fatalf("x509.ParsePKCS8PrivateKey(Material): %v", err)
	}
	pub, err := x509.ParsePKIXPublicKey(k.PublicKeyDER())
	if err != nil {
		t.Fatalf("x509.ParsePKIXPublicKey(PublicKeyDER): %v", err)
	}
	if !priv.(*ecdsa.PrivateKey).PublicKey.Equal(pub) {
		t.Fatal("Material and PublicKeyDER hold different keys")
	}
	return priv.(*ecdsa.PrivateKey), pub.(*ecdsa.PublicKey)
}

func TestECKeySignCrossCheck(t *testing.T) {
	msg := []byte("message to sign")
	for kind, k := range testECKeys() {
		stdPriv, stdPub := stdlibECKeys(t, k)
		for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512} {
			hh := h.New()
			hh.Write(msg)
			digest := hh.Sum(nil)
			for _, o := range []SignOptions{{Hash: h, Input: InputRaw}, {Hash: h, Input: InputDigest}} {
				in := msg
				if o.Input == InputDigest {
					in = digest
				}
				sig, err := k.Sign(nil, in, o)
				if err != nil {
					t.Fatalf("%s %v: Sign: %v", kind, o, err)
				}
				if !ecdsa.VerifyASN1(stdPub, digest, sig) {
					t.Errorf("%s %v: stdlib rejects our signature", kind, o)
				}
				if !k.Verify(in, sig, o) {
					t.Errorf("%s %v: Verify rejects our signature", kind, o)
				}
				stdSig, err := ecdsa.SignASN1(cryptorand.Reader, stdPriv, digest)
				if err != nil {
					t.Fatal(err)
				}
				if !k.Verify(in, stdSig, o) {
					t.Errorf("%s %v: Verify rejects a stdlib signature", kind, o)
				}
				bad := bytes.Clone(sig)
				bad[len(bad)-1] ^= 1
				if k.Verify(in, bad, o) {
					t.Errorf("%s %v: Verify accepts a changed signature", kind, o)
				}
				// The first byte: ECDSA uses only the digest's leftmost
				// bits when it is longer than the curve order (SHA-512 on
				// P-256), so a change in the last byte may go unseen.
				changed := bytes.Clone(in)
				changed[0] ^= 1
				if k.Verify(changed, sig, o) {
					t.Errorf("%s %v: Verify accepts a changed message", kind, o)
				}
				if k.Verify(in, append(bytes.Clone(sig), 0), o) {
					t.Errorf("%s %v: Verify accepts a trailing byte", kind, o)
				}
			}
		}
	}
}

// TestECKeyBadSignOptions: options of other schemes, other hashes and
// digests of the wrong length are errors for Sign and false for Verify.
func TestECKeyBadSignOptions(t *testing.T) {
	k := testECKeys()[KindP256]
	d32 := make([]byte, 32)
	good, err := k.Sign(nil, d32, SignOptions{Hash: crypto.SHA256, Input: InputDigest})
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		in []byte
		o  SignOptions
	}{
		"no hash":       {d32, SignOptions{Input: InputDigest}},
		"SHA-1":         {make([]byte, 20), SignOptions{Hash: crypto.SHA1, Input: InputDigest}},
		"SHA-224":       {make([]byte, 28), SignOptions{Hash: crypto.SHA224, Input: InputDigest}},
		"SHA3-256":      {d32, SignOptions{Hash: crypto.SHA3_256, Input: InputDigest}},
		"PSS":           {d32, SignOptions{Hash: crypto.SHA256, Input: InputDigest, PSS: true}},
		"Prehash":       {d32, SignOptions{Hash: crypto.SHA256, Input: InputDigest, Prehash: true}},
		"mu":            {make([]byte, 64), SignOptions{Hash: crypto.SHA256, Input: InputMu}},
		"unknown input": {d32, SignOptions{Hash: crypto.SHA256, Input: Input(99)}},
		"short digest":  {d32[:31], SignOptions{Hash: crypto.SHA256, Input: InputDigest}},
		"long digest":   {make([]byte, 33), SignOptions{Hash: crypto.SHA256, Input: InputDigest}},
		"SHA-512 of 32": {d32, SignOptions{Hash: crypto.SHA512, Input: InputDigest}},
		"empty digest":  {nil, SignOptions{Hash: crypto.SHA256, Input: InputDigest}},
	} {
		if _, err := k.Sign(nil, c.in, c.o); err == nil {
			t.Errorf("%s: Sign succeeded", name)
		}
		if k.Verify(c.in, good, c.o) {
			t.Errorf("%s: Verify = true", name)
		}
	}
}

func TestECKeyMaterialRoundTrip(t *testing.T) {
	for kind, k := range testECKeys() {
		m, err := k.Material()
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse(kind, m.Reveal())
		if err != nil {
			t.Fatalf("%s: Parse(Material): %v", kind, err)
		}
		m2, err := back.Material()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(m.Reveal(), m2.Reveal()) {
			t.Errorf("%s: Material changed across Parse", kind)
		}
		if !bytes.Equal(back.(AsymmetricKey).PublicKeyDER(), k.PublicKeyDER()) {
			t.Errorf("%s: public key changed across Parse", kind)
		}
		// Our PKCS#8 writer (used for secp256k1) writes byte for byte what
		// x509 writes for the NIST curves.
		scalar, err := k.priv.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		point, err := k.priv.PublicKey.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		mine, err := ecMarshalPKCS8(k.curve.oid, scalar, point)
		if err != nil || !bytes.Equal(mine, m.Reveal()) {
			t.Errorf("%s: ecMarshalPKCS8 differs from x509.MarshalPKCS8PrivateKey", kind)
		}
		// Material is a fresh copy: wiping it leaves the key working.
		m.Wipe()
		if m3, _ := k.Material(); !bytes.Equal(m3.Reveal(), m2.Reveal()) {
			t.Errorf("%s: wiping Material changed the key", kind)
		}
		// Parse does not keep the caller's slice.
		buf := bytes.Clone(m2.Reveal())
		kp, err := Parse(kind, buf)
		if err != nil {
			t.Fatal(err)
		}
		clear(buf)
		if m4, _ := kp.Material(); !bytes.Equal(m4.Reveal(), m2.Reveal()) {
			t.Errorf("%s: wiping Parse's input changed the key", kind)
		}
	}
}

// ecPKCS8Variant builds PKCS#8 EC material by hand, for the forms other
// tools write and for broken ones.
func ecPKCS8Variant(t *testing.T, version int, algo ecAlgorithm, inner ecPrivateKey) []byte {
	t.Helper()
	innerDER, err := asn1.Marshal(inner)
	if err != nil {
		t.Fatal(err)
	}
	der, err := asn1.Marshal(ecPrivateKeyInfo{Version: version, Algorithm: algo, PrivateKey: innerDER})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// ecParseRejects is the set of malformed variants of a key's material that
// every EC kind must refuse; scalar and point are the key's.
func ecParseRejects(t *testing.T, curve asn1.ObjectIdentifier, n *big.Int, scalar, point []byte) map[string][]byte {
	t.Helper()
	algo := ecAlgorithm{oidECPublicKey, curve}
	good := ecPKCS8Variant(t, 0, algo, ecPrivateKey{Version: 1, PrivateKey: scalar, PublicKey: asn1.BitString{Bytes: point, BitLength: 8 * len(point)}})
	size := len(scalar)
	withScalar := func(s []byte) []byte {
		return ecPKCS8Variant(t, 0, algo, ecPrivateKey{Version: 1, PrivateKey: s})
	}
	otherPoint := bytes.Clone(point)
	otherPoint[len(otherPoint)-1] ^= 1
	return map[string][]byte{
		"nil":                {},
		"garbage":            []byte("not a key at all, but long enough to be one"),
		"trailing byte":      append(bytes.Clone(good), 0),
		"truncated":          good[:len(good)-1],
		"PKCS#8 version 1":   ecPKCS8Variant(t, 1, algo, ecPrivateKey{Version: 1, PrivateKey: scalar}),
		"ECPrivateKey v2":    ecPKCS8Variant(t, 0, algo, ecPrivateKey{Version: 2, PrivateKey: scalar}),
		"other curve":        ecPKCS8Variant(t, 0, ecAlgorithm{oidECPublicKey, asn1.ObjectIdentifier{1, 3, 132, 0, 33}}, ecPrivateKey{Version: 1, PrivateKey: scalar}),
		"other algorithm":    ecPKCS8Variant(t, 0, ecAlgorithm{asn1.ObjectIdentifier{1, 3, 132, 1, 12}, curve}, ecPrivateKey{Version: 1, PrivateKey: scalar}),
		"inner other curve":  ecPKCS8Variant(t, 0, algo, ecPrivateKey{Version: 1, PrivateKey: scalar, NamedCurve: asn1.ObjectIdentifier{1, 3, 132, 0, 33}}),
		"mismatched public":  ecPKCS8Variant(t, 0, algo, ecPrivateKey{Version: 1, PrivateKey: scalar, PublicKey: asn1.BitString{Bytes: otherPoint, BitLength: 8 * len(otherPoint)}}),
		"public not bytes":   ecPKCS8Variant(t, 0, algo, ecPrivateKey{Version: 1, PrivateKey: scalar, PublicKey: asn1.BitString{Bytes: point, BitLength: 8*len(point) - 1}}),
		"scalar zero":        withScalar(make([]byte, size)),
		"scalar n":           withScalar(n.FillBytes(make([]byte, size))),
		"scalar n+1":         withScalar(new(big.Int).Add(n, big.NewInt(1)).FillBytes(make([]byte, size))),
		"scalar too long":    withScalar(append([]byte{0}, scalar...)),
		"scalar empty":       withScalar(nil),
		"scalar all ones":    withScalar(bytes.Repeat([]byte{0xff}, size)),
		"explicit params":    ecExplicitParamsVariant(t, good),
		"not PKCS#8, SEC1":   ecMustMarshal(t, ecPrivateKey{Version: 1, PrivateKey: scalar, NamedCurve: curve}),
		"uncompressed point": point,
	}
}

// ecExplicitParamsVariant replaces the namedCurve of a PKCS#8 EC key by a
// SEQUENCE, as keys with explicit curve parameters have.
func ecExplicitParamsVariant(t *testing.T, good []byte) []byte {
	t.Helper()
	type explicitAlgo struct {
		Algorithm asn1.ObjectIdentifier
		Params    asn1.RawValue
	}
	var info ecPrivateKeyInfo
	if _, err := asn1.Unmarshal(good, &info); err != nil {
		t.Fatal(err)
	}
	return ecMustMarshal(t, struct {
		Version    int
		Algorithm  explicitAlgo
		PrivateKey []byte
	}{0, explicitAlgo{oidECPublicKey, asn1.RawValue{FullBytes: ecMustMarshal(t, []int{1, 2, 3})}}, info.PrivateKey})
}

// ecWithAttributes adds an empty [0] attributes set to a PKCS#8 EC key.
func ecWithAttributes(t *testing.T, der []byte) []byte {
	t.Helper()
	var info ecPrivateKeyInfo
	if _, err := asn1.Unmarshal(der, &info); err != nil {
		t.Fatal(err)
	}
	info.Attributes = asn1.RawValue{FullBytes: []byte{0xa0, 0x00}}
	return ecMustMarshal(t, info)
}

func ecMustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestECKeyParseForms(t *testing.T) {
	for kind, k := range testECKeys() {
		scalar, _ := k.priv.Bytes()
		point, _ := k.priv.PublicKey.Bytes()
		algo := ecAlgorithm{oidECPublicKey, k.curve.oid}
		// Accepted: the curve repeated inside, the public key left out,
		// and a scalar without its leading zero byte (old OpenSSL).
		accepted := map[string][]byte{
			"with inner curve": ecPKCS8Variant(t, 0, algo, ecPrivateKey{Version: 1, PrivateKey: scalar, NamedCurve: k.curve.oid, PublicKey: asn1.BitString{Bytes: point, BitLength: 8 * len(point)}}),
			"without public":   ecPKCS8Variant(t, 0, algo, ecPrivateKey{Version: 1, PrivateKey: scalar}),
			"with attributes":  ecWithAttributes(t, ecPKCS8Variant(t, 0, algo, ecPrivateKey{Version: 1, PrivateKey: scalar})),
		}
		for name, m := range accepted {
			got, err := Parse(kind, m)
			if err != nil {
				t.Errorf("%s %s: Parse: %v", kind, name, err)
				continue
			}
			if !bytes.Equal(got.(AsymmetricKey).PublicKeyDER(), k.PublicKeyDER()) {
				t.Errorf("%s %s: Parse gave another key", kind, name)
			}
		}
		short, err := Parse(kind, ecPKCS8Variant(t, 0, algo, ecPrivateKey{Version: 1, PrivateKey: []byte{7}}))
		if err != nil {
			t.Errorf("%s: Parse of a short scalar: %v", kind, err)
		} else if s, _ := short.(*ECKey).priv.Bytes(); new(big.Int).SetBytes(s).Int64() != 7 {
			t.Errorf("%s: short scalar read as %x", kind, s)
		}

		for name, m := range ecParseRejects(t, k.curve.oid, k.curve.curve.Params().N, scalar, point) {
			if _, err := Parse(kind, m); !errors.Is(err, ErrMalformedMaterial) {
				t.Errorf("%s %s: Parse error = %v, want ErrMalformedMaterial", kind, name, err)
			} else if strings.Contains(err.Error(), hex.EncodeToString(scalar)) {
				t.Errorf("%s %s: error shows the scalar", kind, name)
			}
		}
		// Every other kind's material is refused.
		for other, ok := range testECKeys() {
			if other == kind {
				continue
			}
			m, _ := ok.Material()
			if _, err := Parse(kind, m.Reveal()); !errors.Is(err, ErrMalformedMaterial) {
				t.Errorf("%s material parsed as %s: %v", other, kind, err)
			}
		}
		for _, other := range []Kind{KindSecp256k1, KindEd25519} {
			ok, err := Generate(other, nil)
			if err != nil {
				t.Fatal(err)
			}
			m, _ := ok.Material()
			if _, err := Parse(kind, m.Reveal()); !errors.Is(err, ErrMalformedMaterial) {
				t.Errorf("%s material parsed as %s: %v", other, kind, err)
			}
		}
	}
}

// OpenSSL 3.0 output: "genpkey -algorithm EC -pkeyopt
// ec_paramgen_curve:P-256", "pkcs8 -topk8 -nocrypt -outform DER", "pkey
// -pubout -outform DER" and "dgst -sha256 -sign" of ecOpenSSLMsg. A
// throwaway test key.
const (
	ecOpenSSLMsg          = "trent secp256k1 fixture"
	ecOpenSSLP256PKCS8    = "308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b0201010420cb9d44fad56b44f9990922f9ffb7aaf68050e34a65d3aaffc9deff41ee66ff96a14403420004bd051bd3160ca4749db7d71eb477637d852c3069c2c7cee62702232e10953ff49a5ba218682faea2acc32bfabdbce1b753efeadcd8d3991eb773ad73e62059fd"
	ecOpenSSLP256SPKI     = "3059301306072a8648ce3d020106082a8648ce3d03010703420004bd051bd3160ca4749db7d71eb477637d852c3069c2c7cee62702232e10953ff49a5ba218682faea2acc32bfabdbce1b753efeadcd8d3991eb773ad73e62059fd"
	ecOpenSSLP256Sig      = "3046022100a2c8f4786b623b7a86962092f6112fd8150cd916fd43fa8baa8bfd408796f0ec022100f08693aca6574f6d4286911f649c5c479e7de387458670ca24dcb3e05b78f835"
	ecOpenSSLRSA512SPKI   = "305c300d06092a864886f70d0101010500034b003048024100cb679e46a792ab12991e4bb5c09906188d41fa43aef110b106f1cd3df1b77f6a87d935f138ecfa3f2ca03a59eba6c1f6fe4c463e78b8e546905624cdac2ea8630203010001"
	ecOpenSSLX25519SPKI   = "302a300506032b656e0321008e09beb47ac64bab481fcbb4c605d5a38e27281f3234c4e3dc9637af7f72ff1e"
	ecOpenSSLEd25519SPKI  = "302a300506032b657003210092eaf5d3d54593b343f1f004ad127dcb04396adc218ced14cbcb5ca1f60914f8"
	ecOpenSSLEd25519PKCS8 = "302e020100300506032b6570042204207cf6c603289dfc6d17598aec0d35a4fc3920704dedc48491884c899d652cb3aa"
	ecOpenSSLEd25519Sig   = "547f50270c217b7a75eacff28e2430fba42a97ef572ba657a5018841a092167bca7c3626fbe22b4159181391dcb5907bbc3ef703ab63d67ba209a6ed8e4c6e02"
)

func ecMustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// checkOpenSSLFixture parses a key OpenSSL 3.0 wrote (PKCS#8, hex), and
// checks that our encoders write the same bytes (Material, PublicKeyDER)
// and that OpenSSL's signature of ecOpenSSLMsg verifies. It returns the key.
func checkOpenSSLFixture(t *testing.T, kind Kind, pkcs8, spki, sig string, o SignOptions) Signer {
	t.Helper()
	k, err := Parse(kind, ecMustHex(pkcs8))
	if err != nil {
		t.Fatal(err)
	}
	s := k.(Signer)
	if !bytes.Equal(s.PublicKeyDER(), ecMustHex(spki)) {
		t.Errorf("%s: PublicKeyDER = %x, want OpenSSL's %s", kind, s.PublicKeyDER(), spki)
	}
	m, _ := k.Material()
	if !bytes.Equal(m.Reveal(), ecMustHex(pkcs8)) {
		t.Errorf("%s: Material differs from OpenSSL's PKCS#8", kind)
	}
	if !s.Verify([]byte(ecOpenSSLMsg), ecMustHex(sig), o) {
		t.Errorf("%s: OpenSSL's signature does not verify", kind)
	}
	return s
}

func TestECKeyOpenSSLFixture(t *testing.T) {
	checkOpenSSLFixture(t, KindP256, ecOpenSSLP256PKCS8, ecOpenSSLP256SPKI, ecOpenSSLP256Sig, SignOptions{Hash: crypto.SHA256})
}

func TestECKeyGenerateRandomness(t *testing.T) {
	for _, c := range nistCurves {
		a, err := Generate(c.kind, &randtest.Counting{})
		if err != nil {
			t.Fatal(err)
		}
		b, err := Generate(c.kind, &randtest.Counting{})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.(Signer).PublicKeyDER(), b.(Signer).PublicKeyDER()) {
			t.Errorf("%s: the same random bytes gave different keys", c.kind)
		}
		// The scalar is the reader's bytes (P-521's top byte masked to 1 bit).
		want := make([]byte, c.scalarLen())
		for i := range want {
			want[i] = byte(i)
		}
		if got, _ := a.(*ECKey).priv.Bytes(); !bytes.Equal(got, want) {
			t.Errorf("%s: scalar is not the reader's bytes", c.kind)
		}
		if _, err := Generate(c.kind, randtest.Failing{}); !errors.Is(err, randtest.ErrNoEntropy) {
			t.Errorf("%s: Generate with a failing reader: %v", c.kind, err)
		}
		// A reader that only ever gives values >= n is a broken reader.
		if _, err := Generate(c.kind, ecAllOnes{}); err == nil {
			t.Errorf("%s: Generate accepted an all-ones scalar", c.kind)
		}
	}
}

// ecAllOnes reads 0xff forever.
type ecAllOnes struct{}

func (ecAllOnes) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 0xff
	}
	return len(p), nil
}

func TestECKeyConcurrent(t *testing.T) {
	k := testECKeys()[KindP256]
	peer := testECKeys()[KindP256].PublicKeyDER()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			msg := []byte{byte(i)}
			o := SignOptions{Hash: crypto.SHA256}
			sig, err := k.Sign(nil, msg, o)
			if err != nil || !k.Verify(msg, sig, o) {
				t.Errorf("concurrent sign/verify: %v", err)
			}
			if _, err := k.SharedSecret(peer); err != nil {
				t.Errorf("concurrent SharedSecret: %v", err)
			}
			if _, err := k.Material(); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

// ecAssertRedacted checks that no usual way of printing, logging or
// marshalling k shows the secret bytes.
func ecAssertRedacted(t *testing.T, k Key, secretBytes []byte) {
	t.Helper()
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		outs = append(outs, fmt.Sprintf(verb, k))
	}
	outs = append(outs, fmt.Sprintf("%+v", struct{ K Key }{k}), fmt.Sprintf("%#v", []Key{k}))
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("key", "key", k)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("key", "key", k, "group", slog.GroupValue(slog.Any("k", k)))
	outs = append(outs, buf.String())
	j, err := json.Marshal(map[string]any{"key": k})
	if err != nil {
		t.Fatal(err)
	}
	outs = append(outs, string(j))
	lowerHex := hex.EncodeToString(secretBytes)
	for _, out := range outs {
		if !strings.Contains(out, "[REDACTED]") {
			t.Errorf("%s output %q does not say %s", k.Kind(), out, "[REDACTED]")
		}
		if strings.Contains(strings.ToLower(out), lowerHex) || strings.Contains(out, string(secretBytes)) ||
			strings.Contains(out, fmt.Sprint(secretBytes)) {
			t.Errorf("%s output %q shows the private key", k.Kind(), out)
		}
	}
}

func TestECKeyRedacted(t *testing.T) {
	for _, k := range testECKeys() {
		scalar, _ := k.priv.Bytes()
		ecAssertRedacted(t, k, scalar)
		// A copy of the struct redacts too (Redacted has value receivers).
		if got := fmt.Sprintf("%+v", *k); got != "[REDACTED]" {
			t.Errorf("copy of the key prints %q", got)
		}
	}
}

// digests used by the Ed25519 and secp256k1 tests too.
func ecSHA256Of(b []byte) []byte { h := sha256.Sum256(b); return h[:] }
func ecSHA512Of(b []byte) []byte { h := sha512.Sum512(b); return h[:] }
