package cipher

import (
	"crypto/ecdh"

	"github.com/trent-kms/trent/internal/secret"
)

// ECDH of NIST curve keys (KEY_AGREEMENT), as AWS DeriveSharedSecret does
// it: the raw shared secret, the x-coordinate of the product (SP 800-56A
// §5.7.1.2), with no key derivation.

// SharedSecret implements AgreementKey. The peer key must be a DER
// SubjectPublicKeyInfo, id-ecPublicKey on this key's named curve, holding
// an uncompressed point of the curve; anything else (another curve, another
// algorithm, explicit curve parameters, a compressed point, a point off the
// curve, the point at infinity, trailing or non-DER bytes) gives
// ErrInvalidPublicKey.
func (k *ECKey) SharedSecret(peerPublicKeyDER []byte) (*secret.Bytes, error) {
	peer, err := ecParsePeerKey(k.curve, peerPublicKeyDER)
	if err != nil {
		return nil, err
	}
	s, err := k.dh.ECDH(peer)
	if err != nil {
		// Cannot happen on prime-order curves with a validated peer key;
		// kept as the same error rather than a panic.
		return nil, ErrInvalidPublicKey
	}
	return secret.New(s), nil
}

// ecParsePeerKey reads a peer's SubjectPublicKeyInfo for ECDH on c.
func ecParsePeerKey(c *nistCurve, der []byte) (*ecdh.PublicKey, error) {
	point, err := ecParseSPKI(der, c.oid)
	if err != nil {
		return nil, ErrInvalidPublicKey
	}
	// NewPublicKey takes only the uncompressed form (a compressed point,
	// which Wycheproof counts "acceptable", is refused) and checks that the
	// point is on the curve and not the point at infinity.
	pub, err := c.dh.NewPublicKey(point)
	if err != nil {
		return nil, ErrInvalidPublicKey
	}
	return pub, nil
}
