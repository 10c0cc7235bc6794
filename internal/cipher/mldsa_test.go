package cipher

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/sha3"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/iotest"

	"github.com/trent-kms/trent/internal/cipher/mldsa"
	"github.com/trent-kms/trent/internal/secret"
)

// ML-DSA tests: Wycheproof known answers for the RAW and EXTERNAL_MU
// paths, cross-checks between circl and package mldsa, and the material,
// options and redaction of MLDSAKey. Every vector of the nine Wycheproof
// ML-DSA files runs (1,138 in all, no sampling); none is "acceptable".

// mldsaVariantOf returns the variant of kind.
func mldsaVariantOf(t testing.TB, kind Kind) *mldsaVariant {
	t.Helper()
	for _, v := range mldsaVariants {
		if v.kind == kind {
			return v
		}
	}
	t.Fatalf("no ML-DSA variant %s", kind)
	return nil
}

var mldsaKinds = []Kind{KindMLDSA44, KindMLDSA65, KindMLDSA87}

// mldsaFileOf is the Wycheproof file name part of kind: 44, 65 or 87.
func mldsaFileOf(kind Kind) string { return strings.TrimPrefix(string(kind), "ML_DSA_") }

// mldsaMu computes μ = H(H(pk, 64) ‖ 0 ‖ |ctx| ‖ ctx ‖ msg, 64) (FIPS 204
// Algorithm 2 line 10 and Algorithm 7 line 6), false if ctx is longer
// than 255 bytes.
func mldsaMu(pk, ctx, msg []byte) ([]byte, bool) {
	if len(ctx) > 255 {
		return nil, false
	}
	tr := make([]byte, 64)
	h := sha3.NewSHAKE256()
	_, _ = h.Write(pk)
	_, _ = h.Read(tr)
	h.Reset()
	_, _ = h.Write(tr)
	_, _ = h.Write([]byte{0, byte(len(ctx))})
	_, _ = h.Write(ctx)
	_, _ = h.Write(msg)
	mu := make([]byte, 64)
	_, _ = h.Read(mu)
	return mu, true
}

var (
	mldsaRaw = SignOptions{Input: InputRaw}
	mldsaMuO = SignOptions{Input: InputMu}
)

type mldsaVerifyGroup struct {
	PublicKey    hexBytes `json:"publicKey"`
	PublicKeyDer hexBytes `json:"publicKeyDer"`
	Tests        []struct {
		wycheproofCase
		Msg hexBytes `json:"msg"`
		Ctx hexBytes `json:"ctx"` // absent and empty are the same
		Sig hexBytes `json:"sig"`
	} `json:"tests"`
}

// TestMLDSAWycheproofVerify runs mldsa_*_verify_test: every signature
// through the EXTERNAL_MU path (μ computed here with the vector's
// context) and, where the context is empty, through RAW (circl) too.
// Valid vectors must verify and invalid ones must not; a public key of
// the wrong length, or a context too long for μ, refuses the vector.
// MLDSAKey.Verify is mldsaPublicKey.verify, which this calls directly as
// the vectors give public keys only.
func TestMLDSAWycheproofVerify(t *testing.T) {
	for _, kind := range mldsaKinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			v := mldsaVariantOf(t, kind)
			var passed, refused, raw int
			for _, g := range loadWycheproof[mldsaVerifyGroup](t, "mldsa_"+mldsaFileOf(kind)+"_verify_test") {
				pub, err := newMLDSAPublicKey(v, g.PublicKey)
				if err == nil && !bytes.Equal(pub.spki, g.PublicKeyDer) {
					t.Errorf("SPKI differs from publicKeyDer")
				}
				for _, c := range g.Tests {
					mu, muOK := mldsaMu(g.PublicKey, c.Ctx, c.Msg)
					got := err == nil && muOK && pub.verify(mu, c.Sig, mldsaMuO)
					if err == nil && len(c.Ctx) == 0 {
						raw++
						if gotRaw := pub.verify(c.Msg, c.Sig, mldsaRaw); gotRaw != got {
							t.Errorf("tcId %d (%s): RAW says %v, EXTERNAL_MU says %v", c.TcID, c.Comment, gotRaw, got)
						}
					}
					switch {
					case c.Valid() && !got:
						t.Errorf("tcId %d (%s): valid signature refused", c.TcID, c.Comment)
					case c.Invalid() && got:
						t.Errorf("tcId %d (%s): invalid signature accepted", c.TcID, c.Comment)
					case !c.Valid() && !c.Invalid():
						t.Errorf("tcId %d: unexpected result %q", c.TcID, c.Result)
					case got:
						passed++
					default:
						refused++
					}
				}
			}
			t.Logf("%d valid passed, %d invalid refused, %d also through RAW", passed, refused, raw)
		})
	}
}

