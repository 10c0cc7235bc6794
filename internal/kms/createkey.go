package kms

import (
	"context"
	"errors"
	"regexp"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/policy"
	"github.com/trent-kms/trent/internal/store"
)

// CreateKeyInput is the CreateKey request.
type CreateKeyInput struct {
	Policy                         *string `json:"Policy,omitempty"`
	Description                    *string `json:"Description,omitempty"`
	KeyUsage                       *string `json:"KeyUsage,omitempty"`
	CustomerMasterKeySpec          *string `json:"CustomerMasterKeySpec,omitempty"`
	KeySpec                        *string `json:"KeySpec,omitempty"`
	Origin                         *string `json:"Origin,omitempty"`
	CustomKeyStoreId               *string `json:"CustomKeyStoreId,omitempty"`
	BypassPolicyLockoutSafetyCheck *bool   `json:"BypassPolicyLockoutSafetyCheck,omitempty"`
	Tags                           []Tag   `json:"Tags,omitempty"`
	MultiRegion                    *bool   `json:"MultiRegion,omitempty"`
	XksKeyId                       *string `json:"XksKeyId,omitempty"`
}

// CreateKeyOutput is the CreateKey response.
type CreateKeyOutput struct {
	KeyMetadata *KeyMetadata `json:"KeyMetadata"`
}

var xksKeyIDPattern = regexp.MustCompile(`^[a-zA-Z0-9-_.]+$`)

// CreateKey creates a customer managed key.
func (s *Service) CreateKey(ctx context.Context, in *CreateKeyInput) (*CreateKeyOutput, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	// In dev mode LocalStack's tags choose the key ID and material; the
	// material tag is taken out of the request (and its audit record)
	// before anything else reads it.
	in, custom, err := s.takeLocalStackTags(ctx, in)
	if err != nil {
		return nil, err
	}
	defer custom.material.Wipe()
	if err := validateCreateKey(in); err != nil {
		return nil, err
	}
	if err := s.authorizeAccount(info, keys.OpCreateKey, func(c *policy.Context) { setRequestTags(c, in.Tags, nil) }); err != nil {
		return nil, err
	}

	spec, usage, origin, err := keyShape(in, info.Region)
	if err != nil {
		return nil, err
	}
	given, err := custom.key(spec, origin)
	if err != nil {
		return nil, err
	}
	policyDoc := ""
	var parsedPolicy *policy.Document
	if in.Policy != nil {
		if parsedPolicy, err = checkPolicyDocument(*in.Policy); err != nil {
			return nil, err
		}
		policyDoc = *in.Policy
	}
	tags, err := mergeTags(nil, in.Tags)
	if err != nil {
		return nil, err
	}

	now := s.clock.Now()
	id := custom.id
	if id == "" {
		if id, err = keys.NewKeyID(s.rand); err != nil {
			return nil, kmserr.Internal(err)
		}
	}
	k := &keys.Key{
		ID: id, Account: info.Caller.Account, Region: info.Region, CreatedAt: now,
		Spec: spec, Usage: usage, Origin: origin, Manager: keys.ManagerCustomer, State: keys.StateEnabled,
	}
	if in.Description != nil {
		k.Description = *in.Description
	}
	if parsedPolicy != nil {
		if err := s.checkKeyPolicyRules(info, k.Account, k.ARN(), parsedPolicy, isTrue(in.BypassPolicyLockoutSafetyCheck)); err != nil {
			return nil, err
		}
	} else {
		policyDoc = defaultPolicy(k)
	}
	var materials []keys.Material
	if origin == keys.OriginExternal {
		// The material is imported later (GetParametersForImport,
		// ImportKeyMaterial); until then the key waits in PendingImport.
		k.State = keys.StatePendingImport
	} else {
		var m keys.Material
		if given != nil {
			m, err = s.sealMaterial(k, 1, "", given, now)
		} else {
			m, err = s.newMaterial(ctx, k, 1, "", now)
		}
		if err != nil {
			return nil, err
		}
		materials = append(materials, m)
		k.CurrentMaterial, k.CurrentMaterialID, k.MaterialCount = 1, m.ID, 1
	}
	// The material is committed (fsynced) before the key is returned, so
	// no ciphertext can ever be made under material that is not durable.
	out := &CreateKeyOutput{KeyMetadata: metadata(k)}
	// CloudTrail's CreateKey record names the new key in its resources.
	audit.DetailsFrom(ctx).AddKey(k.ARN(), k.Account)
	// The records are encoded before the transaction (updateKnown).
	writes, err := encodeNewKey(k, materials, policyDoc, tags)
	if err != nil {
		return nil, kmserr.Internal(err)
	}
	insert := writes.insert
	if custom.id != "" {
		// A chosen ID may be taken; a random one never is.
		insert = func(tx store.Tx) error {
			if err := checkKeyIDFree(tx, k); err != nil {
				return err
			}
			return writes.insert(tx)
		}
	}
	if err := s.updateKnown(ctx, out, insert); err != nil {
		return nil, err
	}
	if custom.id != "" {
		s.forgetReusedKeyID(k)
	}
	return out, nil
}

