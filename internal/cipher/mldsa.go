package cipher

import (
	"bytes"
	"crypto/subtle"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"

	"github.com/cloudflare/circl/sign"
	"github.com/cloudflare/circl/sign/mldsa/mldsa44"
	"github.com/cloudflare/circl/sign/mldsa/mldsa65"
	"github.com/cloudflare/circl/sign/mldsa/mldsa87"

	"github.com/trent-kms/trent/internal/cipher/mldsa"
	"github.com/trent-kms/trent/internal/secret"
)

// MLDSAKey is an ML-DSA key pair (FIPS 204) of kind ML_DSA_44, ML_DSA_65
// or ML_DSA_87, the AWS KMS key specs whose one signing algorithm is
// ML_DSA_SHAKE_256. It signs RAW messages (pure ML-DSA with the empty
// context string) and EXTERNAL_MU inputs (the 64-byte μ, signed as it is).
//
// Two implementations share the work. circl makes the key from its seed
// and signs and verifies messages; package mldsa signs and verifies μ,
// which circl cannot take, from the same key's FIPS 204 encoding. Making a
// key checks that the two agree on it.
//
// It is safe for concurrent use: nothing in it changes after it is made.
type MLDSAKey struct {
	Redacted
	v *mldsaVariant
	// seed is ξ, the 32-byte seed of ML-DSA.KeyGen, the key's canonical
	// form; nil for a key imported in the expanded form alone, whose
	// material is then expanded.
	seed     *secret.Bytes
	expanded *secret.Bytes // skEncode, kept only when seed is nil
	priv     sign.PrivateKey
	muPriv   *mldsa.PrivateKey
	pub      *mldsaPublicKey
}

// mldsaPublicKey verifies, for MLDSAKey and for tests that hold only a
// public key.
type mldsaPublicKey struct {
	v     *mldsaVariant
	circl sign.PublicKey
	mu    *mldsa.PublicKey
	spki  []byte
}

// mldsaVariant is one parameter set: its kind, its OID (RFC 9881, no
// parameters) and its two implementations.
type mldsaVariant struct {
	kind   Kind
	oid    asn1.ObjectIdentifier
	params *mldsa.Params
	// scheme is circl's: DeriveKey, the binary forms, and Verify with
	// the empty context string.
	scheme sign.Scheme
	// signTo is circl's hedged ML-DSA.Sign with the empty context.
	signTo func(sk sign.PrivateKey, msg, sig []byte) error
	// algID is the DER AlgorithmIdentifier, for PKCS#8 and SPKI.
	algID []byte
}

var mldsaVariants = []*mldsaVariant{
	{kind: KindMLDSA44, oid: asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 17}, params: mldsa.MLDSA44,
		scheme: mldsa44.Scheme(),
		signTo: func(sk sign.PrivateKey, msg, sig []byte) error {
			return mldsa44.SignTo(sk.(*mldsa44.PrivateKey), msg, nil, true, sig)
		}},
	{kind: KindMLDSA65, oid: asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 18}, params: mldsa.MLDSA65,
		scheme: mldsa65.Scheme(),
		signTo: func(sk sign.PrivateKey, msg, sig []byte) error {
			return mldsa65.SignTo(sk.(*mldsa65.PrivateKey), msg, nil, true, sig)
		}},
	{kind: KindMLDSA87, oid: asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 19}, params: mldsa.MLDSA87,
		scheme: mldsa87.Scheme(),
		signTo: func(sk sign.PrivateKey, msg, sig []byte) error {
			return mldsa87.SignTo(sk.(*mldsa87.PrivateKey), msg, nil, true, sig)
		}},
}

func init() {
	for _, v := range mldsaVariants {
		algID, err := asn1.Marshal(pkix.AlgorithmIdentifier{Algorithm: v.oid})
		if err != nil {
			panic(err)
		}
		v.algID = algID
		register(v.kind,
			func(rand io.Reader) (Key, error) { return generateMLDSAKey(v, rand) },
			func(material []byte) (Key, error) { return parseMLDSAKey(v, material) })
	}
}