type mldsaSignCase struct {
	wycheproofCase
	Msg *hexBytes `json:"msg"` // absent in the "Internal" vectors, which give μ only
	Ctx hexBytes  `json:"ctx"`
	Mu  hexBytes  `json:"mu"`  // absent if the context is too long
	Rnd *hexBytes `json:"rnd"` // absent for deterministic signatures
	Sig hexBytes  `json:"sig"`
}

type mldsaSignSeedGroup struct {
	PrivateSeed     hexBytes        `json:"privateSeed"`
	PrivateKeyPkcs8 hexBytes        `json:"privateKeyPkcs8"`
	PublicKey       hexBytes        `json:"publicKey"` // null for an invalid seed
	Tests           []mldsaSignCase `json:"tests"`
}

type mldsaSignNoSeedGroup struct {
	PrivateKey hexBytes        `json:"privateKey"` // skEncode
	PublicKey  hexBytes        `json:"publicKey"`
	Tests      []mldsaSignCase `json:"tests"`
}

// mldsaSignCounts tallies the sign vectors of one file.
type mldsaSignCounts struct{ passed, refused int }

// checkMLDSASignCase runs one sign vector on k: the μ computed from the
// message and context must be the vector's, the deterministic (or, given
// rnd, hedged) signature of μ must be its signature byte for byte, and
// the signature must verify through EXTERNAL_MU and, with the empty
// context, through RAW (circl).
func checkMLDSASignCase(t *testing.T, k *MLDSAKey, c mldsaSignCase, n *mldsaSignCounts) {
	t.Helper()
	pk := k.pub.mu.Bytes()
	mu := []byte(c.Mu)
	if c.Msg != nil {
		computed, ok := mldsaMu(pk, c.Ctx, *c.Msg)
		switch {
		case !ok && c.Invalid():
			n.refused++
			return
		case !ok:
			t.Errorf("tcId %d (%s): μ not computable for a %s vector", c.TcID, c.Comment, c.Result)
			return
		case !bytes.Equal(computed, c.Mu):
			t.Errorf("tcId %d (%s): μ differs", c.TcID, c.Comment)
			return
		}
	}
	if !c.Valid() {
		t.Errorf("tcId %d (%s): %s vector with a usable key and μ", c.TcID, c.Comment, c.Result)
		return
	}
	var rnd [mldsa.RndSize]byte
	if c.Rnd != nil {
		copy(rnd[:], *c.Rnd)
	}
	sig, err := k.signMu(mu, &rnd)
	if err != nil {
		t.Errorf("tcId %d (%s): %v", c.TcID, c.Comment, err)
		return
	}
	if !bytes.Equal(sig, c.Sig) {
		t.Errorf("tcId %d (%s): signature differs", c.TcID, c.Comment)
		return
	}
	if !k.Verify(mu, sig, mldsaMuO) {
		t.Errorf("tcId %d (%s): signature does not verify", c.TcID, c.Comment)
	}
	if c.Msg != nil && len(c.Ctx) == 0 && !k.Verify(*c.Msg, sig, mldsaRaw) {
		t.Errorf("tcId %d (%s): signature does not verify through RAW", c.TcID, c.Comment)
	}
	n.passed++
}