// forgetReusedKeyID drops what this node keeps in memory under a key's
// ARN after the key was created under an ID of its choosing, which may be
// a deleted key's: that key's compiled policy has the revision the new
// key's policy starts at, and its material versions the same numbers.
// (Other nodes of a cluster are not told; choosing IDs is a --dev and
// seeding feature.)
func (s *Service) forgetReusedKeyID(k *keys.Key) {
	s.policies.forgetKey(k.ARN())
	s.materials.evictKey(k.ARN())
}

// validateCreateKey checks a CreateKey request against the model.
func validateCreateKey(in *CreateKeyInput) error {
	var v validator
	validatePolicyMember(&v, in.Policy, false)
	v.length("description", in.Description, 0, maxDescriptionLength)
	v.enum("keyUsage", in.KeyUsage, keyUsageValues)
	v.enum("customerMasterKeySpec", in.CustomerMasterKeySpec, customerMasterKeySpecValues)
	v.enum("keySpec", in.KeySpec, keySpecValues)
	v.enum("origin", in.Origin, originValues)
	v.length("customKeyStoreId", in.CustomKeyStoreId, 1, 64)
	validateTagMembers(&v, in.Tags)
	v.length("xksKeyId", in.XksKeyId, 1, 128)
	v.pattern("xksKeyId", in.XksKeyId, xksKeyIDPattern)
	return v.err()
}

