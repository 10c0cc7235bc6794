package cipher

import (
	"crypto/subtle"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"io"

	"github.com/cloudflare/circl/kem"
	"github.com/cloudflare/circl/kem/mlkem/mlkem1024"
	"github.com/cloudflare/circl/kem/mlkem/mlkem512"
	"github.com/cloudflare/circl/kem/mlkem/mlkem768"

	"github.com/trent-kms/trent/internal/secret"
)

// ML-KEM (FIPS 203) with circl for all three parameter sets: Go's
// crypto/mlkem has no ML-KEM-512, which AWS KMS offers, and reads private
// keys only as seeds, while imported PKCS#8 may hold the expanded key
// alone. The tests cross-check circl against crypto/mlkem for 768 and
// 1024.

// mlkemSeedSize is the length of the FIPS 203 key generation seed d ‖ z,
// the same for every parameter set.
const mlkemSeedSize = 64

// mlkemMessageSize is the length of the encapsulation randomness m.
const mlkemMessageSize = 32

// mlkemParams describes one ML-KEM parameter set.
type mlkemParams struct {
	kind   Kind
	scheme kem.Scheme
	// oid is id-alg-ml-kem-512/768/1024 (RFC 9935, formerly
	// draft-ietf-lamps-kyber-certificates, §3; NIST's CSOR arc
	// 2.16.840.1.101.3.4.4), the algorithm of both the PKCS#8 and the
	// SubjectPublicKeyInfo, always without parameters.
	oid asn1.ObjectIdentifier
}

var mlkemKinds = []mlkemParams{
	{KindMLKEM512, mlkem512.Scheme(), asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 4, 1}},
	{KindMLKEM768, mlkem768.Scheme(), asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 4, 2}},
	{KindMLKEM1024, mlkem1024.Scheme(), asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 4, 3}},
}

func init() {
	for i := range mlkemKinds {
		p := &mlkemKinds[i]
		// The wrappers return a nil Key, not a nil pointer in a non-nil
		// interface, with an error.
		register(p.kind,
			func(rand io.Reader) (Key, error) {
				k, err := generateMLKEM(p, rand)
				if err != nil {
					return nil, err
				}
				return k, nil
			},
			func(material []byte) (Key, error) {
				k, err := parseMLKEM(p, material)
				if err != nil {
					return nil, err
				}
				return k, nil
			})
	}
}

// MLKEMKey is an ML-KEM key pair of one of the ML_KEM_* kinds. It is safe
// for concurrent use: circl's keys are only read after construction.
type MLKEMKey struct {
	Redacted
	p *mlkemParams
	// seed is d ‖ z, nil for a key imported in the expandedKey form alone
	// (the seed cannot be recovered from the expanded key).
	seed *secret.Bytes
	sk   kem.PrivateKey
	pk   kem.PublicKey
	// ek is the encoded encapsulation key, the public key.
	ek []byte
}

var _ KEMKey = (*MLKEMKey)(nil)

func generateMLKEM(p *mlkemParams, rand io.Reader) (*MLKEMKey, error) {
	seed := make([]byte, mlkemSeedSize)
	if _, err := io.ReadFull(orDefault(rand), seed); err != nil {
		clear(seed)
		return nil, fmt.Errorf("cipher: generating %s key: %w", p.kind, err)
	}
	return newMLKEMFromSeed(p, seed)
}

// newMLKEMFromSeed runs ML-KEM.KeyGen_internal(d, z) (FIPS 203 Algorithm
// 16) on seed = d ‖ z. It takes ownership of seed.
func newMLKEMFromSeed(p *mlkemParams, seed []byte) (*MLKEMKey, error) {
	if len(seed) != mlkemSeedSize {
		return nil, fmt.Errorf("%w: %s seed must be %d bytes", ErrMalformedMaterial, p.kind, mlkemSeedSize)
	}
	pk, sk := p.scheme.DeriveKeyPair(seed)
	return newMLKEMKey(p, secret.New(seed), sk, pk)
}

