package cipher

import (
	"bytes"
	"crypto/mlkem"
	"crypto/mlkem/mlkemtest"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"sync"
	"testing"

	"github.com/trent-kms/trent/internal/randtest"
)

// mlkemRef is each kind's sizes and OID, written out again (FIPS 203
// Table 3, RFC 9935 §3) so that the tests do not trust mlkem.go's table.
var mlkemRef = []struct {
	kind          Kind
	name          string // Wycheproof's parameterSet and file infix
	oidLast       byte   // id-alg-ml-kem-* is 2.16.840.1.101.3.4.4.oidLast
	ek, dk, ct    int
	examplePubSHA string
}{
	// examplePubSHA is the SHA-256 of the example public key of RFC 9935
	// Appendix C (lamps-wg/kyber-certificates, example/ML-KEM-*.pub), whose
	// seed is the bytes 0x00 … 0x3f: an independent known answer for
	// KeyGen and the SubjectPublicKeyInfo encoding together.
	{KindMLKEM512, "512", 1, 800, 1632, 768, "0e3c8b89b54202d2545f7aba2e2aaa3cffa7b6191919ad738fab35b4f313cf71"},
	{KindMLKEM768, "768", 2, 1184, 2400, 1088, "c23e23dd3d485a9256cda09358a4a286e00b373db10761eadf99f710649ca31c"},
	{KindMLKEM1024, "1024", 3, 1568, 3168, 1568, "d2b7480ae006a14b37c1e8a8e45ea39022e32a9b1a7b90d594c84d869c6ac420"},
}

func mlkemParamsOf(t testing.TB, k Kind) *mlkemParams {
	t.Helper()
	for i := range mlkemKinds {
		if mlkemKinds[i].kind == k {
			return &mlkemKinds[i]
		}
	}
	t.Fatalf("no ML-KEM parameters for %s", k)
	return nil
}

// The DER below is built by hand from RFC 9935 and RFC 5958, not with
// encoding/asn1, so that the tests check mlkem.go's encoding against the
// specification rather than against itself.

// derTLV encodes one DER element with a definite length.
func derTLV(tag byte, content ...[]byte) []byte {
	body := bytes.Join(content, nil)
	out := []byte{tag}
	switch n := len(body); {
	case n < 0x80:
		out = append(out, byte(n))
	case n < 0x100:
		out = append(out, 0x81, byte(n))
	default:
		out = append(out, 0x82, byte(n>>8), byte(n))
	}
	return append(out, body...)
}

func mlkemAlgID(oidLast byte) []byte {
	return derTLV(0x30, derTLV(0x06, []byte{0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x04, oidLast}))
}

// mlkemPKCS8DER wraps the DER of a private key CHOICE in a version-0
// OneAsymmetricKey; extra elements (attributes, publicKey) follow.
func mlkemPKCS8DER(oidLast byte, choice []byte, extra ...[]byte) []byte {
	return derTLV(0x30, append([][]byte{{0x02, 0x01, 0x00}, mlkemAlgID(oidLast), derTLV(0x04, choice)}, extra...)...)
}

func mlkemSeedDER(seed []byte) []byte     { return derTLV(0x80, seed) }
func mlkemExpandedDER(dk []byte) []byte   { return derTLV(0x04, dk) }
func mlkemBothDER(seed, dk []byte) []byte { return derTLV(0x30, derTLV(0x04, seed), derTLV(0x04, dk)) }

func mlkemSPKIDER(oidLast byte, ek []byte) []byte {
	return derTLV(0x30, mlkemAlgID(oidLast), derTLV(0x03, []byte{0}, ek))
}

// --- Wycheproof ---

type mlkemDecapsGroup struct {
	ParameterSet string            `json:"parameterSet"`
	Tests        []mlkemDecapsCase `json:"tests"`
}

type mlkemDecapsCase struct {
	wycheproofCase
	Seed hexBytes `json:"seed"`
	EK   hexBytes `json:"ek"`
	C    hexBytes `json:"c"`
	K    hexBytes `json:"K"`
}

