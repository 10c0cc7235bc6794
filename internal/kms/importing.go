package kms

import (
	"context"
	"encoding/hex"
	"errors"
	"io"
	"regexp"
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

// GetParametersForImportInput is the GetParametersForImport request.
type GetParametersForImportInput struct {
	KeyId             *string `json:"KeyId,omitempty"`
	WrappingAlgorithm *string `json:"WrappingAlgorithm,omitempty"`
	WrappingKeySpec   *string `json:"WrappingKeySpec,omitempty"`
}

// GetParametersForImportOutput is the GetParametersForImport response.
type GetParametersForImportOutput struct {
	KeyId             string `json:"KeyId"`
	ImportToken       []byte `json:"ImportToken"`
	PublicKey         []byte `json:"PublicKey"`
	ParametersValidTo *Time  `json:"ParametersValidTo"`
}

// ImportKeyMaterialInput is the ImportKeyMaterial request.
type ImportKeyMaterialInput struct {
	KeyId                  *string `json:"KeyId,omitempty"`
	ImportToken            []byte  `json:"ImportToken,omitempty"`
	EncryptedKeyMaterial   []byte  `json:"EncryptedKeyMaterial,omitempty" audit:"-"`
	ValidTo                *Time   `json:"ValidTo,omitempty"`
	ExpirationModel        *string `json:"ExpirationModel,omitempty"`
	ImportType             *string `json:"ImportType,omitempty"`
	KeyMaterialDescription *string `json:"KeyMaterialDescription,omitempty"`
	KeyMaterialId          *string `json:"KeyMaterialId,omitempty"`
}

// ImportKeyMaterialOutput is the ImportKeyMaterial response.
type ImportKeyMaterialOutput struct {
	KeyId         string `json:"KeyId"`
	KeyMaterialId string `json:"KeyMaterialId,omitempty"`
}

// DeleteImportedKeyMaterialInput is the DeleteImportedKeyMaterial request.
type DeleteImportedKeyMaterialInput struct {
	KeyId         *string `json:"KeyId,omitempty"`
	KeyMaterialId *string `json:"KeyMaterialId,omitempty"`
}

// DeleteImportedKeyMaterialOutput is the DeleteImportedKeyMaterial
// response.
type DeleteImportedKeyMaterialOutput struct {
	KeyId         string `json:"KeyId"`
	KeyMaterialId string `json:"KeyMaterialId,omitempty"`
}

// The model's enums and limits of the import operations.
const (
	expirationExpires       = "KEY_MATERIAL_EXPIRES"
	expirationDoesNotExpire = "KEY_MATERIAL_DOES_NOT_EXPIRE"
	importNew               = "NEW_KEY_MATERIAL"
	// maxValidTo: ValidTo may be at most 365 days after the request
	// (model, ImportKeyMaterial).
	maxValidTo = 365 * keys.Day
)

// wrappingSpecs are the WrappingKeySpec values Trent offers, with the
// material kind of the wrapping key. SM2 (China Regions) is not.
var wrappingSpecs = map[string]cipher.Kind{
	"RSA_2048": cipher.KindRSA2048, "RSA_3072": cipher.KindRSA3072, "RSA_4096": cipher.KindRSA4096,
}

// wrappingAlgorithms are the WrappingAlgorithm values Trent accepts.
// RSAES_PKCS1_V1_5 is refused as AWS has since October 2023; SM2PKE
// wrapping (China Regions) is not offered.
var wrappingAlgorithms = map[string]bool{
	"RSAES_OAEP_SHA_1": true, "RSAES_OAEP_SHA_256": true,
	"RSA_AES_KEY_WRAP_SHA_1": true, "RSA_AES_KEY_WRAP_SHA_256": true,
}

var (
	keyMaterialIDPattern          = regexp.MustCompile(`^[a-f0-9]+$`)
	keyMaterialDescriptionPattern = regexp.MustCompile(`^[a-zA-Z0-9:/_\s.-]+$`)
)

// checkExternal refuses a key whose material is not imported, with AWS's
// recorded message.
func checkExternal(k *keys.Key) error {
	if k.Origin != keys.OriginExternal {
		return kmserr.UnsupportedOperation("%s origin is %s which is not valid for this operation.", k.ARN(), k.Origin)
	}
	return nil
}

// GetParametersForImport returns a fresh RSA wrapping public key and an
// import token for an EXTERNAL key, valid for 24 hours.
func (s *Service) GetParametersForImport(ctx context.Context, in *GetParametersForImportInput) (*GetParametersForImportOutput, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	v.keyID("keyId", in.KeyId, true)
	if v.required("wrappingAlgorithm", in.WrappingAlgorithm != nil) {
		v.enum("wrappingAlgorithm", in.WrappingAlgorithm, wrappingAlgorithmValues)
	}
	if v.required("wrappingKeySpec", in.WrappingKeySpec != nil) {
		v.enum("wrappingKeySpec", in.WrappingKeySpec, wrappingKeySpecValues)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	const op = keys.OpGetParametersForImport
	check := func(tx store.Tx) (*keys.Key, error) {
		k, err := resolveKey(ctx, tx, info, *in.KeyId, keyIDOrARN, op)
		if err != nil {
			return nil, err
		}
		if err := checkExternal(k); err != nil {
			return nil, err
		}
		return k, checkState(op, k)
	}
	var k *keys.Key
	if err := s.store.View(ctx, func(tx store.Tx) (err error) { k, err = check(tx); return err }); err != nil {
		return nil, storeErr(err)
	}
	// (unverified messages) AWS refuses RSAES_PKCS1_V1_5 since 2023.
	if !wrappingAlgorithms[*in.WrappingAlgorithm] {
		return nil, kmserr.UnsupportedOperation("The wrapping algorithm %s is not supported.", *in.WrappingAlgorithm)
	}
	kind, ok := wrappingSpecs[*in.WrappingKeySpec]
	if !ok {
		return nil, kmserr.UnsupportedOperation("The wrapping key spec %s is not supported in this Region.", *in.WrappingKeySpec)
	}
	// The wrapping key pair, the token and the ID key (for a first
	// import record) are made outside the transaction: they draw
	// randomness and an RSA_4096 key takes seconds.
	generated, err := s.generate(ctx, kind)
	if err != nil {
		return nil, err
	}
	wrapping := generated.(cipher.AsymmetricKey)
	tokenID := make([]byte, importTokenIDLen)
	if _, err := io.ReadFull(s.rand, tokenID); err != nil {
		return nil, kmserr.Internal(err)
	}
	now := s.clock.Now()
	tok := importToken{Algorithm: *in.WrappingAlgorithm, WrappingSpec: *in.WrappingKeySpec, ValidTo: now.Add(importTokenValidity)}
	tok.ID = hex.EncodeToString(tokenID)
	pkcs8, err := wrapping.Material()
	if err != nil {
		return nil, kmserr.Internal(err)
	}
	defer pkcs8.Wipe()
	if tok.WrappingKey, err = s.sealer.Seal(pkcs8.Reveal(), wrappingKeyAAD(k, tok.ID), s.rand); err != nil {
		return nil, kmserr.Internal(err)
	}
	idKey, err := s.newSealedIDKey(k)
	if err != nil {
		return nil, err
	}
	out := &GetParametersForImportOutput{KeyId: k.ARN(), ImportToken: tok.blob(), PublicKey: wrapping.PublicKeyDER(),
		ParametersValidTo: timePtr(tok.ValidTo)}
	err = s.update(ctx, func(tx store.Tx) (any, error) {
		cur, err := check(tx)
		if err != nil {
			return nil, err
		}
		rec, err := loadImportRecord(tx, cur, idKey)
		if err != nil {
			return nil, err
		}
		rec.add(tok, now)
		return out, putRecord(tx, layout.Import(cur.Account, cur.Region, cur.ID), rec)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ImportKeyMaterial unwraps material with an import token's wrapping key
// and makes it the key's material. A key that has had material takes only
// the same material again (after DeleteImportedKeyMaterial or expiry, or
// to change its expiration).
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
	const op = keys.OpImportKeyMaterial

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
	sealed, err := s.sealer.Seal(prepared.material.Reveal(), materialAAD(prepared.key, 1), s.rand)
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
		if again.materialID != prepared.materialID {
			// The key changed between the two reads (another import).
			return nil, kmserr.IncorrectKeyMaterial("")
		}
		k := again.key
		old := *k
		m := keys.Material{Version: 1, ID: again.materialID, CreatedAt: now, Sealed: sealed}
		if again.previous != nil {
			m.CreatedAt = again.previous.CreatedAt
		}
		if err := putRecord(tx, layout.Material(k.Account, k.Region, k.ID, 1), m); err != nil {
			return nil, err
		}
		k.CurrentMaterial, k.MaterialCount = 1, 1
		k.CurrentMaterialID = again.materialID
		k.ExpirationModel, k.ValidTo = model, validTo
		if k.State == keys.StatePendingImport {
			// A key pending deletion stays pending deletion, and a
			// disabled one disabled.
			k.State = keys.StateEnabled
		}
		audit.DetailsFrom(ctx).SetAdditional("keyMaterialId", again.materialID)
		return out, putKey(tx, &old, k)
	})
	if err != nil {
		return nil, err
	}
	s.materials.evictKey(prepared.key.ARN())
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

// preparedImport is unwrapped, checked material for a key.
type preparedImport struct {
	key        *keys.Key
	material   *secret.Bytes // canonical encoding (cipher.Key.Material)
	materialID string
	previous   *keys.Material // the key's earlier material record, if any
}

// prepareImport resolves and checks the key, finds the token, unwraps and
// checks the material and derives its ID; it writes nothing.
func (s *Service) prepareImport(ctx context.Context, tx store.Tx, info *request.Info, in *ImportKeyMaterialInput, tokenID string, now time.Time) (*preparedImport, error) {
	const op = keys.OpImportKeyMaterial
	k, err := resolveKey(ctx, tx, info, *in.KeyId, keyIDOrARN, op)
	if err != nil {
		return nil, err
	}
	if err := checkExternal(k); err != nil {
		return nil, err
	}
	rotates := k.SpecInfo().Rotates
	if !rotates && (in.ImportType != nil || in.KeyMaterialDescription != nil || in.KeyMaterialId != nil) {
		// (unverified message) The model: "only usable with symmetric
		// encryption keys".
		return nil, kmserr.Validation("ImportType, KeyMaterialDescription and KeyMaterialId can be specified only for symmetric encryption keys.")
	}
	if err := checkState(op, k); err != nil {
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
	if p.materialID, err = s.materialID(rec, k, material.Reveal()); err != nil {
		material.Wipe()
		return nil, err
	}
	prev, err := getRecord[keys.Material](tx, layout.Material(k.Account, k.Region, k.ID, 1))
	switch {
	case err == nil:
		p.previous = &prev
	case !errors.Is(err, store.ErrNotFound):
		material.Wipe()
		return nil, err
	}
	if err := checkImportType(in, p); err != nil {
		material.Wipe()
		return nil, err
	}
	return p, nil
}

// checkImportType applies the re-import rule: a key that has had material
// takes only that material again; new material for it (on-demand
// rotation of imported keys) is not implemented yet.
func checkImportType(in *ImportKeyMaterialInput, p *preparedImport) error {
	if in.KeyMaterialId != nil && *in.KeyMaterialId != p.materialID {
		return kmserr.IncorrectKeyMaterial("The key material ID does not identify the imported key material.")
	}
	if p.previous == nil {
		if in.ImportType != nil && *in.ImportType != importNew {
			return kmserr.Validation("%s has no key material to import again; use ImportType NEW_KEY_MATERIAL.", p.key.ARN())
		}
		return nil
	}
	if in.ImportType != nil && *in.ImportType == importNew {
		return kmserr.UnsupportedOperation("Importing new key material into a key that has had key material (rotation of imported key material) is not supported by this server yet.")
	}
	if p.previous.ID != p.materialID {
		return kmserr.IncorrectKeyMaterial("The key material in the request is not the key material that was previously imported into this KMS key.")
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
	rsaKey, ok := parsed.(*cipher.RSAKey)
	if !ok {
		return nil, kmserr.Internal(errors.New("wrapping key is not RSA"))
	}
	raw, err := cipher.UnwrapImportedMaterial(rsaKey, tok.Algorithm, wrapped)
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

// DeleteImportedKeyMaterial deletes a key's imported material: the key
// goes to PendingImport (a key pending deletion stays so) until the same
// material is imported again.
func (s *Service) DeleteImportedKeyMaterial(ctx context.Context, in *DeleteImportedKeyMaterialInput) (*DeleteImportedKeyMaterialOutput, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	v.keyID("keyId", in.KeyId, true)
	v.length("keyMaterialId", in.KeyMaterialId, 64, 64)
	v.pattern("keyMaterialId", in.KeyMaterialId, keyMaterialIDPattern)
	if err := v.err(); err != nil {
		return nil, err
	}
	const op = keys.OpDeleteImportedKeyMaterial
	var arn string
	out := &DeleteImportedKeyMaterialOutput{}
	err = s.update(ctx, func(tx store.Tx) (any, error) {
		k, err := resolveKey(ctx, tx, info, *in.KeyId, keyIDOrARN, op)
		if err != nil {
			return nil, err
		}
		if err := checkExternal(k); err != nil {
			return nil, err
		}
		if err := checkState(op, k); err != nil {
			return nil, err
		}
		arn, out.KeyId, out.KeyMaterialId = k.ARN(), k.ARN(), k.CurrentMaterialID
		if in.KeyMaterialId != nil && *in.KeyMaterialId != k.CurrentMaterialID {
			// (unverified) Only the current material can be deleted
			// while imported keys do not rotate.
			return nil, kmserr.NotFound("Key material %s is not the current key material of %s.", *in.KeyMaterialId, k.ARN())
		}
		audit.DetailsFrom(ctx).SetAdditional("keyMaterialId", k.CurrentMaterialID)
		return out, deleteImportedMaterial(tx, k)
	})
	if err != nil {
		return nil, err
	}
	s.materials.evictKey(arn)
	return out, nil
}

// deleteImportedMaterial removes k's material: the material record keeps
// its ID and dates but no longer the sealed bytes, so a re-import can be
// checked against it and ListKeyRotations still names it. A key without
// material is left as it is.
func deleteImportedMaterial(tx store.Tx, k *keys.Key) error {
	if k.CurrentMaterial == 0 {
		return nil
	}
	name := layout.Material(k.Account, k.Region, k.ID, k.CurrentMaterial)
	m, err := getRecord[keys.Material](tx, name)
	if err != nil {
		return err
	}
	m.Sealed = nil
	if err := putRecord(tx, name, m); err != nil {
		return err
	}
	old := *k
	k.CurrentMaterial, k.CurrentMaterialID, k.ValidTo = 0, "", time.Time{}
	if !k.State.PendingDeletion() {
		k.State = keys.StatePendingImport
	}
	return putKey(tx, &old, k)
}

// expireDueKey deletes imported material whose ValidTo has passed, as a
// service event (CloudTrail: DeleteExpiredKeyMaterial).
func (s *Service) expireDueKey(ctx context.Context, e layout.DueEntry, now time.Time) error {
	arn := keys.KeyARN(e.Region, e.Account, e.KeyID)
	rec := audit.Service(audit.ServiceEvent{Name: "DeleteExpiredKeyMaterial", Account: e.Account, Region: e.Region, KeyARN: arn, Time: now})
	expired, err := s.serviceEvent(ctx, rec, func(tx store.Tx) (bool, error) {
		k, err := getRecord[*keys.Key](tx, layout.Key(e.Account, e.Region, e.KeyID))
		if errors.Is(err, store.ErrNotFound) {
			return false, tx.Delete(e.Key())
		} else if err != nil {
			return false, err
		}
		if k.ValidTo.IsZero() || k.ValidTo.After(now) {
			// Stale entry (deleted, or re-imported with another
			// ValidTo): the key's own entries are kept.
			if err := tx.Delete(e.Key()); err != nil {
				return false, err
			}
			return false, syncDue(tx, nil, k)
		}
		rec.ServiceEventDetails = map[string]any{"keyMaterialId": k.CurrentMaterialID}
		return true, deleteImportedMaterial(tx, k)
	})
	if err != nil || !expired {
		return err
	}
	s.materials.evictKey(arn)
	return nil
}