// Errors of ML-DSA signing. The service checks the algorithm and message
// type before it calls Sign; these guard the contract.
var (
	errMLDSASignOptions = errors.New("cipher: ML-DSA signs RAW or EXTERNAL_MU input only, with no hash, PSS or prehash")
	errMLDSAMuLength    = errors.New("cipher: EXTERNAL_MU input must be 64 bytes")
)

const mldsaSeedSize = 32

// generateMLDSAKey makes a key from a seed ξ drawn from rand
// (ML-DSA.KeyGen, FIPS 204 Algorithm 1).
func generateMLDSAKey(v *mldsaVariant, rand io.Reader) (*MLDSAKey, error) {
	seed := make([]byte, mldsaSeedSize)
	if _, err := io.ReadFull(orDefault(rand), seed); err != nil {
		clear(seed)
		return nil, fmt.Errorf("cipher: generating %s key: %w", v.kind, err)
	}
	return newMLDSAKeyFromSeed(v, secret.New(seed))
}

// newMLDSAKeyFromSeed expands seed (ML-DSA.KeyGen_internal, Algorithm 6,
// by circl's NewKeyFromSeed through its Scheme's DeriveKey) and takes
// ownership of it, wiping it if it fails. circl's key keeps
// copies of the seed and the expanded key that only the garbage collector
// reclaims; the library offers no way to wipe them.
func newMLDSAKeyFromSeed(v *mldsaVariant, seed *secret.Bytes) (*MLDSAKey, error) {
	pub, priv := v.scheme.DeriveKey(seed.Reveal())
	expanded, err := priv.MarshalBinary()
	if err != nil {
		seed.Wipe()
		return nil, fmt.Errorf("cipher: encoding %s key: %w", v.kind, err)
	}
	defer clear(expanded)
	muPriv, err := mldsa.NewPrivateKey(v.params, expanded)
	if err != nil {
		// circl made a key that package mldsa finds inconsistent: one of
		// them is wrong, and neither may sign.
		seed.Wipe()
		return nil, fmt.Errorf("cipher: %s key from seed: %w", v.kind, err)
	}
	k, err := newMLDSAKey(v, priv, pub, muPriv)
	if err != nil {
		seed.Wipe()
		return nil, err
	}
	k.seed = seed
	return k, nil
}

// newMLDSAKeyFromExpanded reads an skEncode key with no seed. It does not
// keep expanded.
func newMLDSAKeyFromExpanded(v *mldsaVariant, expanded []byte) (*MLDSAKey, error) {
	// circl would take any bytes of the right length; package mldsa
	// checks the key first.
	if len(expanded) != v.params.PrivateKeySize() {
		return nil, fmt.Errorf("%w: %s: expanded private key of %d bytes", ErrMalformedMaterial, v.kind, len(expanded))
	}
	muPriv, err := mldsa.NewPrivateKey(v.params, expanded)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrMalformedMaterial, v.kind, err)
	}
	priv, err := v.scheme.UnmarshalBinaryPrivateKey(expanded)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: expanded private key", ErrMalformedMaterial, v.kind)
	}
	pub, ok := priv.Public().(sign.PublicKey)
	if !ok {
		return nil, fmt.Errorf("cipher: %s: circl's public key has type %T", v.kind, priv.Public())
	}
	k, err := newMLDSAKey(v, priv, pub, muPriv)
	if err != nil {
		return nil, err
	}
	k.expanded = secret.New(append([]byte(nil), expanded...))
	return k, nil
}

// newMLDSAKey pairs circl's key pair with package mldsa's private key,
// made from the same encoding, after checking that the two agree on the
// public key.
func newMLDSAKey(v *mldsaVariant, priv sign.PrivateKey, pub sign.PublicKey, muPriv *mldsa.PrivateKey) (*MLDSAKey, error) {
	muPub := muPriv.PublicKey()
	if circlPub, err := pub.MarshalBinary(); err != nil || !bytes.Equal(circlPub, muPub.Bytes()) {
		return nil, fmt.Errorf("cipher: %s: the two ML-DSA implementations disagree on the public key", v.kind)
	}
	spki, err := mldsaSPKI(v, muPub.Bytes())
	if err != nil {
		return nil, err
	}
	return &MLDSAKey{v: v, priv: priv, muPriv: muPriv,
		pub: &mldsaPublicKey{v: v, circl: pub, mu: muPub, spki: spki}}, nil
}