// TestMLKEMWycheproofDecaps runs mlkem_*_test: key generation from a seed
// followed by decapsulation. Valid vectors (including the implicit
// rejection ones, flagged Strcmp and MalleableCiphertext, whose K is the
// rejection secret) must give the vector's ek and K. Invalid vectors have
// a seed or a ciphertext of the wrong length and must be refused: the
// seed by newMLKEMFromSeed and by Parse (as a seed-form PKCS#8), the
// ciphertext by Decapsulate with ErrInvalidCiphertextLength. 64-byte
// seeds also go through Parse and must give the same key.
func TestMLKEMWycheproofDecaps(t *testing.T) {
	for _, ref := range mlkemRef {
		t.Run(string(ref.kind), func(t *testing.T) {
			p := mlkemParamsOf(t, ref.kind)
			var valid, refusedSeed, refusedCT, skipped int
			for _, g := range loadWycheproof[mlkemDecapsGroup](t, "mlkem_"+ref.name+"_test") {
				if g.ParameterSet != "ML-KEM-"+ref.name {
					t.Fatalf("group of %s in the %s file", g.ParameterSet, ref.name)
				}
				for _, tc := range g.Tests {
					if !tc.Valid() && !tc.Invalid() {
						skipped++
						continue
					}
					k, err := newMLKEMFromSeed(p, bytes.Clone(tc.Seed))
					_, perr := Parse(ref.kind, mlkemPKCS8DER(ref.oidLast, mlkemSeedDER(tc.Seed)))
					if len(tc.Seed) != 64 {
						if tc.Valid() || !errors.Is(err, ErrMalformedMaterial) || !errors.Is(perr, ErrMalformedMaterial) {
							t.Fatalf("tcId %d (%s): %d-byte seed: %v / Parse: %v", tc.TcID, tc.Comment, len(tc.Seed), err, perr)
						}
						refusedSeed++
						continue
					}
					if err != nil || perr != nil {
						t.Fatalf("tcId %d: %v / Parse: %v", tc.TcID, err, perr)
					}
					if !bytes.Equal(k.ek, tc.EK) {
						t.Fatalf("tcId %d: encapsulation key differs", tc.TcID)
					}
					ss, err := k.Decapsulate(tc.C)
					if tc.Invalid() {
						if len(tc.C) == ref.ct || !errors.Is(err, ErrInvalidCiphertextLength) {
							t.Fatalf("tcId %d (%s): Decapsulate(%d bytes) = %v", tc.TcID, tc.Comment, len(tc.C), err)
						}
						refusedCT++
						continue
					}
					if err != nil || !bytes.Equal(ss.Reveal(), tc.K) {
						t.Fatalf("tcId %d (%s): wrong shared secret (%v)", tc.TcID, tc.Comment, err)
					}
					valid++
				}
			}
			if valid == 0 || refusedSeed == 0 || refusedCT == 0 {
				t.Fatalf("a class of vectors is missing")
			}
			t.Logf("mlkem_%s_test: %d valid pass, %d bad seeds refused, %d bad ciphertext lengths refused, %d skipped",
				ref.name, valid, refusedSeed, refusedCT, skipped)
		})
	}
}

type mlkemKeyGenGroup struct {
	ParameterSet string `json:"parameterSet"`
	Tests        []struct {
		wycheproofCase
		Seed hexBytes `json:"seed"`
		EK   hexBytes `json:"ek"`
		DK   hexBytes `json:"dk"`
	} `json:"tests"`
}

// TestMLKEMWycheproofKeyGen runs mlkem_*_keygen_seed_test: the seed must
// give the vector's ek and dk. Each dk also goes through Parse in the
// expandedKey and both forms, and a both form whose z (the last 32 bytes
// of dk) disagrees with the seed must be refused (RFC 9935 §8).
func TestMLKEMWycheproofKeyGen(t *testing.T) {
	for _, ref := range mlkemRef {
		t.Run(string(ref.kind), func(t *testing.T) {
			p := mlkemParamsOf(t, ref.kind)
			n := 0
			for _, g := range loadWycheproof[mlkemKeyGenGroup](t, "mlkem_"+ref.name+"_keygen_seed_test") {
				if g.ParameterSet != "ML-KEM-"+ref.name {
					t.Fatalf("group of %s in the %s file", g.ParameterSet, ref.name)
				}
				for _, tc := range g.Tests {
					if !tc.Valid() {
						t.Fatalf("tcId %d: unexpected result %q", tc.TcID, tc.Result)
					}
					k, err := newMLKEMFromSeed(p, bytes.Clone(tc.Seed))
					if err != nil {
						t.Fatalf("tcId %d: %v", tc.TcID, err)
					}
					dk, err := k.expandedKey()
					if err != nil || !bytes.Equal(k.ek, tc.EK) || !bytes.Equal(dk, tc.DK) {
						t.Fatalf("tcId %d: key pair differs from the vector (%v)", tc.TcID, err)
					}
					for form, choice := range map[string][]byte{
						"expandedKey": mlkemExpandedDER(tc.DK),
						"both":        mlkemBothDER(tc.Seed, tc.DK),
					} {
						k2, err := Parse(ref.kind, mlkemPKCS8DER(ref.oidLast, choice))
						if err != nil || !bytes.Equal(k2.(*MLKEMKey).ek, tc.EK) {
							t.Fatalf("tcId %d: Parse(%s form): %v", tc.TcID, form, err)
						}
					}
					badZ := bytes.Clone(tc.DK)
					badZ[len(badZ)-1] ^= 1
					if _, err := Parse(ref.kind, mlkemPKCS8DER(ref.oidLast, mlkemBothDER(tc.Seed, badZ))); !errors.Is(err, ErrMalformedMaterial) {
						t.Fatalf("tcId %d: both form with a different z: %v", tc.TcID, err)
					}
					n++
				}
			}
			t.Logf("mlkem_%s_keygen_seed_test: %d valid pass", ref.name, n)
		})
	}
}