// TestMLDSAWycheproofSignSeed runs mldsa_*_sign_seed_test: the key made
// from privateSeed has the vector's public key and, as its Material, the
// vector's privateKeyPkcs8 byte for byte; each signing vector goes
// through checkMLDSASignCase. A seed of the wrong size, in the seed form
// of PKCS#8, must be malformed material.
func TestMLDSAWycheproofSignSeed(t *testing.T) {
	for _, kind := range mldsaKinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			v := mldsaVariantOf(t, kind)
			var n mldsaSignCounts
			for _, g := range loadWycheproof[mldsaSignSeedGroup](t, "mldsa_"+mldsaFileOf(kind)+"_sign_seed_test") {
				if len(g.PrivateSeed) != mldsaSeedSize {
					if _, err := Parse(kind, v.pkcs8(mldsaTagSeed, g.PrivateSeed)); !errors.Is(err, ErrMalformedMaterial) {
						t.Errorf("seed of %d bytes: Parse error %v", len(g.PrivateSeed), err)
					}
					for _, c := range g.Tests {
						if !c.Invalid() {
							t.Errorf("tcId %d: %s vector with a bad seed", c.TcID, c.Result)
						}
						n.refused++
					}
					continue
				}
				k, err := newMLDSAKeyFromSeed(v, secret.New(bytes.Clone(g.PrivateSeed)))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(k.pub.mu.Bytes(), g.PublicKey) {
					t.Fatalf("seed %x: public key differs", g.PrivateSeed)
				}
				m, err := k.Material()
				if err != nil {
					t.Fatal(err)
				}
				if g.PrivateKeyPkcs8 != nil && !bytes.Equal(m.Reveal(), g.PrivateKeyPkcs8) {
					t.Fatalf("seed %x: Material differs from privateKeyPkcs8", g.PrivateSeed)
				}
				for _, c := range g.Tests {
					checkMLDSASignCase(t, k, c, &n)
				}
			}
			t.Logf("%d valid passed, %d invalid refused", n.passed, n.refused)
		})
	}
}

// TestMLDSAWycheproofSignNoSeed runs mldsa_*_sign_noseed_test, whose keys
// are expanded (skEncode) with no seed, in the expandedKey form of
// PKCS#8. Keys of the wrong length or with out-of-range coefficients must
// be malformed material; the others must have the vector's public key and
// pass checkMLDSASignCase.
func TestMLDSAWycheproofSignNoSeed(t *testing.T) {
	for _, kind := range mldsaKinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			v := mldsaVariantOf(t, kind)
			var n mldsaSignCounts
			for _, g := range loadWycheproof[mldsaSignNoSeedGroup](t, "mldsa_"+mldsaFileOf(kind)+"_sign_noseed_test") {
				key, err := Parse(kind, v.pkcs8(mldsaTagOctetStr, g.PrivateKey))
				if err != nil {
					if !errors.Is(err, ErrMalformedMaterial) {
						t.Errorf("expanded key refused: %v", err)
					}
					for _, c := range g.Tests {
						if !c.Invalid() {
							t.Errorf("tcId %d: %s vector with a refused key", c.TcID, c.Result)
						}
						n.refused++
					}
					continue
				}
				k := key.(*MLDSAKey)
				if !bytes.Equal(k.pub.mu.Bytes(), g.PublicKey) {
					t.Fatalf("public key differs")
				}
				for _, c := range g.Tests {
					checkMLDSASignCase(t, k, c, &n)
				}
			}
			t.Logf("%d valid passed, %d invalid refused", n.passed, n.refused)
		})
	}
}