// newMLKEMFromExpanded reads a FIPS 203 decapsulation key dk (the
// "expandedKey"). It applies the checks of FIPS 203 §7.3 (length and the
// hash check of H(ek), both in circl's unmarshalling), the modulus check
// of §7.2 to the encapsulation key inside dk, so that the public key
// Trent hands out is one every peer accepts, and a pairwise consistency
// test. It copies dk.
func newMLKEMFromExpanded(p *mlkemParams, dk []byte) (*MLKEMKey, error) {
	s := p.scheme
	if len(dk) != s.PrivateKeySize() {
		return nil, fmt.Errorf("%w: %s expanded key must be %d bytes", ErrMalformedMaterial, p.kind, s.PrivateKeySize())
	}
	// dk = dk_PKE ‖ ek ‖ H(ek) ‖ z.
	ekStart := s.PrivateKeySize() - s.PublicKeySize() - 64
	pk, err := s.UnmarshalBinaryPublicKey(dk[ekStart : ekStart+s.PublicKeySize()])
	if err != nil {
		return nil, fmt.Errorf("%w: %s expanded key holds an invalid encapsulation key", ErrMalformedMaterial, p.kind)
	}
	sk, err := s.UnmarshalBinaryPrivateKey(dk)
	if err != nil {
		return nil, fmt.Errorf("%w: %s expanded key fails the hash check", ErrMalformedMaterial, p.kind)
	}
	// The hash check binds ek to dk but not the secret vector s to ek: a
	// dk with a changed s passes it and then decapsulates wrongly (the
	// second of RFC 9935's examples of bad private keys). A pairwise
	// consistency test catches that: a changed coefficient of s adds a
	// multiple of a pseudo-random polynomial to what decryption sees.
	// Its m is fixed: it checks the pair, it protects nothing, and Parse
	// has no randomness.
	ct, want, err := s.EncapsulateDeterministically(pk, make([]byte, mlkemMessageSize))
	if err != nil {
		return nil, fmt.Errorf("cipher: %s consistency test: %w", p.kind, err)
	}
	defer clear(want)
	got, err := s.Decapsulate(sk, ct)
	if err != nil {
		return nil, fmt.Errorf("cipher: %s consistency test: %w", p.kind, err)
	}
	defer clear(got)
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return nil, fmt.Errorf("%w: %s expanded key's private part does not match its public key", ErrMalformedMaterial, p.kind)
	}
	return newMLKEMKey(p, nil, sk, pk)
}

func newMLKEMKey(p *mlkemParams, seed *secret.Bytes, sk kem.PrivateKey, pk kem.PublicKey) (*MLKEMKey, error) {
	ek, err := pk.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("cipher: encoding %s public key: %w", p.kind, err)
	}
	return &MLKEMKey{p: p, seed: seed, sk: sk, pk: pk, ek: ek}, nil
}

// parseMLKEMEncapsulationKey reads an encoded encapsulation key, applying
// FIPS 203 §7.2's checks (length, and every coefficient reduced mod q).
func parseMLKEMEncapsulationKey(p *mlkemParams, ek []byte) (kem.PublicKey, error) {
	pk, err := p.scheme.UnmarshalBinaryPublicKey(ek)
	if err != nil {
		return nil, fmt.Errorf("%w: not an %s encapsulation key", ErrInvalidPublicKey, p.kind)
	}
	return pk, nil
}

// Kind implements Key.
func (k *MLKEMKey) Kind() Kind { return k.p.kind }

// PublicKeyDER implements AsymmetricKey: a SubjectPublicKeyInfo with the
// kind's OID, no parameters, and the encoded encapsulation key as the BIT
// STRING (RFC 9935 §4).
func (k *MLKEMKey) PublicKeyDER() []byte {
	der, err := asn1.Marshal(mlkemSPKI{
		Algorithm: pkix.AlgorithmIdentifier{Algorithm: k.p.oid},
		PublicKey: asn1.BitString{Bytes: k.ek, BitLength: 8 * len(k.ek)},
	})
	if err != nil {
		panic("cipher: encoding an ML-KEM public key: " + err.Error()) // fixed shapes; cannot fail
	}
	return der
}

type mlkemSPKI struct {
	Algorithm pkix.AlgorithmIdentifier
	PublicKey asn1.BitString
}