// newMLDSAPublicKey reads a pkEncode public key, for verification alone.
func newMLDSAPublicKey(v *mldsaVariant, pk []byte) (*mldsaPublicKey, error) {
	mu, err := mldsa.NewPublicKey(v.params, pk)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrInvalidPublicKey, v.kind)
	}
	circlPub, err := v.scheme.UnmarshalBinaryPublicKey(pk)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrInvalidPublicKey, v.kind)
	}
	spki, err := mldsaSPKI(v, pk)
	if err != nil {
		return nil, err
	}
	return &mldsaPublicKey{v: v, circl: circlPub, mu: mu, spki: spki}, nil
}

// mldsaSPKI is the SubjectPublicKeyInfo of RFC 9881: the kind's
// AlgorithmIdentifier, then pkEncode as the BIT STRING.
func mldsaSPKI(v *mldsaVariant, pk []byte) ([]byte, error) {
	spki, err := asn1.Marshal(struct {
		Algorithm asn1.RawValue
		PublicKey asn1.BitString
	}{asn1.RawValue{FullBytes: v.algID}, asn1.BitString{Bytes: pk, BitLength: 8 * len(pk)}})
	if err != nil {
		return nil, fmt.Errorf("cipher: encoding %s public key: %w", v.kind, err)
	}
	return spki, nil
}

// Kind implements Key.
func (k *MLDSAKey) Kind() Kind { return k.v.kind }

// PublicKeyDER implements AsymmetricKey: the SubjectPublicKeyInfo of RFC
// 9881, the raw public key (pkEncode) as the BIT STRING.
func (k *MLDSAKey) PublicKeyDER() []byte { return bytes.Clone(k.pub.spki) }

// Sign implements Signer. RAW input is signed by ML-DSA.Sign (FIPS 204
// Algorithm 2, hedged) with the empty context string; EXTERNAL_MU input
// is μ itself, 64 bytes, signed from Algorithm 7's line 7 on with 32 bytes
// of rnd drawn from rand.
//
// For RAW input rand is not used: circl's SignTo takes no reader and
// draws rnd from crypto/rand itself.
func (k *MLDSAKey) Sign(rand io.Reader, in []byte, o SignOptions) ([]byte, error) {
	if !mldsaOptionsOK(o) {
		return nil, errMLDSASignOptions
	}
	if o.Input == InputRaw {
		sig := make([]byte, k.v.params.SignatureSize())
		if err := k.v.signTo(k.priv, in, sig); err != nil {
			return nil, fmt.Errorf("cipher: %s signature: %w", k.v.kind, err)
		}
		return sig, nil
	}
	if len(in) != mldsa.MuSize {
		return nil, errMLDSAMuLength
	}
	var rnd [mldsa.RndSize]byte
	defer clear(rnd[:])
	if _, err := io.ReadFull(orDefault(rand), rnd[:]); err != nil {
		return nil, fmt.Errorf("cipher: %s signature: %w", k.v.kind, err)
	}
	return k.signMu(in, &rnd)
}

// signMu signs μ with the given rnd; all zeros is FIPS 204's
// deterministic variant, which the known-answer tests use.
func (k *MLDSAKey) signMu(mu []byte, rnd *[mldsa.RndSize]byte) ([]byte, error) {
	sig, err := k.muPriv.SignMu(mu, rnd)
	if err != nil {
		return nil, fmt.Errorf("cipher: %s signature: %w", k.v.kind, err)
	}
	return sig, nil
}

// Verify implements Signer, for the inputs Sign takes.
func (k *MLDSAKey) Verify(in, sig []byte, o SignOptions) bool { return k.pub.verify(in, sig, o) }

func (p *mldsaPublicKey) verify(in, sig []byte, o SignOptions) bool {
	if !mldsaOptionsOK(o) {
		return false
	}
	if o.Input == InputRaw {
		return p.v.scheme.Verify(p.circl, in, sig, nil)
	}
	return len(in) == mldsa.MuSize && p.mu.VerifyMu(in, sig)
}

// mldsaOptionsOK reports whether o is one of ML-DSA's two signing modes:
// ML_DSA_SHAKE_256 with RAW or EXTERNAL_MU input. ML-DSA's hash is fixed,
// so o.Hash must be zero, and PSS and Prehash are other key types' modes.
func mldsaOptionsOK(o SignOptions) bool {
	return o.Hash == 0 && !o.PSS && !o.Prehash && (o.Input == InputRaw || o.Input == InputMu)
}