type mlkemEncapsGroup struct {
	ParameterSet string `json:"parameterSet"`
	Tests        []struct {
		wycheproofCase
		EK hexBytes `json:"ek"`
		M  hexBytes `json:"m"`
		C  hexBytes `json:"c"`
		K  hexBytes `json:"K"`
	} `json:"tests"`
}

// TestMLKEMWycheproofEncaps runs mlkem_*_encaps_test through
// parseMLKEMEncapsulationKey and mlkemEncapsulate, the deterministic core
// of Encapsulate: valid vectors must give the vector's c and K; the
// invalid ones are encapsulation keys of the wrong length or with
// unreduced coefficients (ModulusOverflow, "Public key not reduced"),
// which must be refused with ErrInvalidPublicKey.
func TestMLKEMWycheproofEncaps(t *testing.T) {
	for _, ref := range mlkemRef {
		t.Run(string(ref.kind), func(t *testing.T) {
			p := mlkemParamsOf(t, ref.kind)
			var valid, refused, skipped int
			for _, g := range loadWycheproof[mlkemEncapsGroup](t, "mlkem_"+ref.name+"_encaps_test") {
				if g.ParameterSet != "ML-KEM-"+ref.name {
					t.Fatalf("group of %s in the %s file", g.ParameterSet, ref.name)
				}
				for _, tc := range g.Tests {
					if !tc.Valid() && !tc.Invalid() {
						skipped++
						continue
					}
					pk, err := parseMLKEMEncapsulationKey(p, tc.EK)
					if tc.Invalid() {
						if !errors.Is(err, ErrInvalidPublicKey) {
							t.Fatalf("tcId %d (%s %v): invalid encapsulation key accepted: %v", tc.TcID, tc.Comment, tc.Flags, err)
						}
						refused++
						continue
					}
					if err != nil {
						t.Fatalf("tcId %d: %v", tc.TcID, err)
					}
					ct, ss, err := mlkemEncapsulate(p, pk, tc.M)
					if err != nil || !bytes.Equal(ct, tc.C) || !bytes.Equal(ss.Reveal(), tc.K) {
						t.Fatalf("tcId %d: encapsulation differs from the vector (%v)", tc.TcID, err)
					}
					valid++
				}
			}
			if valid == 0 || refused == 0 {
				t.Fatalf("a class of vectors is missing")
			}
			t.Logf("mlkem_%s_encaps_test: %d valid pass, %d invalid keys refused, %d skipped", ref.name, valid, refused, skipped)
		})
	}
}

type mlkemExpandedDecapsGroup struct {
	ParameterSet string `json:"parameterSet"`
	Tests        []struct {
		wycheproofCase
		DK hexBytes `json:"dk"`
		EK hexBytes `json:"ek"`
		C  hexBytes `json:"c"`
		K  hexBytes `json:"K"`
	} `json:"tests"`
}