// TestMLDSACrossCheck checks circl and package mldsa against each other
// on fresh keys: circl's RAW signature verifies in package mldsa as a
// signature of the message's μ; package mldsa's signature of μ verifies
// with circl on the message; both are hedged; and a bit flipped in a
// signature (every 29th byte, a different bit each time, the last byte
// and every byte of the hint section, about 170 to 250 flips), in the
// message or in any byte of μ makes both paths refuse it.
func TestMLDSACrossCheck(t *testing.T) {
	for _, kind := range mldsaKinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			key, err := Generate(kind, nil)
			if err != nil {
				t.Fatal(err)
			}
			k := key.(*MLDSAKey)
			msg := []byte("a message for the ML-DSA cross-check")
			mu, _ := mldsaMu(k.pub.mu.Bytes(), nil, msg)

			rawSig, err := k.Sign(nil, msg, mldsaRaw)
			if err != nil {
				t.Fatal(err)
			}
			if !k.pub.mu.VerifyMu(mu, rawSig) {
				t.Fatal("circl's RAW signature does not verify as a signature of μ")
			}
			muSig, err := k.Sign(nil, mu, mldsaMuO)
			if err != nil {
				t.Fatal(err)
			}
			if !k.v.scheme.Verify(k.pub.circl, msg, muSig, nil) {
				t.Fatal("circl refuses the signature of μ")
			}
			if raw2, _ := k.Sign(nil, msg, mldsaRaw); bytes.Equal(raw2, rawSig) {
				t.Error("RAW signing is not hedged")
			}
			if mu2, _ := k.Sign(nil, mu, mldsaMuO); bytes.Equal(mu2, muSig) {
				t.Error("EXTERNAL_MU signing is not hedged")
			}

			for name, sig := range map[string][]byte{"RAW": rawSig, "EXTERNAL_MU": muSig} {
				hintStart := len(sig) - mldsaHintBytes(k.v)
				for i := 0; i < len(sig); i++ {
					if i%29 != 0 && i < hintStart && i != len(sig)-1 {
						continue
					}
					bad := bytes.Clone(sig)
					bad[i] ^= 1 << (i % 8)
					if k.Verify(msg, bad, mldsaRaw) || k.Verify(mu, bad, mldsaMuO) {
						t.Fatalf("%s signature with byte %d changed verifies", name, i)
					}
				}
				for i := range mu {
					badMu := bytes.Clone(mu)
					badMu[i] ^= 1 << (i % 8)
					if k.Verify(badMu, sig, mldsaMuO) {
						t.Fatalf("%s signature verifies for μ with byte %d changed", name, i)
					}
				}
				badMsg := bytes.Clone(msg)
				badMsg[0] ^= 1
				if k.Verify(badMsg, sig, mldsaRaw) {
					t.Fatalf("%s signature verifies for another message", name)
				}
			}
		})
	}
}

// mldsaHintBytes is the size of the hint section that ends a signature,
// ω + k bytes.
func mldsaHintBytes(v *mldsaVariant) int {
	switch v.kind {
	case KindMLDSA44:
		return 80 + 4
	case KindMLDSA65:
		return 55 + 6
	}
	return 75 + 8
}

// mldsaTestKeys holds one key of each kind, made once from fixed seeds.
var mldsaTestKeys = sync.OnceValue(func() map[Kind]*MLDSAKey {
	keys := map[Kind]*MLDSAKey{}
	for i, kind := range mldsaKinds {
		seed := bytes.Repeat([]byte{byte(0xa0 + i)}, mldsaSeedSize)
		k, err := Generate(kind, bytes.NewReader(seed))
		if err != nil {
			panic(err)
		}
		keys[kind] = k.(*MLDSAKey)
	}
	return keys
})

// TestMLDSAOptions checks that ML-DSA signs and verifies RAW and 64-byte
// EXTERNAL_MU input only: DIGEST input, a hash, PSS, prehash or a μ of
// another length is an error for Sign and false for Verify, even with a
// signature that is valid under the right options.
func TestMLDSAOptions(t *testing.T) {
	k := mldsaTestKeys()[KindMLDSA44]
	msg := []byte("message")
	mu, _ := mldsaMu(k.pub.mu.Bytes(), nil, msg)
	sig, err := k.Sign(nil, mu, mldsaMuO)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []SignOptions{
		{Input: InputDigest},
		{Input: InputRaw, Hash: crypto.SHA256},
		{Input: InputMu, Hash: crypto.SHA512},
		{Input: InputRaw, Prehash: true},
		{Input: InputMu, PSS: true},
		{Input: Input(42)},
	} {
		if _, err := k.Sign(nil, mu, o); err == nil {
			t.Errorf("Sign with %+v succeeded", o)
		}
		if k.Verify(mu, sig, o) || k.Verify(msg, sig, o) {
			t.Errorf("Verify with %+v succeeded", o)
		}
	}
	for _, n := range []int{0, 32, 63, 65, 128} {
		in := make([]byte, n)
		copy(in, mu)
		if _, err := k.Sign(nil, in, mldsaMuO); err == nil {
			t.Errorf("Sign of a %d-byte μ succeeded", n)
		}
		if k.Verify(in, sig, mldsaMuO) {
			t.Errorf("Verify of a %d-byte μ succeeded", n)
		}
	}
	if _, err := k.Sign(iotest.ErrReader(errors.New("no entropy")), mu, mldsaMuO); err == nil {
		t.Error("Sign succeeded without randomness")
	}
	if _, err := Generate(KindMLDSA65, bytes.NewReader(make([]byte, 31))); err == nil {
		t.Error("Generate succeeded from 31 bytes of randomness")
	}
}