// The private key's forms in a PKCS#8 PrivateKeyInfo (RFC 5208): RFC 9881
// makes the privateKey OCTET STRING hold
//
//	ML-DSA-PrivateKey ::= CHOICE {
//	  seed        [0] IMPLICIT OCTET STRING (SIZE (32)),
//	  expandedKey OCTET STRING,
//	  both        SEQUENCE { seed OCTET STRING, expandedKey OCTET STRING } }
//
// Material writes the seed form, the smallest and the one that cannot be
// inconsistent (a key imported without its seed keeps its expandedKey
// form). Parse reads all three, as OpenSSL writes "both" by default.
const (
	mldsaTagSeed     = 0x80 // [0] IMPLICIT, primitive
	mldsaTagOctetStr = 0x04
	mldsaTagSequence = 0x30
)

// Material implements Key: the DER PKCS#8 PrivateKeyInfo, version 0, with
// the kind's OID and no parameters, holding the seed form; the expandedKey
// form for a key imported without its seed.
func (k *MLDSAKey) Material() (*secret.Bytes, error) {
	if k.seed != nil {
		return secret.New(k.v.pkcs8(mldsaTagSeed, k.seed.Reveal())), nil
	}
	return secret.New(k.v.pkcs8(mldsaTagOctetStr, k.expanded.Reveal())), nil
}

// pkcs8 writes PrivateKeyInfo{0, algorithm, OCTET STRING {tag body}} into
// one buffer of the exact size, so that no partial copy of the key is
// left behind by a growing slice.
func (v *mldsaVariant) pkcs8(tag byte, body []byte) []byte {
	choiceLen := 1 + mldsaDERLengthSize(len(body)) + len(body)
	octetLen := 1 + mldsaDERLengthSize(choiceLen) + choiceLen
	seqLen := 3 + len(v.algID) + octetLen
	b := make([]byte, 0, 1+mldsaDERLengthSize(seqLen)+seqLen)
	b = mldsaAppendDERHeader(b, mldsaTagSequence, seqLen)
	b = append(b, 0x02, 0x01, 0x00) // INTEGER 0, version v1
	b = append(b, v.algID...)
	b = mldsaAppendDERHeader(b, mldsaTagOctetStr, choiceLen)
	b = mldsaAppendDERHeader(b, tag, len(body))
	return append(b, body...)
}

// mldsaDERLengthSize is the size of a DER length field for length n.
func mldsaDERLengthSize(n int) int {
	switch {
	case n < 0x80:
		return 1
	case n < 0x100:
		return 2
	default: // every length here is below 2¹⁶
		return 3
	}
}

func mldsaAppendDERHeader(b []byte, tag byte, n int) []byte {
	b = append(b, tag)
	switch mldsaDERLengthSize(n) {
	case 1:
		return append(b, byte(n))
	case 2:
		return append(b, 0x81, byte(n))
	default:
		return append(b, 0x82, byte(n>>8), byte(n))
	}
}

