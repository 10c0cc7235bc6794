package kms

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
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
// material kind of the wrapping key. SM2 is offered in the China Regions
// only, as the key spec is.
var wrappingSpecs = map[string]cipher.Kind{
	"RSA_2048": cipher.KindRSA2048, "RSA_3072": cipher.KindRSA3072, "RSA_4096": cipher.KindRSA4096,
	"SM2": cipher.KindSM2,
}

// wrappingAlgorithms are the WrappingAlgorithm values Trent accepts, with
// whether they wrap with an SM2 key (SM2PKE, with an SM2 wrapping key
// only) rather than an RSA one. RSAES_PKCS1_V1_5 is refused as AWS has
// since October 2023.
var wrappingAlgorithms = map[string]bool{
	"RSAES_OAEP_SHA_1": false, "RSAES_OAEP_SHA_256": false,
	"RSA_AES_KEY_WRAP_SHA_1": false, "RSA_AES_KEY_WRAP_SHA_256": false,
	"SM2PKE": true,
}

// checkWrapping refuses a wrapping AWS does not offer in region: SM2 and
// SM2PKE only in the China Regions, and only together (model,
// GetParametersForImport). The messages are (unverified).
func checkWrapping(alg, spec, region string) (cipher.Kind, error) {
	sm2Alg, ok := wrappingAlgorithms[alg]
	if !ok {
		return "", kmserr.UnsupportedOperation("The wrapping algorithm %s is not supported.", alg)
	}
	kind := wrappingSpecs[spec]
	if kind == "" || (kind == cipher.KindSM2 || sm2Alg) && !keys.Spec("SM2").AvailableIn(region) {
		return "", kmserr.UnsupportedOperation("The wrapping key spec %s with algorithm %s is not supported in this Region.", spec, alg)
	}
	if (kind == cipher.KindSM2) != sm2Alg {
		return "", kmserr.Validation("The wrapping algorithm %s cannot be used with the wrapping key spec %s.", alg, spec)
	}
	return kind, nil
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
	kind, err := checkWrapping(*in.WrappingAlgorithm, *in.WrappingKeySpec, info.Region)
	if err != nil {
		return nil, err
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
	k, err := resolveKey(ctx, tx, info, *in.KeyId, keyIDOrARN, op)
	if err != nil {
		return nil, err
	}
	if err := checkExternal(k); err != nil {
		return nil, err
	}
	if !k.SpecInfo().Rotates && (in.ImportType != nil || in.KeyMaterialDescription != nil || in.KeyMaterialId != nil) {
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

// keyMaterials reads every material record of k, oldest first. A key has
// at most 27 (the first, 25 on-demand rotations, one pending).
func keyMaterials(tx store.Tx, k *keys.Key) ([]keys.Material, error) {
	items, err := tx.Scan(layout.Materials(k.Account, k.Region, k.ID), "", maxMaterialVersions)
	if err != nil {
		return nil, err
	}
	out := make([]keys.Material, 0, len(items))
	for _, it := range items {
		m, err := decodeRecord[keys.Material](it.Value)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// maxMaterialVersions bounds keyMaterials' scan.
const maxMaterialVersions = keys.MaxOnDemandRotations + 2

// refreshExpiry sets k.NextExpiry to the earliest ValidTo of its imported
// materials, from the records in tx.
func refreshExpiry(tx store.Tx, k *keys.Key) error {
	ms, err := keyMaterials(tx, k)
	if err != nil {
		return err
	}
	k.NextExpiry = time.Time{}
	for _, m := range ms {
		if m.Imported() && !m.ValidTo.IsZero() && (k.NextExpiry.IsZero() || m.ValidTo.Before(k.NextExpiry)) {
			k.NextExpiry = m.ValidTo
		}
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
		out.KeyId = k.ARN()
		ms, err := keyMaterials(tx, k)
		if err != nil {
			return nil, err
		}
		var target *keys.Material
		for i := range ms {
			if (in.KeyMaterialId == nil && ms[i].Version == k.CurrentMaterial) ||
				(in.KeyMaterialId != nil && ms[i].ID == *in.KeyMaterialId) {
				target = &ms[i]
			}
		}
		switch {
		case target == nil && in.KeyMaterialId != nil:
			// (unverified message)
			return nil, kmserr.NotFound("Key material %s is not associated with %s.", *in.KeyMaterialId, k.ARN())
		case target == nil:
			// A key that never had material: nothing to delete.
			return out, nil
		}
		out.KeyMaterialId = target.ID
		audit.DetailsFrom(ctx).SetAdditional("keyMaterialId", target.ID)
		return out, deleteImportedMaterial(tx, k, *target)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// deleteImportedMaterial removes the bytes of one imported material of k:
// the record keeps its ID, dates and import settings, so a re-import can
// be checked against it and ListKeyRotations still names it. Deleting the
// current material puts the key in PendingImport (a key pending deletion
// stays so); deleting other material leaves the key usable, without the
// ciphertexts made under that material. Deleting pending material removes
// it: it never became part of the key.
func deleteImportedMaterial(tx store.Tx, k *keys.Key, m keys.Material) error {
	old := *k
	name := layout.Material(k.Account, k.Region, k.ID, m.Version)
	if m.PendingRotation {
		if err := tx.Delete(name); err != nil {
			return err
		}
		if m.Version == k.MaterialCount {
			k.MaterialCount--
		}
	} else {
		m.Sealed = nil
		if err := putRecord(tx, name, m); err != nil {
			return err
		}
	}
	if m.Version == k.CurrentMaterial {
		k.CurrentMissing, k.ValidTo = true, time.Time{}
		if !k.State.PendingDeletion() {
			k.State = keys.StatePendingImport
		}
	}
	if err := refreshExpiry(tx, k); err != nil {
		return err
	}
	return putKey(tx, &old, k)
}

// expireDueKey deletes imported material whose ValidTo has passed, as a
// service event (CloudTrail: DeleteExpiredKeyMaterial).
func (s *Service) expireDueKey(ctx context.Context, e layout.DueEntry, now time.Time) error {
	arn := keys.KeyARN(e.Region, e.Account, e.KeyID)
	rec := audit.Service(audit.ServiceEvent{Name: "DeleteExpiredKeyMaterial", Account: e.Account, Region: e.Region, KeyARN: arn, Time: now})
	_, err := s.serviceEvent(ctx, rec, func(tx store.Tx) (bool, error) {
		k, err := getRecord[*keys.Key](tx, layout.Key(e.Account, e.Region, e.KeyID))
		if errors.Is(err, store.ErrNotFound) {
			return false, tx.Delete(e.Key())
		} else if err != nil {
			return false, err
		}
		ms, err := keyMaterials(tx, k)
		if err != nil {
			return false, err
		}
		var ids []string
		for _, m := range ms {
			if !m.Imported() || m.ValidTo.IsZero() || m.ValidTo.After(now) {
				continue
			}
			if err := deleteImportedMaterial(tx, k, m); err != nil {
				return false, err
			}
			ids = append(ids, m.ID)
		}
		if len(ids) == 0 {
			// Stale entry (deleted, or re-imported with another
			// ValidTo): the key's own entries are kept.
			if err := tx.Delete(e.Key()); err != nil {
				return false, err
			}
			return false, syncDue(tx, nil, k)
		}
		details := map[string]any{"keyMaterialId": ids[0]}
		if len(ids) > 1 {
			details["keyMaterialIds"] = ids
		}
		rec.ServiceEventDetails = details
		return true, nil
	})
	return err
}