// TestMLKEMWycheproofExpandedDecaps runs mlkem_*_semi_expanded_decaps_test,
// whose dk is FIPS 203's decapsulation key, the expandedKey form: each dk
// goes through newMLKEMFromExpanded and, wrapped in a PKCS#8, Parse. Valid
// vectors must give the vector's ek and K; invalid ones have a dk of the
// wrong length or failing the hash check (refused with
// ErrMalformedMaterial by both paths), or a ciphertext of the wrong
// length (ErrInvalidCiphertextLength).
func TestMLKEMWycheproofExpandedDecaps(t *testing.T) {
	for _, ref := range mlkemRef {
		t.Run(string(ref.kind), func(t *testing.T) {
			p := mlkemParamsOf(t, ref.kind)
			var valid, refusedKey, refusedCT, skipped int
			for _, g := range loadWycheproof[mlkemExpandedDecapsGroup](t, "mlkem_"+ref.name+"_semi_expanded_decaps_test") {
				if g.ParameterSet != "ML-KEM-"+ref.name {
					t.Fatalf("group of %s in the %s file", g.ParameterSet, ref.name)
				}
				for _, tc := range g.Tests {
					if !tc.Valid() && !tc.Invalid() {
						skipped++
						continue
					}
					k, err := newMLKEMFromExpanded(p, tc.DK)
					_, perr := Parse(ref.kind, mlkemPKCS8DER(ref.oidLast, mlkemExpandedDER(tc.DK)))
					if err != nil {
						if tc.Valid() || !errors.Is(err, ErrMalformedMaterial) || !errors.Is(perr, ErrMalformedMaterial) {
							t.Fatalf("tcId %d (%s): %v / Parse: %v", tc.TcID, tc.Comment, err, perr)
						}
						refusedKey++
						continue
					}
					if perr != nil || !bytes.Equal(k.ek, tc.EK) {
						t.Fatalf("tcId %d: Parse: %v, or encapsulation key differs", tc.TcID, perr)
					}
					ss, err := k.Decapsulate(tc.C)
					if tc.Invalid() {
						if !errors.Is(err, ErrInvalidCiphertextLength) {
							t.Fatalf("tcId %d (%s): accepted: %v", tc.TcID, tc.Comment, err)
						}
						refusedCT++
						continue
					}
					if err != nil || !bytes.Equal(ss.Reveal(), tc.K) {
						t.Fatalf("tcId %d (%s): wrong shared secret (%v)", tc.TcID, tc.Comment, err)
					}
					valid++
				}
			}
			t.Logf("mlkem_%s_semi_expanded_decaps_test: %d valid pass, %d bad keys refused, %d bad ciphertexts refused, %d skipped",
				ref.name, valid, refusedKey, refusedCT, skipped)
		})
	}
}

// --- encodings ---

// TestMLKEMKnownKey generates from the seed 0x00 … 0x3f, the seed of RFC
// 9935's examples, and checks the encodings against the hand-built DER
// and the RFC's example public keys.
func TestMLKEMKnownKey(t *testing.T) {
	seed := make([]byte, 64)
	_, _ = (&randtest.Counting{}).Read(seed)
	for _, ref := range mlkemRef {
		k, err := Generate(ref.kind, &randtest.Counting{})
		if err != nil {
			t.Fatal(err)
		}
		kk := k.(*MLKEMKey)
		if k.Kind() != ref.kind || len(kk.ek) != ref.ek {
			t.Fatalf("%s: Kind %s, %d-byte ek", ref.kind, k.Kind(), len(kk.ek))
		}
		m, err := k.Material()
		if err != nil {
			t.Fatal(err)
		}
		// The seed form is the same 86 bytes for every parameter set but
		// for the OID.
		if want := mlkemPKCS8DER(ref.oidLast, mlkemSeedDER(seed)); !bytes.Equal(m.Reveal(), want) || m.Len() != 86 {
			t.Fatalf("%s: Material is not the seed-form PKCS#8", ref.kind)
		}
		pub := kk.PublicKeyDER()
		if !bytes.Equal(pub, mlkemSPKIDER(ref.oidLast, kk.ek)) {
			t.Fatalf("%s: PublicKeyDER is not the RFC 9935 SubjectPublicKeyInfo", ref.kind)
		}
		if sum := sha256.Sum256(pub); hex.EncodeToString(sum[:]) != ref.examplePubSHA {
			t.Fatalf("%s: public key differs from RFC 9935's example", ref.kind)
		}
	}
}