// mldsaPKCS8 builds a PrivateKeyInfo with encoding/asn1, independently of
// MLDSAKey.pkcs8: version, algorithm, the privateKey OCTET STRING holding
// inner, then any further fields.
func mldsaPKCS8(t *testing.T, version int, algID, inner []byte, extra ...[]byte) []byte {
	t.Helper()
	ver, err := asn1.Marshal(version)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := asn1.Marshal(inner)
	if err != nil {
		t.Fatal(err)
	}
	body := slices.Concat(append([][]byte{ver, algID, priv}, extra...)...)
	der, err := asn1.Marshal(asn1.RawValue{Tag: asn1.TagSequence, IsCompound: true, Bytes: body})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func mldsaMarshal(t *testing.T, v any) []byte {
	t.Helper()
	der, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestMLDSAMaterial checks Material and Parse: the seed form round-trips
// and is what encoding/asn1 makes of it; the expandedKey and both forms
// and a version 1 key with its publicKey parse; and every wrong kind,
// algorithm, form, size, inconsistency or stray byte is malformed
// material.
func TestMLDSAMaterial(t *testing.T) {
	keys := mldsaTestKeys()
	for i, kind := range mldsaKinds {
		t.Run(string(kind), func(t *testing.T) {
			k := keys[kind]
			v := k.v
			seed := bytes.Repeat([]byte{byte(0xa0 + i)}, mldsaSeedSize)
			expanded, err := k.priv.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			pub := k.pub.mu.Bytes()
			seedForm := mldsaMarshal(t, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, Bytes: seed})
			expandedForm := mldsaMarshal(t, expanded)
			bothForm := mldsaMarshal(t, struct{ Seed, Expanded []byte }{seed, expanded})
			pubField := mldsaMarshal(t, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 1, Bytes: append([]byte{0}, pub...)})
			attributes := mldsaMarshal(t, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true})

			m, err := k.Material()
			if err != nil {
				t.Fatal(err)
			}
			material := bytes.Clone(m.Reveal())
			if want := mldsaPKCS8(t, 0, v.algID, seedForm); !bytes.Equal(material, want) {
				t.Fatalf("Material is not the seed form:\n got %x\nwant %x", material, want)
			}

			// Parse keeps nothing of its input: wipe it after parsing.
			scratch := bytes.Clone(material)
			parsed, err := Parse(kind, scratch)
			if err != nil {
				t.Fatal(err)
			}
			clear(scratch)
			mustSameMLDSAKey(t, parsed, k, material)

			// The other forms, and OneAsymmetricKey with its public key.
			for name, der := range map[string][]byte{
				"both":                 mldsaPKCS8(t, 0, v.algID, bothForm),
				"v1 with publicKey":    mldsaPKCS8(t, 1, v.algID, seedForm, pubField),
				"attributes":           mldsaPKCS8(t, 0, v.algID, bothForm, attributes),
				"attributes+publicKey": mldsaPKCS8(t, 1, v.algID, seedForm, attributes, pubField),
			} {
				got, err := Parse(kind, der)
				if err != nil {
					t.Fatalf("%s form: %v", name, err)
				}
				mustSameMLDSAKey(t, got, k, material)
			}
			// A key without its seed keeps the expandedKey form.
			expandedDER := mldsaPKCS8(t, 0, v.algID, expandedForm)
			got, err := Parse(kind, expandedDER)
			if err != nil {
				t.Fatal(err)
			}
			mustSameMLDSAKey(t, got, k, expandedDER)

			// Every one of these is malformed.
			otherSeed := bytes.Clone(seed)
			otherSeed[0] ^= 1
			otherKey, _ := newMLDSAKeyFromSeed(v, secret.New(otherSeed))
			otherPub := mldsaMarshal(t, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 1,
				Bytes: append([]byte{0}, otherKey.pub.mu.Bytes()...)})
			corrupt := func(at int) []byte {
				e := bytes.Clone(expanded)
				e[at] ^= 0x01
				return mldsaPKCS8(t, 0, v.algID, mldsaMarshal(t, e))
			}
			_, edPriv, _ := ed25519.GenerateKey(nil)
			edDER, err := x509.MarshalPKCS8PrivateKey(edPriv)
			if err != nil {
				t.Fatal(err)
			}
			withNULL := mldsaMarshal(t, struct {
				Algorithm asn1.ObjectIdentifier
				Null      asn1.RawValue
			}{v.oid, asn1.NullRawValue})
			bad := map[string][]byte{
				"nil":                    nil,
				"empty":                  {},
				"garbage":                []byte("not a key at all"),
				"empty SEQUENCE":         {0x30, 0x00},
				"truncated":              material[:len(material)-1],
				"trailing byte":          append(bytes.Clone(material), 0),
				"Ed25519 PKCS#8":         edDER,
				"NULL parameters":        mldsaPKCS8(t, 0, withNULL, seedForm),
				"version 2":              mldsaPKCS8(t, 2, v.algID, seedForm),
				"v0 with publicKey":      mldsaPKCS8(t, 0, v.algID, seedForm, pubField),
				"wrong publicKey":        mldsaPKCS8(t, 1, v.algID, seedForm, otherPub),
				"trailing field":         mldsaPKCS8(t, 0, v.algID, seedForm, mldsaMarshal(t, 5)),
				"constructed seed":       mldsaPKCS8(t, 0, v.algID, mldsaMarshal(t, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: seedForm})),
				"short seed":             mldsaPKCS8(t, 0, v.algID, mldsaMarshal(t, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, Bytes: seed[1:]})),
				"bare seed":              mldsaPKCS8(t, 0, v.algID, seed),
				"seed as OCTET STRING":   mldsaPKCS8(t, 0, v.algID, mldsaMarshal(t, seed)),
				"short expanded key":     mldsaPKCS8(t, 0, v.algID, mldsaMarshal(t, expanded[1:])),
				"expanded key, bad tr":   corrupt(64),
				"expanded key, bad s1":   corrupt(128),
				"expanded key, bad t0":   corrupt(len(expanded) - 1),
				"both, disagreeing":      mldsaPKCS8(t, 0, v.algID, mldsaMarshal(t, struct{ Seed, Expanded []byte }{otherSeed, expanded})),
				"both, extra field":      mldsaPKCS8(t, 0, v.algID, mldsaMarshal(t, struct{ Seed, Expanded, X []byte }{seed, expanded, nil})),
				"privateKey with a tail": mldsaPKCS8(t, 0, v.algID, append(bytes.Clone(seedForm), 0)),
				"privateKey not a string": mldsaMarshal(t, struct {
					V int
					A asn1.RawValue
					P asn1.RawValue
				}{0, asn1.RawValue{FullBytes: v.algID}, asn1.RawValue{FullBytes: bothForm}}),
			}
			for _, other := range mldsaKinds {
				if other != kind {
					om, _ := keys[other].Material()
					bad["material of "+string(other)] = om.Reveal()
				}
			}
			for name, der := range bad {
				if _, err := Parse(kind, der); !errors.Is(err, ErrMalformedMaterial) {
					t.Errorf("%s: Parse error %v, want ErrMalformedMaterial", name, err)
				}
			}
		})
	}
}

