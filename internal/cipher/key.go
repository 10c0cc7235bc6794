package cipher

import (
	"crypto"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"

	"github.com/trent-kms/trent/internal/secret"
)

// Kind is a type of key material. The names are the AWS KMS KeySpec and
// DataKeyPairSpec values each kind implements, except AES_256, the material
// of SYMMETRIC_DEFAULT keys. Package keys maps key specs to kinds; this
// package knows nothing else of AWS.
type Kind string

// The kinds of key material.
const (
	KindAES256 Kind = "AES_256"

	KindHMAC224 Kind = "HMAC_224"
	KindHMAC256 Kind = "HMAC_256"
	KindHMAC384 Kind = "HMAC_384"
	KindHMAC512 Kind = "HMAC_512"

	KindRSA2048 Kind = "RSA_2048"
	KindRSA3072 Kind = "RSA_3072"
	KindRSA4096 Kind = "RSA_4096"

	KindP256      Kind = "ECC_NIST_P256"
	KindP384      Kind = "ECC_NIST_P384"
	KindP521      Kind = "ECC_NIST_P521"
	KindSecp256k1 Kind = "ECC_SECG_P256K1"
	KindEd25519   Kind = "ECC_NIST_EDWARDS25519"

	KindMLDSA44 Kind = "ML_DSA_44"
	KindMLDSA65 Kind = "ML_DSA_65"
	KindMLDSA87 Kind = "ML_DSA_87"

	KindMLKEM512  Kind = "ML_KEM_512"
	KindMLKEM768  Kind = "ML_KEM_768"
	KindMLKEM1024 Kind = "ML_KEM_1024"
)

// Key is unsealed key material of one kind, parsed and ready to use. Every
// implementation is safe for concurrent use and redacts itself when
// printed, logged or marshalled (it embeds Redacted).
type Key interface {
	Kind() Kind
	// Material returns the key's canonical encoding, the bytes Trent
	// seals at rest and Parse reads back: the raw key for AES and HMAC,
	// a DER PKCS#8 PrivateKeyInfo for every asymmetric kind (the form
	// AWS KMS imports and GenerateDataKeyPair returns).
	Material() (*secret.Bytes, error)
}

// AsymmetricKey is the private half of a key pair.
type AsymmetricKey interface {
	Key
	// PublicKeyDER returns the public key as a DER SubjectPublicKeyInfo
	// (RFC 5280), the form of GetPublicKey.
	PublicKeyDER() []byte
}

// Input says what the bytes given to Sign and Verify are.
type Input int

// The inputs of a signature, the KMS MessageType values.
const (
	// InputRaw is the message itself (RAW): the scheme hashes it.
	InputRaw Input = iota
	// InputDigest is the message's digest under SignOptions.Hash
	// (DIGEST): the scheme's hashing step is skipped. For Ed25519ph the
	// digest is the message the prehash variant signs, so it is hashed
	// again, as AWS KMS does.
	InputDigest
	// InputMu is ML-DSA's 64-byte message representative μ (FIPS 204
	// §6.2, EXTERNAL_MU).
	InputMu
)

// SignOptions selects a signature scheme of a key.
type SignOptions struct {
	// Hash is the scheme's hash: SHA-256, SHA-384 or SHA-512; zero for
	// ML-DSA, whose hash (SHAKE256) is fixed.
	Hash crypto.Hash
	// PSS selects RSASSA-PSS, with a salt as long as the digest, for RSA
	// keys; otherwise RSASSA-PKCS1-v1_5.
	PSS bool
	// Prehash selects Ed25519ph (RFC 8032 §5.1) for Ed25519 keys;
	// otherwise pure Ed25519.
	Prehash bool
	Input   Input
}

// Signer is a key pair that signs: RSA, ECDSA, Ed25519 and ML-DSA.
type Signer interface {
	AsymmetricKey
	// Sign signs in under o. ECDSA signatures are DER (RFC 3279).
	Sign(rand io.Reader, in []byte, o SignOptions) ([]byte, error)
	// Verify reports whether sig is a valid signature of in under o.
	Verify(in, sig []byte, o SignOptions) bool
}