// Encapsulate implements KEMKey: it draws m from rand and encapsulates to
// the key's own encapsulation key.
func (k *MLKEMKey) Encapsulate(rand io.Reader) ([]byte, *secret.Bytes, error) {
	m := make([]byte, mlkemMessageSize)
	defer clear(m)
	if _, err := io.ReadFull(orDefault(rand), m); err != nil {
		return nil, nil, fmt.Errorf("cipher: reading %s encapsulation randomness: %w", k.p.kind, err)
	}
	return mlkemEncapsulate(k.p, k.pk, m)
}

// mlkemEncapsulate is ML-KEM.Encaps_internal(ek, m) (FIPS 203 Algorithm
// 17): deterministic in m, so the tests can check it against vectors.
func mlkemEncapsulate(p *mlkemParams, pk kem.PublicKey, m []byte) ([]byte, *secret.Bytes, error) {
	ct, ss, err := p.scheme.EncapsulateDeterministically(pk, m)
	if err != nil {
		return nil, nil, fmt.Errorf("cipher: %s encapsulation: %w", p.kind, err)
	}
	return ct, secret.New(ss), nil
}

// Decapsulate implements KEMKey. A ciphertext of the right length always
// gives a 32-byte secret: an invalid one gives the implicit-rejection
// secret J(z ‖ c), pseudo-random and unrelated to the real one, so no
// error reveals which ciphertexts are valid.
func (k *MLKEMKey) Decapsulate(ciphertext []byte) (*secret.Bytes, error) {
	if len(ciphertext) != k.p.scheme.CiphertextSize() {
		return nil, ErrInvalidCiphertextLength
	}
	ss, err := k.p.scheme.Decapsulate(k.sk, ciphertext)
	if err != nil {
		return nil, fmt.Errorf("cipher: %s decapsulation: %w", k.p.kind, err)
	}
	return secret.New(ss), nil
}

// expandedKey returns the FIPS 203 decapsulation key dk.
func (k *MLKEMKey) expandedKey() ([]byte, error) { return k.sk.MarshalBinary() }

// The private key encoding, RFC 9935 §6: a PKCS#8 OneAsymmetricKey
// (RFC 5958) whose privateKey OCTET STRING holds the CHOICE
//
//	ML-KEM-xxx-PrivateKey ::= CHOICE {
//	  seed [0] IMPLICIT OCTET STRING (SIZE (64)),
//	  expandedKey OCTET STRING (SIZE (1632 | 2400 | 3168)),
//	  both SEQUENCE { seed OCTET STRING, expandedKey OCTET STRING } }
//
// Material writes the seed form, as AWS KMS's GenerateDataKeyPair does
// ("the DER-encoded PKCS8 PrivateKeyInfo contains the private key in seed
// format") and as the RFC recommends; a key imported without its seed
// can only be written back as its expandedKey.

// mlkemPKCS8 is OneAsymmetricKey. Attributes are accepted and ignored; a
// publicKey, if present, must be the key's own.
type mlkemPKCS8 struct {
	Version    int
	Algorithm  pkix.AlgorithmIdentifier
	PrivateKey []byte
	Attributes asn1.RawValue  `asn1:"optional,tag:0"`
	PublicKey  asn1.BitString `asn1:"optional,tag:1"`
}

// mlkemBoth is the both form of the private key CHOICE.
type mlkemBoth struct {
	Seed        []byte
	ExpandedKey []byte
}

// Material implements Key.
func (k *MLKEMKey) Material() (*secret.Bytes, error) {
	var inner []byte
	var err error
	if k.seed != nil {
		inner, err = asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, Bytes: k.seed.Reveal()})
	} else {
		var dk []byte
		if dk, err = k.expandedKey(); err == nil {
			inner, err = asn1.Marshal(dk)
			clear(dk)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("cipher: encoding %s private key: %w", k.p.kind, err)
	}
	defer clear(inner)
	der, err := asn1.Marshal(mlkemPKCS8{
		Algorithm:  pkix.AlgorithmIdentifier{Algorithm: k.p.oid},
		PrivateKey: inner,
	})
	if err != nil {
		return nil, fmt.Errorf("cipher: encoding %s private key: %w", k.p.kind, err)
	}
	return secret.New(der), nil
}

