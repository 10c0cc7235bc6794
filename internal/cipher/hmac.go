package cipher

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"
	"io"

	"github.com/trent-kms/trent/internal/secret"
)

// hmacParams describes one HMAC kind: its hash and the lengths of key
// material it accepts.
type hmacParams struct {
	kind    Kind
	newHash func() hash.Hash
	// size is the hash's output length, the length of every tag and of
	// generated material.
	size int
	// minKey and maxKey bound the material Parse accepts, in bytes. They
	// are the bounds AWS KMS puts on imported HMAC key material: at least
	// the hash's output length, at most its block length (HMAC_224 and
	// HMAC_256 28–64 and 32–64 bytes, HMAC_384 and HMAC_512 48–128 and
	// 64–128). AWS states them in the Developer Guide, "Requirements for
	// imported key material"
	// (https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-conceptual.html#importing-keys-material-requirements).
	// (unverified: the stored copy of that page did not show its HMAC
	// table; importing material, which these bounds serve, must confirm
	// them.) They are sound on their own: a key shorter than the output
	// caps HMAC's strength below the hash's, and one longer than the
	// block is hashed first (RFC 2104 §2), so longer material adds
	// nothing.
	minKey, maxKey int
}

var hmacKinds = []hmacParams{
	{KindHMAC224, sha256.New224, sha256.Size224, 28, 64},
	{KindHMAC256, sha256.New, sha256.Size, 32, 64},
	{KindHMAC384, sha512.New384, sha512.Size384, 48, 128},
	{KindHMAC512, sha512.New, sha512.Size, 64, 128},
}

func init() {
	for i := range hmacKinds {
		p := &hmacKinds[i]
		// The wrappers return a nil Key, not a nil pointer in a non-nil
		// interface, with an error.
		register(p.kind,
			func(rand io.Reader) (Key, error) {
				k, err := generateHMAC(p, rand)
				if err != nil {
					return nil, err
				}
				return k, nil
			},
			func(material []byte) (Key, error) {
				k, err := parseHMAC(p, material)
				if err != nil {
					return nil, err
				}
				return k, nil
			})
	}
}

// HMACKey is HMAC key material of one of the HMAC_* kinds; the kind fixes
// the hash (HMAC_SHA_224 … HMAC_SHA_512, as AWS KMS allows only the
// algorithm of the key's size). It is safe for concurrent use: every call
// builds its own hash state.
type HMACKey struct {
	Redacted
	p   *hmacParams
	key *secret.Bytes
}

var _ MACKey = (*HMACKey)(nil)

func generateHMAC(p *hmacParams, rand io.Reader) (*HMACKey, error) {
	b := make([]byte, p.size)
	if _, err := io.ReadFull(orDefault(rand), b); err != nil {
		clear(b)
		return nil, fmt.Errorf("cipher: generating %s key material: %w", p.kind, err)
	}
	return newHMACKey(p, b), nil
}

// parseHMAC accepts raw material of a length AWS would import for the
// kind and copies it.
func parseHMAC(p *hmacParams, material []byte) (*HMACKey, error) {
	if len(material) < p.minKey || len(material) > p.maxKey {
		return nil, fmt.Errorf("%w: %s material must be %d to %d bytes, not %d",
			ErrMalformedMaterial, p.kind, p.minKey, p.maxKey, len(material))
	}
	return newHMACKey(p, append([]byte(nil), material...)), nil
}

// newHMACKey takes ownership of key, of any length: HMAC itself defines
// every length. The length policy is parseHMAC's, so that the Wycheproof
// tests can run vectors whose keys AWS would refuse through the same type.
func newHMACKey(p *hmacParams, key []byte) *HMACKey {
	return &HMACKey{p: p, key: secret.New(key)}
}

// Kind implements Key.
func (k *HMACKey) Kind() Kind { return k.p.kind }

// Material implements Key: the raw key bytes, a copy the caller may wipe.
func (k *HMACKey) Material() (*secret.Bytes, error) {
	return secret.New(append([]byte(nil), k.key.Reveal()...)), nil
}

// MAC implements MACKey: the full-length HMAC tag of msg (AWS KMS's
// GenerateMac never truncates).
func (k *HMACKey) MAC(msg []byte) []byte {
	m := hmac.New(k.p.newHash, k.key.Reveal())
	m.Write(msg)
	return m.Sum(nil)
}

// VerifyMAC implements MACKey. A tag of any length but the hash's is
// refused outright, not compared as a prefix: AWS KMS tags are full
// length, and accepting a truncated tag would let a forger guess fewer
// bits. The comparison is constant-time (hmac.Equal).
func (k *HMACKey) VerifyMAC(msg, mac []byte) bool {
	if len(mac) != k.p.size {
		return false
	}
	return hmac.Equal(k.MAC(msg), mac)
}