// OAEPKey is an RSA key pair that encrypts (RSAES-OAEP with MGF1 over the
// same hash and an empty label).
type OAEPKey interface {
	AsymmetricKey
	EncryptOAEP(rand io.Reader, hash crypto.Hash, plaintext []byte) ([]byte, error)
	// DecryptOAEP returns ErrDecrypt for any ciphertext it cannot open.
	DecryptOAEP(hash crypto.Hash, ciphertext []byte) (*secret.Bytes, error)
}

// MACKey is HMAC key material; the hash is the kind's.
type MACKey interface {
	Key
	MAC(msg []byte) []byte
	// VerifyMAC compares in constant time.
	VerifyMAC(msg, mac []byte) bool
}

// AgreementKey is an elliptic-curve key pair that agrees secrets (ECDH).
type AgreementKey interface {
	AsymmetricKey
	// SharedSecret returns the ECDH secret with the peer's public key, a
	// DER SubjectPublicKeyInfo; ErrInvalidPublicKey if it is not a valid
	// point of the key's curve in that form.
	SharedSecret(peerPublicKeyDER []byte) (*secret.Bytes, error)
}

// KEMKey is an ML-KEM key pair.
type KEMKey interface {
	AsymmetricKey
	// Encapsulate returns a ciphertext and the 32-byte shared secret it
	// carries.
	Encapsulate(rand io.Reader) (ciphertext []byte, shared *secret.Bytes, err error)
	// Decapsulate returns ErrInvalidCiphertextLength for a ciphertext of
	// the wrong length; any other ciphertext gives a secret (implicit
	// rejection).
	Decapsulate(ciphertext []byte) (*secret.Bytes, error)
}

// Errors of the key kinds.
var (
	ErrInvalidPublicKey        = errors.New("cipher: invalid public key")
	ErrInvalidCiphertextLength = errors.New("cipher: ciphertext length does not match the key")
	ErrUnknownKind             = errors.New("cipher: unknown kind of key material")
	ErrMalformedMaterial       = errors.New("cipher: malformed key material")
)

// kindFuncs makes and reads the material of one kind.
type kindFuncs struct {
	generate func(rand io.Reader) (Key, error)
	parse    func(material []byte) (Key, error)
}

var (
	registryMu sync.RWMutex
	registry   = map[Kind]kindFuncs{}
)

// register is called from the init function of the file that implements
// a kind, so that each primitive lives in one file and this one dispatches.
func register(k Kind, generate func(io.Reader) (Key, error), parse func([]byte) (Key, error)) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[k]; dup {
		panic(fmt.Sprintf("cipher: kind %s registered twice", k))
	}
	registry[k] = kindFuncs{generate: generate, parse: parse}
}

func funcsOf(k Kind) (kindFuncs, error) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	f, ok := registry[k]
	if !ok {
		return kindFuncs{}, fmt.Errorf("%w: %s", ErrUnknownKind, k)
	}
	return f, nil
}

// Generate makes fresh key material of kind k from rand.
func Generate(k Kind, rand io.Reader) (Key, error) {
	f, err := funcsOf(k)
	if err != nil {
		return nil, err
	}
	return f.generate(rand)
}

// Parse reads material of kind k (as Key.Material encodes it). It does
// not keep material: the caller may wipe it afterwards.
func Parse(k Kind, material []byte) (Key, error) {
	f, err := funcsOf(k)
	if err != nil {
		return nil, err
	}
	return f.parse(material)
}

// Kinds lists the registered kinds, sorted.
func Kinds() []Kind {
	registryMu.RLock()
	defer registryMu.RUnlock()
	out := make([]Kind, 0, len(registry))
	for k := range registry {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Redacted is embedded in every Key implementation: its methods, promoted
// to the key, print and marshal the key as [REDACTED], so no private key
// reaches a log, an error or a JSON document by accident.
type Redacted = secret.Redacted