// mustSameMLDSAKey checks that got is want's key pair, with Material
// material, and that it signs: its signatures verify under want.
func mustSameMLDSAKey(t *testing.T, got Key, want *MLDSAKey, material []byte) {
	t.Helper()
	k, ok := got.(*MLDSAKey)
	if !ok || k.Kind() != want.Kind() {
		t.Fatalf("parsed %T of kind %v", got, got.Kind())
	}
	if !bytes.Equal(k.PublicKeyDER(), want.PublicKeyDER()) {
		t.Fatal("public key differs")
	}
	m, err := k.Material()
	if err != nil || !bytes.Equal(m.Reveal(), material) {
		t.Fatalf("Material differs: %v", err)
	}
	msg := []byte("signed by the parsed key")
	mu, _ := mldsaMu(k.pub.mu.Bytes(), nil, msg)
	rawSig, err1 := k.Sign(nil, msg, mldsaRaw)
	muSig, err2 := k.Sign(nil, mu, mldsaMuO)
	if err1 != nil || err2 != nil || !want.Verify(msg, rawSig, mldsaRaw) || !want.Verify(mu, muSig, mldsaMuO) {
		t.Fatalf("parsed key does not sign as the original: %v, %v", err1, err2)
	}
}

// TestMLDSAPublicKeyDER checks the SPKI's structure with encoding/asn1
// (its bytes are checked against Wycheproof's publicKeyDer in
// TestMLDSAWycheproofVerify).
func TestMLDSAPublicKeyDER(t *testing.T) {
	for kind, k := range mldsaTestKeys() {
		var spki struct {
			Algorithm struct{ OID asn1.ObjectIdentifier }
			PublicKey asn1.BitString
		}
		der := k.PublicKeyDER()
		if rest, err := asn1.Unmarshal(der, &spki); err != nil || len(rest) != 0 {
			t.Fatalf("%s: %v", kind, err)
		}
		if !spki.Algorithm.OID.Equal(k.v.oid) || !bytes.Equal(spki.PublicKey.RightAlign(), k.pub.mu.Bytes()) ||
			spki.PublicKey.BitLength != 8*k.v.params.PublicKeySize() {
			t.Fatalf("%s: SPKI does not hold the public key", kind)
		}
		der[0] ^= 0xff // a copy: the key's own stays intact
		if k.PublicKeyDER()[0] != 0x30 {
			t.Fatal("PublicKeyDER returned the key's own slice")
		}
	}
	if !slices.Contains(Kinds(), KindMLDSA44) || !slices.Contains(Kinds(), KindMLDSA65) || !slices.Contains(Kinds(), KindMLDSA87) {
		t.Fatal("ML-DSA kinds not registered")
	}
}