// checkKeyIDFree refuses a chosen key ID that a key has, or had: a deleted
// key whose records are still being removed keeps its ID until they are
// gone, or the removal would take the new key's records with it.
func checkKeyIDFree(tx store.Tx, k *keys.Key) error {
	for _, path := range []string{layout.Key(k.Account, k.Region, k.ID), layout.Trash(k.Account, k.Region, k.ID)} {
		_, err := tx.Get(path)
		if err == nil {
			return kmserr.AlreadyExists("A key with the ID %s already exists in this account and Region.", k.ID)
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	return nil
}

// newKeyWrites are the encoded records of a new key, ready to be put.
type newKeyWrites struct {
	key  *keys.Key
	puts []recordPut
}

// recordPut is one encoded record and where it goes.
type recordPut struct {
	path  string
	value []byte
}

// encodeNewKey encodes every record of a new key.
func encodeNewKey(k *keys.Key, materials []keys.Material, policyDoc string, tags []storedTag) (*newKeyWrites, error) {
	w := &newKeyWrites{key: k, puts: make([]recordPut, 0, 3+len(materials))}
	add := func(path string, v any) error {
		b, err := encodeRecord(v)
		w.puts = append(w.puts, recordPut{path: path, value: b})
		return err
	}
	if err := add(layout.Key(k.Account, k.Region, k.ID), k); err != nil {
		return nil, err
	}
	for _, m := range materials {
		if err := add(layout.Material(k.Account, k.Region, k.ID, m.Version), m); err != nil {
			return nil, err
		}
	}
	if err := add(layout.Policy(k.Account, k.Region, k.ID), policyRecord{Name: defaultPolicyName, Document: policyDoc}); err != nil {
		return nil, err
	}
	if len(tags) > 0 {
		if err := add(layout.Tags(k.Account, k.Region, k.ID), tagRecord{Tags: tags}); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// insert puts the records of the new key and its scheduler index entries.
// It may run more than once (a batch that runs again); the records are
// never changed, so each run puts the same bytes.
func (w *newKeyWrites) insert(tx store.Tx) error {
	for _, p := range w.puts {
		if err := tx.Put(p.path, p.value); err != nil {
			return err
		}
	}
	return syncDue(tx, nil, w.key)
}

// insertKey writes every record of a new key.
func insertKey(tx store.Tx, k *keys.Key, materials []keys.Material, policyDoc string, tags []storedTag) error {
	w, err := encodeNewKey(k, materials, policyDoc, tags)
	if err != nil {
		return err
	}
	return w.insert(tx)
}

// keyShape works out the spec, usage and origin of a new key from the
// request, with AWS's defaults and errors: a spec AWS does not offer in
// the request's Region (SM2 outside China, ML-KEM in China), and what Trent
// does not implement (custom key stores, multi-Region keys), are refused
// with AWS's errors.
func keyShape(in *CreateKeyInput, region string) (keys.KeySpec, keys.KeyUsage, keys.Origin, error) {
	spec := keys.SpecSymmetricDefault
	switch {
	case in.KeySpec != nil && in.CustomerMasterKeySpec != nil:
		return "", "", "", kmserr.Validation("You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.")
	case in.KeySpec != nil:
		spec = keys.KeySpec(*in.KeySpec)
	case in.CustomerMasterKeySpec != nil:
		spec = keys.KeySpec(*in.CustomerMasterKeySpec)
	}
	var usage keys.KeyUsage
	switch {
	case in.KeyUsage != nil:
		usage = keys.KeyUsage(*in.KeyUsage)
	case spec == keys.SpecSymmetricDefault:
		usage = keys.UsageEncryptDecrypt
	default:
		return "", "", "", kmserr.Validation("You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.")
	}
	if !keys.Compatible(spec, usage) {
		return "", "", "", kmserr.Validation("KeyUsage %s is not compatible with KeySpec %s", usage, spec)
	}
	origin := keys.OriginAWSKMS
	switch {
	case in.Origin != nil:
		origin = keys.Origin(*in.Origin)
	case in.CustomKeyStoreId != nil:
		// A custom key store ID without an origin means CloudHSM (API
		// Reference, CreateKey Origin).
		origin = keys.OriginAWSCloudHSM
	}
	if in.XksKeyId != nil && origin != keys.OriginExternalKeyStore {
		return "", "", "", kmserr.Validation("XksKeyId can be specified only when Origin is EXTERNAL_KEY_STORE.")
	}
	switch origin {
	case keys.OriginAWSCloudHSM, keys.OriginExternalKeyStore:
		if in.CustomKeyStoreId == nil {
			return "", "", "", kmserr.Validation("A CustomKeyStoreId is required when Origin is %s.", origin)
		}
		// Trent has no custom key stores yet, so no ID can name one.
		return "", "", "", kmserr.CustomKeyStoreNotFound(*in.CustomKeyStoreId)
	default:
		if in.CustomKeyStoreId != nil {
			return "", "", "", kmserr.Validation("CustomKeyStoreId can be specified only when Origin is AWS_CLOUDHSM or EXTERNAL_KEY_STORE.")
		}
	}
	if !keys.Spec(spec).AvailableIn(region) {
		return "", "", "", kmserr.UnsupportedOperation("KeySpec %s is not supported in this Region", spec)
	}
	if in.MultiRegion != nil && *in.MultiRegion {
		return "", "", "", kmserr.UnsupportedOperation("Multi-Region keys are not supported by this server.")
	}
	return spec, usage, origin, nil
}