// parseMLDSAKey reads a DER PKCS#8 PrivateKeyInfo (RFC 5208), or a
// OneAsymmetricKey (RFC 5958, version 1) whose publicKey must then match
// the private key, holding an ML-DSA key of kind v in any form of the
// CHOICE. Attributes are ignored, as crypto/x509 ignores them. Everything
// else is malformed material: another algorithm or parameter set,
// parameters after the OID, a seed or expanded key of the wrong size, an
// expanded key that is not a consistent ML-DSA key, bytes after the
// structure. Encoding/asn1 insists on DER lengths and integers. The key
// keeps no reference to material.
func parseMLDSAKey(v *mldsaVariant, material []byte) (*MLDSAKey, error) {
	malformed := func(why string) error {
		return fmt.Errorf("%w: %s: %s", ErrMalformedMaterial, v.kind, why)
	}
	var outer asn1.RawValue
	if rest, err := asn1.Unmarshal(material, &outer); err != nil || len(rest) != 0 ||
		outer.Class != asn1.ClassUniversal || outer.Tag != asn1.TagSequence || !outer.IsCompound {
		return nil, malformed("not one DER SEQUENCE")
	}
	// encoding/asn1 ignores elements after a struct's last field, so the
	// SEQUENCE is read element by element and must be used up.
	body := outer.Bytes
	var version int
	body, err := asn1.Unmarshal(body, &version)
	if err != nil || (version != 0 && version != 1) {
		return nil, malformed("not a PKCS#8 version 0 or 1 key")
	}
	var alg, privateKey asn1.RawValue
	if body, err = asn1.Unmarshal(body, &alg); err != nil || !bytes.Equal(alg.FullBytes, v.algID) {
		return nil, malformed(fmt.Sprintf("algorithm is not %v without parameters", v.params))
	}
	if body, err = asn1.Unmarshal(body, &privateKey); err != nil ||
		privateKey.Class != asn1.ClassUniversal || privateKey.Tag != asn1.TagOctetString || privateKey.IsCompound {
		return nil, malformed("privateKey is not an OCTET STRING")
	}
	var publicKey []byte
	for len(body) > 0 {
		var field asn1.RawValue
		if body, err = asn1.Unmarshal(body, &field); err != nil || field.Class != asn1.ClassContextSpecific {
			return nil, malformed("unexpected field after privateKey")
		}
		switch {
		case field.Tag == 0 && field.IsCompound && publicKey == nil: // attributes, before publicKey
		case field.Tag == 1 && !field.IsCompound && version == 1 && publicKey == nil &&
			len(field.Bytes) > 0 && field.Bytes[0] == 0: // publicKey BIT STRING, no unused bits
			publicKey = field.Bytes[1:]
		default:
			return nil, malformed("unexpected field after privateKey")
		}
	}

	k, err := parseMLDSAPrivateKey(v, privateKey.Bytes, malformed)
	if err != nil {
		return nil, err
	}
	if publicKey != nil && !bytes.Equal(publicKey, k.pub.mu.Bytes()) {
		return nil, malformed("publicKey does not match the private key")
	}
	return k, nil
}

// parseMLDSAPrivateKey reads the ML-DSA-PrivateKey CHOICE.
func parseMLDSAPrivateKey(v *mldsaVariant, der []byte, malformed func(string) error) (*MLDSAKey, error) {
	var choice asn1.RawValue
	if rest, err := asn1.Unmarshal(der, &choice); err != nil || len(rest) != 0 {
		return nil, malformed("privateKey does not hold one DER value")
	}
	isOctetString := func(r asn1.RawValue) bool {
		return r.Class == asn1.ClassUniversal && r.Tag == asn1.TagOctetString && !r.IsCompound
	}
	switch {
	case choice.Class == asn1.ClassContextSpecific && choice.Tag == 0 && !choice.IsCompound:
		if len(choice.Bytes) != mldsaSeedSize {
			return nil, malformed("seed is not 32 bytes")
		}
		return newMLDSAKeyFromSeed(v, secret.New(bytes.Clone(choice.Bytes)))

	case isOctetString(choice):
		return newMLDSAKeyFromExpanded(v, choice.Bytes)

	case choice.Class == asn1.ClassUniversal && choice.Tag == asn1.TagSequence && choice.IsCompound:
		var seed, expanded asn1.RawValue
		rest, err := asn1.Unmarshal(choice.Bytes, &seed)
		if err != nil || !isOctetString(seed) || len(seed.Bytes) != mldsaSeedSize {
			return nil, malformed("seed of the both form is not a 32-byte OCTET STRING")
		}
		if rest, err = asn1.Unmarshal(rest, &expanded); err != nil || len(rest) != 0 || !isOctetString(expanded) {
			return nil, malformed("expandedKey of the both form is not an OCTET STRING")
		}
		k, err := newMLDSAKeyFromSeed(v, secret.New(bytes.Clone(seed.Bytes)))
		if err != nil {
			return nil, err
		}
		fromSeed, err := k.priv.MarshalBinary()
		defer clear(fromSeed)
		if err != nil || subtle.ConstantTimeCompare(fromSeed, expanded.Bytes) != 1 {
			return nil, malformed("seed and expandedKey of the both form disagree")
		}
		return k, nil
	}
	return nil, malformed("privateKey is none of the seed, expandedKey and both forms")
}
