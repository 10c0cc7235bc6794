package identity

import (
	cryptorand "crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
)

// New credentials and IDs, drawn from rand (crypto/rand.Reader if nil).
// They have the shapes AWS's have, so that tools which check the shape of
// an access key ID (the AWS CLI does not, some linters and secret scanners
// do) accept them.

// base32Alphabet is RFC 4648's alphabet, which AWS's IDs are drawn from.
const base32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// secretKeyBytes gives a 40-character base64 secret access key, as AWS's
// are: 30 bytes is 240 bits, well above any guessing attack.
const secretKeyBytes = 30

// sessionTokenBytes gives a session token of 256 base64 characters. AWS's
// are longer and opaque; their length is not specified.
const sessionTokenBytes = 192

func randomFrom(rand io.Reader, alphabet string, n int) (string, error) {
	if rand == nil {
		rand = cryptorand.Reader
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(rand, buf); err != nil {
		return "", fmt.Errorf("identity: reading randomness: %w", err)
	}
	// len(alphabet) divides 256 for the alphabets used here (32, 10 is
	// handled by NewAccountID), so the modulus is unbiased.
	for i, b := range buf {
		buf[i] = alphabet[int(b)%len(alphabet)]
	}
	return string(buf), nil
}

// NewLongTermKeyID returns a new AKIA... access key ID.
func NewLongTermKeyID(rand io.Reader) (string, error) { return prefixed(rand, "AKIA", 16) }

// NewTemporaryKeyID returns a new ASIA... access key ID.
func NewTemporaryKeyID(rand io.Reader) (string, error) { return prefixed(rand, "ASIA", 16) }

// NewUserID returns a new AIDA... unique ID for an IAM user.
func NewUserID(rand io.Reader) (string, error) { return prefixed(rand, "AIDA", 17) }

// NewRoleID returns a new AROA... unique ID for an IAM role.
func NewRoleID(rand io.Reader) (string, error) { return prefixed(rand, "AROA", 17) }

func prefixed(rand io.Reader, prefix string, n int) (string, error) {
	s, err := randomFrom(rand, base32Alphabet, n)
	if err != nil {
		return "", err
	}
	return prefix + s, nil
}

// NewAccountID returns 12 random digits. Each digit is drawn by rejection
// sampling so that every account ID is equally likely.
func NewAccountID(rand io.Reader) (string, error) {
	if rand == nil {
		rand = cryptorand.Reader
	}
	out := make([]byte, 0, 12)
	var b [1]byte
	for len(out) < 12 {
		if _, err := io.ReadFull(rand, b[:]); err != nil {
			return "", fmt.Errorf("identity: reading randomness: %w", err)
		}
		if b[0] >= 250 { // 250 = 25 × 10: keep the modulus unbiased
			continue
		}
		out = append(out, '0'+b[0]%10)
	}
	return string(out), nil
}

// newSecretString returns n random bytes in standard base64.
func newSecretString(rand io.Reader, n int) (string, error) {
	if rand == nil {
		rand = cryptorand.Reader
	}
	buf := make([]byte, n)
	defer clear(buf)
	if _, err := io.ReadFull(rand, buf); err != nil {
		return "", fmt.Errorf("identity: reading randomness: %w", err)
	}
	return base64.StdEncoding.EncodeToString(buf), nil
}

// NewSecretAccessKey returns a new 40-character secret access key.
func NewSecretAccessKey(rand io.Reader) (string, error) { return newSecretString(rand, secretKeyBytes) }

// NewSessionToken returns a new session token for temporary credentials.
func NewSessionToken(rand io.Reader) (string, error) {
	return newSecretString(rand, sessionTokenBytes)
}