// parseMLKEM reads a PKCS#8 of kind p in any of the three private key
// forms, checking a both form's seed against its expanded key (RFC 9935
// §8: an inconsistent pair MUST be rejected). Errors never carry key
// bytes.
func parseMLKEM(p *mlkemParams, material []byte) (*MLKEMKey, error) {
	malformed := func(why string) error { return mlkemMalformed(p, why) }
	var pk8 mlkemPKCS8
	if !mlkemUnmarshalDER(material, &pk8) {
		return nil, malformed("not a DER PKCS#8 private key")
	}
	if pk8.Version != 0 && pk8.Version != 1 {
		return nil, malformed("unknown PKCS#8 version")
	}
	if !pk8.Algorithm.Algorithm.Equal(p.oid) {
		return nil, malformed("PKCS#8 algorithm is not " + string(p.kind))
	}
	if len(pk8.Algorithm.Parameters.FullBytes) != 0 {
		return nil, malformed("ML-KEM algorithm identifier has parameters")
	}
	k, err := parseMLKEMChoice(p, pk8.PrivateKey)
	if err != nil {
		return nil, err
	}
	if pk8.PublicKey.BitLength != 0 || len(pk8.PublicKey.Bytes) != 0 {
		if pk8.PublicKey.BitLength != 8*len(k.ek) || subtle.ConstantTimeCompare(pk8.PublicKey.Bytes, k.ek) != 1 {
			return nil, malformed("PKCS#8 public key does not match the private key")
		}
	}
	return k, nil
}

// parseMLKEMChoice reads the private key CHOICE, telling the forms apart
// by their tags, as RFC 9935 §6 asks, not by length.
func parseMLKEMChoice(p *mlkemParams, der []byte) (*MLKEMKey, error) {
	malformed := func(why string) error { return mlkemMalformed(p, why) }
	var v asn1.RawValue
	rest, err := asn1.Unmarshal(der, &v)
	if err != nil || len(rest) != 0 {
		return nil, malformed("private key is not DER")
	}
	switch {
	case v.Class == asn1.ClassContextSpecific && v.Tag == 0 && !v.IsCompound:
		return newMLKEMFromSeed(p, append([]byte(nil), v.Bytes...))
	case v.Class == asn1.ClassUniversal && v.Tag == asn1.TagOctetString && !v.IsCompound:
		return newMLKEMFromExpanded(p, v.Bytes)
	case v.Class == asn1.ClassUniversal && v.Tag == asn1.TagSequence && v.IsCompound:
		var both mlkemBoth
		if !mlkemUnmarshalDER(v.FullBytes, &both) {
			return nil, malformed("both form is not DER")
		}
		if len(both.ExpandedKey) != p.scheme.PrivateKeySize() {
			return nil, malformed("both form's expanded key has the wrong length")
		}
		k, err := newMLKEMFromSeed(p, append([]byte(nil), both.Seed...))
		if err != nil {
			return nil, err
		}
		dk, err := k.expandedKey()
		if err != nil {
			return nil, fmt.Errorf("cipher: encoding %s private key: %w", p.kind, err)
		}
		defer clear(dk)
		if subtle.ConstantTimeCompare(dk, both.ExpandedKey) != 1 {
			return nil, malformed("both form's seed and expanded key disagree")
		}
		return k, nil
	}
	return nil, malformed("private key is none of seed, expandedKey, both")
}

// mlkemMalformed says why material is not a key of p's kind, without
// any of its bytes.
func mlkemMalformed(p *mlkemParams, why string) error {
	return fmt.Errorf("%w: %s: %s", ErrMalformedMaterial, p.kind, why)
}

// mlkemUnmarshalDER unmarshals der into the struct *v and reports
// whether der was exactly v's DER encoding. encoding/asn1 alone ignores
// elements after a struct's last field and bits a BIT STRING leaves
// unused; encoding v again and comparing refuses both, and any other
// non-DER form.
func mlkemUnmarshalDER[T any](der []byte, v *T) bool {
	rest, err := asn1.Unmarshal(der, v)
	if err != nil || len(rest) != 0 {
		return false
	}
	again, err := asn1.Marshal(*v)
	if err != nil {
		return false
	}
	defer clear(again)
	return subtle.ConstantTimeCompare(again, der) == 1
}
