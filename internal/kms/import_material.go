package kms

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/cipher"
	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/request"
	"github.com/trent-kms/trent/internal/secret"
	"github.com/trent-kms/trent/internal/store"
)

// ImportKeyMaterial unwraps material with an import token's wrapping key
// and gives it to the key: its first material; material it had, again
// (after DeleteImportedKeyMaterial or expiry, or to change its
// expiration); or, for a symmetric key with ImportType NEW_KEY_MATERIAL,
// new material that RotateKeyOnDemand then makes current.
func (s *Service) ImportKeyMaterial(ctx context.Context, in *ImportKeyMaterialInput) (*ImportKeyMaterialOutput, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	v.keyID("keyId", in.KeyId, true)
	if v.required("importToken", in.ImportToken != nil) {
		v.blob("importToken", in.ImportToken, true, 1, maxCiphertextLength)
	}
	if v.required("encryptedKeyMaterial", in.EncryptedKeyMaterial != nil) {
		v.blob("encryptedKeyMaterial", in.EncryptedKeyMaterial, true, 1, maxCiphertextLength)
	}
	v.enum("expirationModel", in.ExpirationModel, expirationModelValues)
	v.enum("importType", in.ImportType, importTypeValues)
	v.length("keyMaterialDescription", in.KeyMaterialDescription, 0, 256)
	v.pattern("keyMaterialDescription", in.KeyMaterialDescription, keyMaterialDescriptionPattern)
	v.length("keyMaterialId", in.KeyMaterialId, 64, 64)
	v.pattern("keyMaterialId", in.KeyMaterialId, keyMaterialIDPattern)
	if err := v.err(); err != nil {
		return nil, err
	}
	if in.KeyMaterialId != nil && in.ImportType != nil && *in.ImportType == importNew {
		// Model: "You cannot specify a key material ID with ImportType
		// set to NEW_KEY_MATERIAL."
		return nil, kmserr.Validation("You cannot specify a key material ID with ImportType set to NEW_KEY_MATERIAL.")
	}
	now := s.clock.Now()
	validTo, err := importValidTo(in, now)
	if err != nil {
		return nil, err
	}
	model := expirationExpires
	if in.ExpirationModel != nil {
		model = *in.ExpirationModel
	}
	tokenID, ok := parseImportToken(in.ImportToken)
	if !ok {
		return nil, kmserr.InvalidImportToken()
	}

	// Unwrapping and checking the material reads the key, its import
	// record and the token; sealing the material draws randomness, so the
	// work is split: a View unwraps, the material is sealed, and the
	// Update checks again and commits.
	var prepared *preparedImport
	err = s.store.View(ctx, func(tx store.Tx) (err error) {
		prepared, err = s.prepareImport(ctx, tx, info, in, tokenID, now)
		return err
	})
	if err != nil {
		return nil, storeErr(err)
	}
	defer prepared.material.Wipe()
	sealed, err := s.sealer.Seal(prepared.material.Reveal(), materialAAD(prepared.key, prepared.version), s.rand)
	if err != nil {
		return nil, kmserr.Internal(err)
	}
	out := &ImportKeyMaterialOutput{KeyId: prepared.key.ARN(), KeyMaterialId: prepared.materialID}
	err = s.update(ctx, func(tx store.Tx) (any, error) {
		again, err := s.prepareImport(ctx, tx, info, in, tokenID, now)
		if err != nil {
			return nil, err
		}
		defer again.material.Wipe()
		if again.materialID != prepared.materialID || again.version != prepared.version {
			// The key changed between the two reads (another import).
			return nil, kmserr.IncorrectKeyMaterial("")
		}
		k := again.key
		old := *k
		m := keys.Material{Version: again.version, ID: again.materialID, CreatedAt: now}
		if again.previous != nil {
			m = *again.previous
		}
		m.Sealed, m.ExpirationModel, m.ValidTo = sealed, model, validTo
		if in.KeyMaterialDescription != nil {
			m.Description = *in.KeyMaterialDescription
		}
		switch {
		case again.previous == nil && again.version > 1:
			// New material for a key that has some: it waits for
			// RotateKeyOnDemand.
			m.PendingRotation = true
			k.MaterialCount = again.version
		case again.version == 1 && again.previous == nil:
			// The first import.
			k.CurrentMaterial, k.MaterialCount, k.CurrentMaterialID = 1, 1, again.materialID
		}
		if err := putRecord(tx, layout.Material(k.Account, k.Region, k.ID, m.Version), m); err != nil {
			return nil, err
		}
		if m.Version == k.CurrentMaterial {
			k.CurrentMissing = false
			k.ExpirationModel, k.ValidTo = model, validTo
			if k.State == keys.StatePendingImport {
				// A key pending deletion stays pending deletion, and a
				// disabled one disabled.
				k.State = keys.StateEnabled
			}
		}
		if err := refreshExpiry(tx, k); err != nil {
			return nil, err
		}
		audit.DetailsFrom(ctx).SetAdditional("keyMaterialId", again.materialID)
		return out, putKey(tx, &old, k)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// importValidTo applies the expiration rules of ImportKeyMaterial
// (model): KEY_MATERIAL_EXPIRES, the default, needs ValidTo, in the future
// and at most 365 days ahead; KEY_MATERIAL_DOES_NOT_EXPIRE takes none.
// The messages are (unverified) but for the recorded one.
func importValidTo(in *ImportKeyMaterialInput, now time.Time) (time.Time, error) {
	if in.ExpirationModel != nil && *in.ExpirationModel == expirationDoesNotExpire {
		if in.ValidTo != nil {
			return time.Time{}, kmserr.Validation("ValidTo must not be set when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE.")
		}
		return time.Time{}, nil
	}
	if in.ValidTo == nil {
		// Recorded.
		return time.Time{}, kmserr.Validation("A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES")
	}
	t := time.Time(*in.ValidTo)
	if !t.After(now) {
		return time.Time{}, kmserr.Validation("ValidTo must be in the future.")
	}
	if t.After(now.Add(maxValidTo)) {
		return time.Time{}, kmserr.Validation("ValidTo must be at most 365 days from now.")
	}
	return t, nil
}

// preparedImport is unwrapped, checked material for a key, and where it
// goes.
type preparedImport struct {
	key        *keys.Key
	material   *secret.Bytes // canonical encoding (cipher.Key.Material)
	materialID string
	// version is the material version the import writes; previous its
	// record if the key had it (a re-import), nil for new material.
	version  uint32
	previous *keys.Material
}

// prepareImport resolves and checks the key, finds the token, unwraps and
// checks the material, derives its ID and decides where it goes; it
// writes nothing.
func (s *Service) prepareImport(ctx context.Context, tx store.Tx, info *request.Info, in *ImportKeyMaterialInput, tokenID string, now time.Time) (*preparedImport, error) {
	const op = keys.OpImportKeyMaterial
	k, err := s.openKey(ctx, tx, info, *in.KeyId, access{op: op, forms: keyIDOrARN, check: func(k *keys.Key) error {
		if err := checkExternal(k); err != nil {
			return err
		}
		if !k.SpecInfo().Rotates && (in.ImportType != nil || in.KeyMaterialDescription != nil || in.KeyMaterialId != nil) {
			// (unverified message) The model: "only usable with
			// symmetric encryption keys".
			return kmserr.Validation("ImportType, KeyMaterialDescription and KeyMaterialId can be specified only for symmetric encryption keys.")
		}
		return nil
	}})
	if err != nil {
		return nil, err
	}
	rec, err := loadImportRecord(tx, k, nil)
	if errors.Is(err, store.ErrNotFound) {
		return nil, kmserr.InvalidImportToken()
	} else if err != nil {
		return nil, err
	}
	tok, ok := rec.find(tokenID)
	if !ok {
		return nil, kmserr.InvalidImportToken()
	}
	if !tok.ValidTo.After(now) {
		return nil, kmserr.ExpiredImportToken()
	}
	material, err := s.unwrapImport(k, tok, in.EncryptedKeyMaterial)
	if err != nil {
		return nil, err
	}
	p := &preparedImport{key: k, material: material}
	if err := s.placeImport(tx, in, rec, p); err != nil {
		material.Wipe()
		return nil, err
	}
	return p, nil
}

// placeImport derives the material's ID and decides which version it is
// (ImportKeyMaterial's ImportType): the first material of a key; new
// material for a key that has some (NEW_KEY_MATERIAL, symmetric keys
// only), which waits for RotateKeyOnDemand; or, by default, material the
// key had (EXISTING_KEY_MATERIAL), matched by its ID, which a key that has
// had material takes only.
func (s *Service) placeImport(tx store.Tx, in *ImportKeyMaterialInput, rec *importRecord, p *preparedImport) error {
	k := p.key
	var err error
	if p.materialID, err = s.materialID(rec, k, p.material.Reveal()); err != nil {
		return err
	}
	if in.KeyMaterialId != nil && *in.KeyMaterialId != p.materialID {
		return kmserr.IncorrectKeyMaterial("The key material ID does not identify the imported key material.")
	}
	ms, err := keyMaterials(tx, k)
	if err != nil {
		return err
	}
	var same *keys.Material
	pending := false
	for i := range ms {
		if ms[i].ID == p.materialID {
			same = &ms[i]
		}
		pending = pending || ms[i].PendingRotation
	}
	newMaterial := in.ImportType != nil && *in.ImportType == importNew
	switch {
	case len(ms) == 0:
		if in.ImportType != nil && !newMaterial {
			return kmserr.Validation("%s has no key material to import again; use ImportType NEW_KEY_MATERIAL.", k.ARN())
		}
		p.version = 1
	case newMaterial:
		if same != nil {
			return kmserr.IncorrectKeyMaterial("The key material is already associated with %s; import it with ImportType EXISTING_KEY_MATERIAL.", k.ARN())
		}
		if pending {
			// (unverified) One material at a time waits for rotation.
			return kmserr.InvalidState("%s already has key material pending rotation.", k.ARN())
		}
		p.version = k.MaterialCount + 1
	default:
		if same == nil {
			return kmserr.IncorrectKeyMaterial("The key material in the request is not key material that was previously imported into this KMS key.")
		}
		p.version, p.previous = same.Version, same
	}
	return nil
}

// unwrapImport unwraps material with a token's wrapping key and checks it
// is material of the key's spec; it returns the canonical encoding.
func (s *Service) unwrapImport(k *keys.Key, tok importToken, wrapped []byte) (*secret.Bytes, error) {
	pkcs8, err := s.sealer.Unseal(tok.WrappingKey, wrappingKeyAAD(k, tok.ID))
	if err != nil {
		return nil, kmserr.Internal(err)
	}
	defer pkcs8.Wipe()
	parsed, err := cipher.Parse(wrappingSpecs[tok.WrappingSpec], pkcs8.Reveal())
	if err != nil {
		return nil, kmserr.Internal(err)
	}
	var raw *secret.Bytes
	switch key := parsed.(type) {
	case *cipher.RSAKey:
		raw, err = cipher.UnwrapImportedMaterial(key, tok.Algorithm, wrapped)
	case cipher.SM2PKEKey:
		raw, err = key.DecryptSM2(wrapped)
	default:
		return nil, kmserr.Internal(fmt.Errorf("wrapping key of kind %s", parsed.Kind()))
	}
	if err != nil {
		// Any failure to unwrap: wrong public key, wrong algorithm,
		// tampered bytes (model: InvalidCiphertextException).
		return nil, kmserr.InvalidCiphertext()
	}
	defer raw.Wipe()
	key, err := cipher.Parse(materialKind(k.Spec), raw.Reveal())
	if err != nil {
		return nil, kmserr.IncorrectKeyMaterial("The key material is not valid for a %s key.", k.Spec)
	}
	canonical, err := key.Material()
	if err != nil {
		return nil, kmserr.Internal(err)
	}
	return canonical, nil
}
