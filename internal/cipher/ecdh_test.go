package cipher

import (
	"bytes"
	"crypto/ecdsa"
	cryptorand "crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"math/big"
	"testing"
)

// ecdhWycheproofGroup is a group of an ecdh_<curve>_test file: "public" is
// a DER SubjectPublicKeyInfo, "private" a big-endian scalar.
type ecdhWycheproofGroup struct {
	Curve string `json:"curve"`
	Tests []struct {
		wycheproofCase
		Public  hexBytes `json:"public"`
		Private hexBytes `json:"private"`
		Shared  hexBytes `json:"shared"`
	} `json:"tests"`
}

// TestECDHWycheproof: valid vectors give the expected secret, invalid ones
// ErrInvalidPublicKey. The "acceptable" vectors (a compressed point,
// explicit curve parameters instead of a named curve, and SPKIs that are
// not DER: wrong lengths, indefinite lengths, appended or changed
// elements) are all refused too, and the test insists on it: the peer key
// must be a DER SPKI with a named curve and an uncompressed point.
func TestECDHWycheproof(t *testing.T) {
	for _, tt := range []struct {
		file  string
		curve *nistCurve
	}{
		{"ecdh_secp256r1_test", nistP256},
		{"ecdh_secp384r1_test", nistP384},
		{"ecdh_secp521r1_test", nistP521},
	} {
		t.Run(tt.file, func(t *testing.T) {
			// Under -race the valid vectors of the slow curves are sampled
			// (ecVectorStride); the others are refused before any
			// arithmetic and all run.
			stride := ecVectorStride(tt.curve)
			var valid, invalid, acceptable, skipped, n int
			keys := map[string]*ECKey{} // the files reuse a few dozen private keys
			for _, g := range loadWycheproof[ecdhWycheproofGroup](t, tt.file) {
				for _, tc := range g.Tests {
					if tc.Valid() {
						if n++; n%stride != 0 {
							skipped++
							continue
						}
					}
					scalar := new(big.Int).SetBytes(tc.Private).FillBytes(make([]byte, tt.curve.scalarLen()))
					k := keys[string(scalar)]
					if k == nil {
						priv, err := ecdsa.ParseRawPrivateKey(tt.curve.curve, scalar)
						if err != nil {
							t.Fatalf("tcId %d: private key: %v", tc.TcID, err)
						}
						if k, err = newECKey(tt.curve, priv); err != nil {
							t.Fatal(err)
						}
						keys[string(scalar)] = k
					}
					got, err := k.SharedSecret(tc.Public)
					switch {
					case tc.Valid() && err == nil && bytes.Equal(got.Reveal(), tc.Shared):
						valid++
					case !tc.Valid() && errors.Is(err, ErrInvalidPublicKey):
						if tc.Invalid() {
							invalid++
						} else {
							acceptable++
						}
					default:
						t.Errorf("tcId %d (%s, %v): SharedSecret = %x, %v; want result %s, %x",
							tc.TcID, tc.Comment, tc.Flags, got.Reveal(), err, tc.Result, tc.Shared)
					}
				}
			}
			t.Logf("%s: %d valid agreed, %d invalid refused, %d acceptable refused, %d valid skipped (stride %d)",
				tt.file, valid, invalid, acceptable, skipped, stride)
		})
	}
}

// TestECDHCrossCheck: our secret equals crypto/ecdh's computed from the
// other side, both with two of our keys and with a crypto/ecdh peer.
func TestECDHCrossCheck(t *testing.T) {
	for _, c := range nistCurves {
		a := testECKeys()[c.kind]
		bk, err := Generate(c.kind, nil)
		if err != nil {
			t.Fatal(err)
		}
		b := bk.(*ECKey)
		ab, err := a.SharedSecret(b.PublicKeyDER())
		if err != nil {
			t.Fatal(err)
		}
		ba, err := b.SharedSecret(a.PublicKeyDER())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ab.Reveal(), ba.Reveal()) || len(ab.Reveal()) != c.scalarLen() {
			t.Errorf("%s: the two sides disagree", c.kind)
		}
		// crypto/ecdh, from b's side, with b's key as x509 reads our Material.
		stdB, _ := stdlibECKeys(t, b)
		stdBdh, err := stdB.ECDH()
		if err != nil {
			t.Fatal(err)
		}
		aPub, _ := x509.ParsePKIXPublicKey(a.PublicKeyDER())
		aPubDH, err := aPub.(*ecdsa.PublicKey).ECDH()
		if err != nil {
			t.Fatal(err)
		}
		want, err := stdBdh.ECDH(aPubDH)
		if err != nil || !bytes.Equal(ab.Reveal(), want) {
			t.Errorf("%s: secret differs from crypto/ecdh's: %v", c.kind, err)
		}

		// A crypto/ecdh key as the peer, its SPKI written by x509.
		peer, err := c.dh.GenerateKey(cryptorand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		peerDER, err := x509.MarshalPKIXPublicKey(peer.PublicKey())
		if err != nil {
			t.Fatal(err)
		}
		got, err := a.SharedSecret(peerDER)
		if err != nil {
			t.Fatal(err)
		}
		want, err = peer.ECDH(aPubDH)
		if err != nil || !bytes.Equal(got.Reveal(), want) {
			t.Errorf("%s: secret with a crypto/ecdh peer differs: %v", c.kind, err)
		}
		// The secret is the caller's to wipe.
		got.Wipe()
		again, _ := a.SharedSecret(peerDER)
		if !bytes.Equal(again.Reveal(), want) {
			t.Errorf("%s: wiping a secret changed the next one", c.kind)
		}
	}
}

