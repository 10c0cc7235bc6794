package kms

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/store"
)

// importRecord is an EXTERNAL key's import state, one record per key
// (layout.Import), deleted with the key.
type importRecord struct {
	// IDKey is a random 32-byte secret, sealed, that KeyMaterialIds are
	// derived with: HMAC-SHA256(IDKey, material). So the same material
	// always gets the same ID, a re-import can be checked against
	// material that has been deleted, and the ID reveals nothing about
	// the material without the root key.
	IDKey []byte `json:"idKey"`
	// Tokens are the live import tokens, oldest first.
	Tokens []importToken `json:"tokens,omitempty"`
}

// importToken is one GetParametersForImport answer: the wrapping key pair
// and how long it may be used.
type importToken struct {
	// ID is the token's 32 random bytes, hex; the ImportToken a client
	// holds is importTokenVersion followed by them.
	ID string `json:"id"`
	// Algorithm is the WrappingAlgorithm asked for.
	Algorithm string `json:"algorithm"`
	// WrappingKey is the wrapping private key (PKCS#8), sealed and bound
	// to the KMS key and the token.
	WrappingKey  []byte    `json:"wrappingKey"`
	WrappingSpec string    `json:"wrappingSpec"`
	ValidTo      time.Time `json:"validTo"`
}

const (
	importTokenVersion = 0x01
	importTokenIDLen   = 32
	// maxImportTokens bounds an import record: AWS keeps every token for
	// its 24 hours; Trent keeps the newest eight live ones per key, so a
	// record stays small (an RSA_4096 wrapping key is 2.4 KB sealed). A
	// ninth GetParametersForImport retires the oldest token, whose
	// ImportKeyMaterial then gets InvalidImportTokenException.
	maxImportTokens = 8
	// ImportTokenValidity is how long GetParametersForImport's wrapping
	// key and token may be used (model: 24 hours).
	importTokenValidity = 24 * time.Hour
)

// importToken's client form.
func (t importToken) blob() []byte {
	id, _ := hex.DecodeString(t.ID)
	return append([]byte{importTokenVersion}, id...)
}

// parseImportToken returns the token ID a client's ImportToken names, or
// false for bytes that are not a Trent import token.
func parseImportToken(b []byte) (string, bool) {
	if len(b) != 1+importTokenIDLen || b[0] != importTokenVersion {
		return "", false
	}
	return hex.EncodeToString(b[1:]), true
}

// find returns the token with this ID.
func (r *importRecord) find(id string) (importToken, bool) {
	for _, t := range r.Tokens {
		if subtle.ConstantTimeCompare([]byte(t.ID), []byte(id)) == 1 {
			return t, true
		}
	}
	return importToken{}, false
}

// add keeps t and drops expired tokens and, beyond maxImportTokens, the
// oldest.
func (r *importRecord) add(t importToken, now time.Time) {
	r.Tokens = slices.DeleteFunc(r.Tokens, func(old importToken) bool { return !old.ValidTo.After(now) })
	r.Tokens = append(r.Tokens, t)
	if n := len(r.Tokens) - maxImportTokens; n > 0 {
		r.Tokens = slices.Delete(r.Tokens, 0, n)
	}
}

// loadImportRecord reads k's import record. A key without one yet gets a
// new record holding sealedIDKey (which the caller drew outside the
// transaction), or, if that is nil, store.ErrNotFound.
func loadImportRecord(tx store.Tx, k *keys.Key, sealedIDKey []byte) (*importRecord, error) {
	r, err := getRecord[importRecord](tx, layout.Import(k.Account, k.Region, k.ID))
	if err == nil {
		return &r, nil
	}
	if !errors.Is(err, store.ErrNotFound) || sealedIDKey == nil {
		return nil, err
	}
	return &importRecord{IDKey: sealedIDKey}, nil
}

// newSealedIDKey draws and seals the ID key of a first import record. It
// draws randomness, so it runs outside transactions.
func (s *Service) newSealedIDKey(k *keys.Key) ([]byte, error) {
	raw := make([]byte, 32)
	defer clear(raw)
	if _, err := io.ReadFull(s.rand, raw); err != nil {
		return nil, kmserr.Internal(err)
	}
	sealed, err := s.sealer.Seal(raw, idKeyAAD(k), s.rand)
	if err != nil {
		return nil, kmserr.Internal(err)
	}
	return sealed, nil
}

func idKeyAAD(k *keys.Key) []byte {
	return fmt.Appendf(nil, "trent import id key v1\x00%s", k.ARN())
}

func wrappingKeyAAD(k *keys.Key, tokenID string) []byte {
	return fmt.Appendf(nil, "trent import wrapping key v1\x00%s\x00%s", k.ARN(), tokenID)
}

// materialID derives the KeyMaterialId of imported material:
// HMAC-SHA256 under the key's ID key, 64 lowercase hex digits (the shape
// of AWS's BackingKeyIdType).
func (s *Service) materialID(rec *importRecord, k *keys.Key, material []byte) (string, error) {
	idKey, err := s.sealer.Unseal(rec.IDKey, idKeyAAD(k))
	if err != nil {
		return "", kmserr.Internal(fmt.Errorf("unseal the import ID key of %s: %w", k.ARN(), err))
	}
	defer idKey.Wipe()
	mac := hmac.New(sha256.New, idKey.Reveal())
	mac.Write([]byte("trent imported key material v1\x00"))
	mac.Write(material)
	return hex.EncodeToString(mac.Sum(nil)), nil
}
