package kms

import (
	"context"

	"github.com/trent-kms/trent/internal/cipher"
	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/request"
	"github.com/trent-kms/trent/internal/store"
)

// Usage and algorithm checks, which AWS makes after resolving the key and
// before its state. Every rule reads the key-spec table in package keys.

// checkUsage refuses a key whose usage is not u, with AWS's recorded
// message ("<key ARN> key usage is SIGN_VERIFY which is not valid for
// Encrypt.").
func checkUsage(k *keys.Key, u keys.KeyUsage, op string) error {
	if k.Usage != u {
		return kmserr.InvalidKeyUsage("%s key usage is %s which is not valid for %s.", k.ARN(), k.Usage, op)
	}
	return nil
}

// checkAlgorithm refuses an algorithm the key's spec does not offer for
// its usage, with AWS's recorded message ("Algorithm HMAC_SHA_256 is
// incompatible with key spec HMAC_224.").
func checkAlgorithm(k *keys.Key, alg string) error {
	if !k.SpecInfo().Offers(k.Usage, alg) {
		return kmserr.InvalidKeyUsage("Algorithm %s is incompatible with key spec %s.", alg, k.Spec)
	}
	return nil
}

// usableKey is the common start of every operation that uses a key's
// current material: pass the gate for keyID (any identifier form) with
// usage u and algorithm alg, and return the key with its current material.
func usableKey[K cipher.Key](s *Service, ctx context.Context, tx store.Tx, info *request.Info, keyID string, u keys.KeyUsage, alg, op string, grantTokens []string) (*keys.Key, K, error) {
	var zero K
	k, err := s.openKey(ctx, tx, info, keyID, access{op: op, forms: anyKeyIdentifier, usage: u, algorithm: alg, grantTokens: grantTokens})
	if err != nil {
		return nil, zero, err
	}
	material, _, err := currentMaterial[K](s, tx, k)
	if err != nil {
		return nil, zero, err
	}
	return k, material, nil
}