// TestMLDSARedacted checks that printing, logging or marshalling a key
// shows none of its seed or expanded key.
func TestMLDSARedacted(t *testing.T) {
	seed := []byte("ML-DSA canary seed, 32 bytes ok!")
	key, err := Generate(KindMLDSA65, bytes.NewReader(seed))
	if err != nil {
		t.Fatal(err)
	}
	k := key.(*MLDSAKey)
	expanded, _ := k.priv.MarshalBinary()
	var outputs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X"} {
		outputs = append(outputs, fmt.Sprintf(verb, k), fmt.Sprintf(verb, *k), fmt.Sprintf(verb, struct{ K Key }{k}))
	}
	js, err := json.Marshal(map[string]any{"key": k, "copy": *k})
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "key", k, "copy", *k)
	outputs = append(outputs, string(js), logged.String())
	for _, out := range outputs {
		for _, leak := range []string{"canary", hex.EncodeToString(seed)[:16], hex.EncodeToString(expanded[32:48])} {
			if strings.Contains(strings.ToLower(out), leak) {
				t.Fatalf("key bytes leaked: %s", out)
			}
		}
		if !strings.Contains(out, "[REDACTED]") {
			t.Fatalf("output %q does not say %s", out, "[REDACTED]")
		}
	}
}

// TestMLDSAConcurrent signs and verifies with one key from several
// goroutines (run with -race).
func TestMLDSAConcurrent(t *testing.T) {
	k := mldsaTestKeys()[KindMLDSA87]
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			msg := []byte{byte(g)}
			mu, _ := mldsaMu(k.pub.mu.Bytes(), nil, msg)
			for range 3 {
				rawSig, err1 := k.Sign(nil, msg, mldsaRaw)
				muSig, err2 := k.Sign(nil, mu, mldsaMuO)
				if err1 != nil || err2 != nil || !k.Verify(mu, rawSig, mldsaMuO) || !k.Verify(msg, muSig, mldsaRaw) {
					t.Error("concurrent signature failed")
				}
			}
		})
	}
	wg.Wait()
}