func TestECDHInvalidPeer(t *testing.T) {
	k := testECKeys()[KindP256]
	peer := testECKeys()[KindP256].PublicKeyDER()
	point, err := ecParseSPKI(peer, oidCurveP256)
	if err != nil {
		t.Fatal(err)
	}
	spki := func(curve asn1.ObjectIdentifier, p []byte) []byte {
		der, err := ecMarshalSPKI(curve, p)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	offCurve := bytes.Clone(point)
	offCurve[len(offCurve)-1] ^= 1
	compressed := append([]byte{2 | point[64]&1}, point[1:33]...)
	hybrid := bytes.Clone(point)
	hybrid[0] = 6 | point[64]&1
	p384 := testECKeys()[KindP384].PublicKeyDER()
	p384Point, _ := ecParseSPKI(p384, oidCurveP384)
	k1, err := Generate(KindSecp256k1, nil)
	if err != nil {
		t.Fatal(err)
	}
	notWhole := asn1.BitString{Bytes: point, BitLength: 8*len(point) - 1}
	// Curve parameters spelled out (a SEQUENCE, here a stand-in) where the
	// namedCurve OID belongs.
	type explicitAlgorithm struct {
		Algorithm asn1.ObjectIdentifier
		Params    []int
	}
	explicit := ecMustMarshal(t, struct {
		Algorithm explicitAlgorithm
		PublicKey asn1.BitString
	}{explicitAlgorithm{oidECPublicKey, []int{1}}, asn1.BitString{Bytes: point, BitLength: 8 * len(point)}})
	for name, der := range map[string][]byte{
		"nil":                 nil,
		"garbage":             []byte("garbage"),
		"point only":          point,
		"trailing byte":       append(bytes.Clone(peer), 0),
		"truncated":           peer[:len(peer)-1],
		"off the curve":       spki(oidCurveP256, offCurve),
		"compressed":          spki(oidCurveP256, compressed),
		"hybrid":              spki(oidCurveP256, hybrid),
		"infinity":            spki(oidCurveP256, []byte{0}),
		"zero point":          spki(oidCurveP256, append([]byte{4}, make([]byte, 64)...)),
		"empty point":         spki(oidCurveP256, nil),
		"P-384 key":           p384,
		"P-384 point as P256": spki(oidCurveP256, p384Point),
		"P-256 point as P384": spki(oidCurveP384, point),
		"secp256k1 key":       k1.(AsymmetricKey).PublicKeyDER(),
		"RSA key":             ecMustHex(ecOpenSSLRSA512SPKI),
		"X25519 key":          ecMustHex(ecOpenSSLX25519SPKI),
		"Ed25519 key":         ecMustHex(ecOpenSSLEd25519SPKI),
		"explicit params":     explicit,
		"bits not whole":      ecMustMarshal(t, ecSubjectPublicKeyInfo{ecAlgorithm{oidECPublicKey, oidCurveP256}, notWhole}),
	} {
		if s, err := k.SharedSecret(der); !errors.Is(err, ErrInvalidPublicKey) || s != nil {
			t.Errorf("%s: SharedSecret = %v, %v; want ErrInvalidPublicKey", name, s, err)
		}
	}
}

// FuzzECParse feeds arbitrary bytes to the parsers of this file's kinds and
// to SharedSecret: none may panic, and material that parses must give the
// same key again through Material.
func FuzzECParse(f *testing.F) {
	for _, s := range []string{ecOpenSSLP256PKCS8, ecOpenSSLK1PKCS8, ecOpenSSLEd25519PKCS8, ecOpenSSLP256SPKI, ecOpenSSLK1SPKI} {
		f.Add(ecMustHex(s))
	}
	k := testECKeys()[KindP256]
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, kind := range []Kind{KindP256, KindP384, KindP521, KindSecp256k1, KindEd25519} {
			key, err := Parse(kind, b)
			if err != nil {
				if !errors.Is(err, ErrMalformedMaterial) {
					t.Fatalf("%s: Parse error %v is not ErrMalformedMaterial", kind, err)
				}
				continue
			}
			m, err := key.Material()
			if err != nil {
				t.Fatal(err)
			}
			again, err := Parse(kind, m.Reveal())
			if err != nil || !bytes.Equal(again.(AsymmetricKey).PublicKeyDER(), key.(AsymmetricKey).PublicKeyDER()) {
				t.Fatalf("%s: Material of a parsed key does not parse to the same key: %v", kind, err)
			}
		}
		if s, err := k.SharedSecret(b); err != nil && (!errors.Is(err, ErrInvalidPublicKey) || s != nil) {
			t.Fatalf("SharedSecret = %v, %v", s, err)
		}
	})
}