func TestMLKEMMaterialRoundTrip(t *testing.T) {
	for _, ref := range mlkemRef {
		k, err := Generate(ref.kind, nil)
		if err != nil {
			t.Fatal(err)
		}
		kk := k.(*MLKEMKey)
		m, _ := k.Material()
		input := bytes.Clone(m.Reveal())
		k2, err := Parse(ref.kind, input)
		if err != nil {
			t.Fatal(err)
		}
		// Parse must not keep input; Material must return a copy.
		clear(input)
		m.Wipe()
		ct, ss, err := k2.(KEMKey).Encapsulate(nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := kk.Decapsulate(ct); err != nil || !bytes.Equal(got.Reveal(), ss.Reveal()) {
			t.Fatalf("%s: the parsed key is another key (%v)", ref.kind, err)
		}
		m1, _ := k.Material()
		m2, _ := k2.Material()
		if !bytes.Equal(m1.Reveal(), m2.Reveal()) || !bytes.Equal(kk.PublicKeyDER(), k2.(AsymmetricKey).PublicKeyDER()) {
			t.Fatalf("%s: material or public key changed in the round trip", ref.kind)
		}

		// A key imported as expandedKey alone has no seed: it writes
		// the expandedKey form back, and that round-trips too.
		dk, _ := kk.expandedKey()
		k3, err := Parse(ref.kind, mlkemPKCS8DER(ref.oidLast, mlkemExpandedDER(dk)))
		if err != nil {
			t.Fatal(err)
		}
		m3, _ := k3.Material()
		if !bytes.Equal(m3.Reveal(), mlkemPKCS8DER(ref.oidLast, mlkemExpandedDER(dk))) {
			t.Fatalf("%s: an expanded-only key does not write the expandedKey form", ref.kind)
		}
		k4, err := Parse(ref.kind, m3.Reveal())
		if err != nil || !bytes.Equal(k4.(*MLKEMKey).ek, kk.ek) {
			t.Fatalf("%s: expandedKey form does not round-trip: %v", ref.kind, err)
		}

		// RFC 5958 v2 with the matching publicKey [1] is accepted; a
		// different public key is refused.
		seedDER := mlkemSeedDER(m1.Reveal()[m1.Len()-64:])
		v2 := func(ek []byte) []byte {
			return derTLV(0x30, []byte{0x02, 0x01, 0x01}, mlkemAlgID(ref.oidLast), derTLV(0x04, seedDER), derTLV(0x81, []byte{0}, ek))
		}
		if _, err := Parse(ref.kind, v2(kk.ek)); err != nil {
			t.Fatalf("%s: v2 PKCS#8 with its public key: %v", ref.kind, err)
		}
		// Attributes [0] are accepted and ignored.
		attrs := derTLV(0xa0, derTLV(0x30, derTLV(0x06, []byte{0x2a, 0x03}), derTLV(0x31, derTLV(0x05))))
		if _, err := Parse(ref.kind, mlkemPKCS8DER(ref.oidLast, seedDER, attrs)); err != nil {
			t.Fatalf("%s: PKCS#8 with attributes: %v", ref.kind, err)
		}
		oddBits := derTLV(0x30, []byte{0x02, 0x01, 0x01}, mlkemAlgID(ref.oidLast), derTLV(0x04, seedDER), derTLV(0x81, []byte{1}, kk.ek))
		if _, err := Parse(ref.kind, oddBits); !errors.Is(err, ErrMalformedMaterial) {
			t.Fatalf("%s: public key BIT STRING with an unused bit: %v", ref.kind, err)
		}
		other := bytes.Clone(kk.ek)
		other[0] ^= 1
		if _, err := Parse(ref.kind, v2(other)); !errors.Is(err, ErrMalformedMaterial) {
			t.Fatalf("%s: v2 PKCS#8 with another public key: %v", ref.kind, err)
		}
	}
}

func TestMLKEMParseRejects(t *testing.T) {
	seed := bytes.Repeat([]byte{0x5c}, 64)
	for _, ref := range mlkemRef {
		p := mlkemParamsOf(t, ref.kind)
		k, _ := newMLKEMFromSeed(p, bytes.Clone(seed))
		dk, _ := k.expandedKey()
		good := mlkemPKCS8DER(ref.oidLast, mlkemSeedDER(seed))
		if _, err := Parse(ref.kind, good); err != nil {
			t.Fatalf("%s: the well-formed input is refused: %v", ref.kind, err)
		}
		bad := map[string][]byte{
			"nil":              nil,
			"empty":            {},
			"garbage":          bytes.Repeat([]byte{0x5c}, 86),
			"raw seed":         seed,
			"raw dk":           dk,
			"truncated":        good[:len(good)-1],
			"trailing byte":    append(bytes.Clone(good), 0),
			"version 2":        derTLV(0x30, []byte{0x02, 0x01, 0x02}, mlkemAlgID(ref.oidLast), derTLV(0x04, mlkemSeedDER(seed))),
			"NULL parameters":  derTLV(0x30, []byte{0x02, 0x01, 0x00}, derTLV(0x30, mlkemAlgID(ref.oidLast)[2:], []byte{0x05, 0x00}), derTLV(0x04, mlkemSeedDER(seed))),
			"ML-DSA-65 OID":    derTLV(0x30, []byte{0x02, 0x01, 0x00}, derTLV(0x30, derTLV(0x06, []byte{0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x12})), derTLV(0x04, mlkemSeedDER(seed))),
			"seed 63 bytes":    mlkemPKCS8DER(ref.oidLast, mlkemSeedDER(seed[:63])),
			"seed 65 bytes":    mlkemPKCS8DER(ref.oidLast, mlkemSeedDER(append(bytes.Clone(seed), 0))),
			"seed tagged [1]":  mlkemPKCS8DER(ref.oidLast, derTLV(0x81, seed)),
			"seed as OCTET":    mlkemPKCS8DER(ref.oidLast, derTLV(0x04, seed)),
			"seed constructed": mlkemPKCS8DER(ref.oidLast, derTLV(0xa0, derTLV(0x04, seed))),
			"seed + trailing":  mlkemPKCS8DER(ref.oidLast, append(mlkemSeedDER(seed), 0)),
			"dk short":         mlkemPKCS8DER(ref.oidLast, mlkemExpandedDER(dk[1:])),
			"dk long":          mlkemPKCS8DER(ref.oidLast, mlkemExpandedDER(append(bytes.Clone(dk), 0))),
			"both, dk short":   mlkemPKCS8DER(ref.oidLast, mlkemBothDER(seed, dk[1:])),
			"both, seed short": mlkemPKCS8DER(ref.oidLast, mlkemBothDER(seed[1:], dk)),
			"both, other seed": mlkemPKCS8DER(ref.oidLast, mlkemBothDER(bytes.Repeat([]byte{0x5d}, 64), dk)),
			"both, 3 elements": mlkemPKCS8DER(ref.oidLast, derTLV(0x30, derTLV(0x04, seed), derTLV(0x04, dk), derTLV(0x04, seed))),
			"extra element":    mlkemPKCS8DER(ref.oidLast, mlkemSeedDER(seed), []byte{0x02, 0x01, 0x00}),
			"algid, 2 OIDs":    derTLV(0x30, []byte{0x02, 0x01, 0x00}, derTLV(0x30, mlkemAlgID(ref.oidLast)[2:], mlkemAlgID(ref.oidLast)[2:]), derTLV(0x04, mlkemSeedDER(seed))),
			"long-form length": append([]byte{0x30, 0x81, 0x54}, good[2:]...),
		}
		// A dk whose hash H(ek) is wrong, and one whose secret vector s
		// was changed with H(ek) still right (the pairwise test's case).
		badHash := bytes.Clone(dk)
		badHash[len(badHash)-64] ^= 1
		bad["dk, wrong H(ek)"] = mlkemPKCS8DER(ref.oidLast, mlkemExpandedDER(badHash))
		badS := bytes.Clone(dk)
		badS[0] ^= 0x10
		bad["dk, changed s"] = mlkemPKCS8DER(ref.oidLast, mlkemExpandedDER(badS))
		// Another parameter set's material.
		for _, other := range mlkemRef {
			if other.kind != ref.kind {
				bad["material of "+string(other.kind)] = mlkemPKCS8DER(other.oidLast, mlkemSeedDER(seed))
			}
		}
		for name, in := range bad {
			_, err := Parse(ref.kind, in)
			if !errors.Is(err, ErrMalformedMaterial) {
				t.Errorf("%s: Parse(%s) = %v, want ErrMalformedMaterial", ref.kind, name, err)
				continue
			}
			if bytes.Contains([]byte(err.Error()), []byte("5c5c")) || bytes.Contains([]byte(err.Error()), []byte{0x5c, 0x5c}) {
				t.Errorf("%s: Parse(%s): the error carries key bytes", ref.kind, name)
			}
		}
	}
}

// --- behaviour ---

func TestMLKEMEncapsulateDecapsulate(t *testing.T) {
	for _, ref := range mlkemRef {
		k, err := Generate(ref.kind, nil)
		if err != nil {
			t.Fatal(err)
		}
		kk := k.(*MLKEMKey)
		ct, ss, err := kk.Encapsulate(nil)
		if err != nil || len(ct) != ref.ct || ss.Len() != 32 {
			t.Fatalf("%s: Encapsulate: %d-byte ciphertext, %d-byte secret, %v", ref.kind, len(ct), ss.Len(), err)
		}
		got, err := kk.Decapsulate(ct)
		if err != nil || !bytes.Equal(got.Reveal(), ss.Reveal()) {
			t.Fatalf("%s: Decapsulate does not recover the secret (%v)", ref.kind, err)
		}
		// Encapsulate reads its 32 bytes of m from rand and is the
		// deterministic core applied to them.
		var fixed randtest.Counting
		ct1, ss1, _ := kk.Encapsulate(&fixed)
		m := make([]byte, 32)
		_, _ = (&randtest.Counting{}).Read(m)
		ct2, ss2, _ := mlkemEncapsulate(kk.p, kk.pk, m)
		if fixed.Next != 32 || !bytes.Equal(ct1, ct2) || !bytes.Equal(ss1.Reveal(), ss2.Reveal()) {
			t.Fatalf("%s: Encapsulate is not mlkemEncapsulate of 32 bytes of rand", ref.kind)
		}
		if _, _, err := kk.Encapsulate(randtest.Failing{}); !errors.Is(err, randtest.ErrNoEntropy) {
			t.Fatalf("%s: Encapsulate with failing rand: %v", ref.kind, err)
		}
		if k, err := Generate(ref.kind, randtest.Failing{}); !errors.Is(err, randtest.ErrNoEntropy) || k != nil {
			t.Fatalf("%s: Generate with failing rand: %v, %v", ref.kind, k == nil, err)
		}
		if k, err := Parse(ref.kind, nil); err == nil || k != nil {
			t.Fatalf("%s: Parse(nil) returned a non-nil Key with its error", ref.kind)
		}
		for _, n := range []int{0, 1, ref.ct - 1, ref.ct + 1, 2 * ref.ct} {
			if _, err := kk.Decapsulate(make([]byte, n)); !errors.Is(err, ErrInvalidCiphertextLength) {
				t.Fatalf("%s: Decapsulate(%d bytes) = %v", ref.kind, n, err)
			}
		}
		// Implicit rejection: a changed ciphertext gives another secret,
		// the same one every time, and no error.
		for _, i := range []int{0, ref.ct / 2, ref.ct - 1} {
			tampered := bytes.Clone(ct)
			tampered[i] ^= 0x01
			a, err := kk.Decapsulate(tampered)
			if err != nil || a.Len() != 32 || bytes.Equal(a.Reveal(), ss.Reveal()) {
				t.Fatalf("%s: tampered byte %d: %v", ref.kind, i, err)
			}
			b, _ := kk.Decapsulate(tampered)
			if !bytes.Equal(a.Reveal(), b.Reveal()) {
				t.Fatalf("%s: implicit rejection is not deterministic", ref.kind)
			}
		}
	}
}

// TestMLKEMStdlib cross-checks circl with crypto/mlkem, which has
// ML-KEM-768 and -1024: the same seed gives the same encapsulation key;
// each side decapsulates what the other encapsulates; deterministic
// encapsulation agrees with crypto/mlkem/mlkemtest; and both reject a
// tampered ciphertext to the same pseudo-random secret.
func TestMLKEMStdlib(t *testing.T) {
	type stdKey struct {
		ek          []byte
		decapsulate func(ct []byte) ([]byte, error)
		detEncaps   func(m []byte) (ss, ct []byte, err error)
	}
	std := map[Kind]func(t *testing.T, seed []byte) stdKey{
		KindMLKEM768: func(t *testing.T, seed []byte) stdKey {
			dk, err := mlkem.NewDecapsulationKey768(seed)
			if err != nil {
				t.Fatal(err)
			}
			ek := dk.EncapsulationKey()
			return stdKey{ek.Bytes(), dk.Decapsulate,
				func(m []byte) ([]byte, []byte, error) { return mlkemtest.Encapsulate768(ek, m) }}
		},
		KindMLKEM1024: func(t *testing.T, seed []byte) stdKey {
			dk, err := mlkem.NewDecapsulationKey1024(seed)
			if err != nil {
				t.Fatal(err)
			}
			ek := dk.EncapsulationKey()
			return stdKey{ek.Bytes(), dk.Decapsulate,
				func(m []byte) ([]byte, []byte, error) { return mlkemtest.Encapsulate1024(ek, m) }}
		},
	}
	for _, ref := range mlkemRef[1:] {
		k, err := Generate(ref.kind, nil)
		if err != nil {
			t.Fatal(err)
		}
		kk := k.(*MLKEMKey)
		m, _ := k.Material()
		seed := m.Reveal()[m.Len()-64:]
		s := std[ref.kind](t, seed)

		// The raw key inside PublicKeyDER is the stdlib's.
		pub := kk.PublicKeyDER()
		if !bytes.Equal(pub, mlkemSPKIDER(ref.oidLast, s.ek)) {
			t.Fatalf("%s: PublicKeyDER does not carry crypto/mlkem's encapsulation key", ref.kind)
		}
		// An independent encapsulation key built from the raw bytes
		// encapsulates to us.
		var stdEK interface{ Encapsulate() ([]byte, []byte) }
		raw := pub[len(pub)-ref.ek:]
		if ref.kind == KindMLKEM768 {
			stdEK, err = mlkem.NewEncapsulationKey768(raw)
		} else {
			stdEK, err = mlkem.NewEncapsulationKey1024(raw)
		}
		if err != nil {
			t.Fatalf("%s: crypto/mlkem refuses our public key: %v", ref.kind, err)
		}
		for range 4 {
			ss, ct := stdEK.Encapsulate()
			got, err := kk.Decapsulate(ct)
			if err != nil || !bytes.Equal(got.Reveal(), ss) {
				t.Fatalf("%s: we do not decapsulate crypto/mlkem's ciphertext (%v)", ref.kind, err)
			}
			ct2, ss2, err := kk.Encapsulate(nil)
			if err != nil {
				t.Fatal(err)
			}
			got2, err := s.decapsulate(ct2)
			if err != nil || !bytes.Equal(got2, ss2.Reveal()) {
				t.Fatalf("%s: crypto/mlkem does not decapsulate our ciphertext (%v)", ref.kind, err)
			}
			for _, i := range []int{0, ref.ct - 1} {
				tampered := bytes.Clone(ct2)
				tampered[i] ^= 0x80
				ours, err := kk.Decapsulate(tampered)
				theirs, serr := s.decapsulate(tampered)
				if err != nil || serr != nil || bytes.Equal(ours.Reveal(), ss2.Reveal()) || !bytes.Equal(ours.Reveal(), theirs) {
					t.Fatalf("%s: implicit rejection disagrees with crypto/mlkem (%v, %v)", ref.kind, err, serr)
				}
			}
		}
		msg := make([]byte, 32)
		for i := range 8 {
			_, _ = (&randtest.Counting{Next: byte(i * 31)}).Read(msg)
			ct, ss, err := mlkemEncapsulate(kk.p, kk.pk, msg)
			wantSS, wantCT, serr := s.detEncaps(msg)
			if err != nil || serr != nil || !bytes.Equal(ct, wantCT) || !bytes.Equal(ss.Reveal(), wantSS) {
				t.Fatalf("%s: deterministic encapsulation disagrees with mlkemtest (%v, %v)", ref.kind, err, serr)
			}
		}
	}
}

func TestMLKEMConcurrent(t *testing.T) {
	k, err := Generate(KindMLKEM768, nil)
	if err != nil {
		t.Fatal(err)
	}
	kk := k.(*MLKEMKey)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				ct, ss, err := kk.Encapsulate(nil)
				if err != nil {
					errs <- err
					return
				}
				got, err := kk.Decapsulate(ct)
				if err != nil || !bytes.Equal(got.Reveal(), ss.Reveal()) {
					errs <- errors.New("concurrent round trip failed")
					return
				}
				_ = kk.PublicKeyDER()
				if _, err := kk.Material(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestMLKEMRedacted(t *testing.T) {
	for _, ref := range mlkemRef {
		k, err := Generate(ref.kind, &randtest.Counting{Next: 0x90})
		if err != nil {
			t.Fatal(err)
		}
		seed := make([]byte, 64)
		_, _ = (&randtest.Counting{Next: 0x90}).Read(seed)
		dk, _ := k.(*MLKEMKey).expandedKey()
		m, _ := k.Material()
		// The first bytes of dk are the secret vector s; the seed's are
		// d. The material's DER header is not secret, so its tail is
		// what is checked.
		for _, leak := range leakedKeyBytes(k, seed, seed[32:], dk, m.Reveal()[m.Len()-16:]) {
			t.Errorf("%s: %s", ref.kind, leak)
		}
	}
}

// FuzzMLKEMParse: Parse never panics (circl panics on wrong-length seeds,
// so the lengths must be checked first), and whatever it accepts writes
// Material that parses back to the same key.
func FuzzMLKEMParse(f *testing.F) {
	seed := bytes.Repeat([]byte{0x42}, 64)
	k, _ := newMLKEMFromSeed(mlkemParamsOf(f, KindMLKEM512), bytes.Clone(seed))
	dk, _ := k.expandedKey()
	f.Add(mlkemPKCS8DER(1, mlkemSeedDER(seed)))
	f.Add(mlkemPKCS8DER(1, mlkemExpandedDER(dk)))
	f.Add(mlkemPKCS8DER(1, mlkemBothDER(seed, dk)))
	f.Add(mlkemPKCS8DER(1, mlkemSeedDER(seed[:10])))
	f.Add([]byte{0x30, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		key, err := Parse(KindMLKEM512, data)
		if err != nil {
			if !errors.Is(err, ErrMalformedMaterial) {
				t.Fatalf("error not wrapping ErrMalformedMaterial: %v", err)
			}
			return
		}
		m, err := key.Material()
		if err != nil {
			t.Fatal(err)
		}
		again, err := Parse(KindMLKEM512, m.Reveal())
		if err != nil || !bytes.Equal(again.(*MLKEMKey).ek, key.(*MLKEMKey).ek) {
			t.Fatalf("accepted input does not round-trip: %v", err)
		}
	})
}
