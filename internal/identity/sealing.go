package identity

import (
	"io"

	"github.com/trent-kms/trent/internal/secret"
)

// Sealer seals and unseals the secrets of the identities file under the
// root key. *seal.Keyring implements it; the interface keeps this package
// free of how the root key is held.
type Sealer interface {
	Seal(plaintext, aad []byte, rand io.Reader) ([]byte, error)
	Unseal(sealed, aad []byte) (*secret.Bytes, error)
}

// What a sealed value in the identities file is. The purpose goes into the
// associated data, so a session token cannot be passed off as a secret key.
const (
	purposeSecretKey    = "secret-access-key"
	purposeSessionToken = "session-token"
)

// secretAAD binds a sealed secret to its purpose, its account and its
// access key ID: a sealed secret copied to another key, another account or
// the other field of the same key does not unseal.
func secretAAD(purpose, account, accessKeyID string) []byte {
	return []byte("trent identities v1\x00" + purpose + "\x00" + account + "\x00" + accessKeyID)
}

// sealString seals s for (purpose, account, accessKeyID).
func sealString(s Sealer, value, purpose, account, accessKeyID string, rand io.Reader) ([]byte, error) {
	plain := []byte(value)
	defer clear(plain)
	return s.Seal(plain, secretAAD(purpose, account, accessKeyID), rand)
}

// unsealString opens what sealString sealed.
func unsealString(s Sealer, sealed []byte, purpose, account, accessKeyID string) (string, error) {
	b, err := s.Unseal(sealed, secretAAD(purpose, account, accessKeyID))
	if err != nil {
		return "", err
	}
	defer b.Wipe()
	return string(b.Reveal()), nil
}
