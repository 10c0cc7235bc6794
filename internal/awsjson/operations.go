package awsjson

import (
	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kms"
)

// Operations is the table of every KMS API operation Trent serves. The
// router, the audit event names and a test against the service model all
// come from it: adding an operation is one line here, one method on
// kms.Service and one name in keys' list of operations, with its key-state
// row or its place among the keyless operations (tests check all three).
//
// ReadOnly is CloudTrail's readOnly flag: reads and the cryptographic
// operations that change nothing are read-only.
func Operations(s *kms.Service) []Operation {
	return []Operation{
		// Keys.
		Op(keys.OpCreateKey, s.CreateKey),
		Op(keys.OpDescribeKey, s.DescribeKey, ReadOnly()),
		Op(keys.OpListKeys, s.ListKeys, ReadOnly()),
		Op(keys.OpEnableKey, s.EnableKey),
		Op(keys.OpDisableKey, s.DisableKey),
		Op(keys.OpScheduleKeyDeletion, s.ScheduleKeyDeletion),
		Op(keys.OpCancelKeyDeletion, s.CancelKeyDeletion),
		Op(keys.OpUpdateKeyDescription, s.UpdateKeyDescription),
		Op(keys.OpGetKeyLastUsage, s.GetKeyLastUsage, ReadOnly()),
		// Cryptography.
		Op(keys.OpEncrypt, s.Encrypt, ReadOnly()),
		Op(keys.OpDecrypt, s.Decrypt, ReadOnly()),
		Op(keys.OpReEncrypt, s.ReEncrypt),
		Op(keys.OpGenerateDataKey, s.GenerateDataKey, ReadOnly()),
		Op(keys.OpGenerateDataKeyWithoutPlaintext, s.GenerateDataKeyWithoutPlaintext, ReadOnly()),
		Op(keys.OpGenerateRandom, s.GenerateRandom, ReadOnly()),
		Op(keys.OpGenerateDataKeyPair, s.GenerateDataKeyPair, ReadOnly()),
		Op(keys.OpGenerateDataKeyPairWithoutPlaintext, s.GenerateDataKeyPairWithoutPlaintext, ReadOnly()),
		// Asymmetric and HMAC keys.
		Op(keys.OpGetPublicKey, s.GetPublicKey, ReadOnly()),
		Op(keys.OpSign, s.Sign, ReadOnly()),
		Op(keys.OpVerify, s.Verify, ReadOnly()),
		Op(keys.OpGenerateMac, s.GenerateMac, ReadOnly()),
		Op(keys.OpVerifyMac, s.VerifyMac, ReadOnly()),
		Op(keys.OpDeriveSharedSecret, s.DeriveSharedSecret, ReadOnly()),
		Op(keys.OpEncapsulate, s.Encapsulate, ReadOnly()),
		Op(keys.OpDecapsulate, s.Decapsulate, ReadOnly()),
		// Imported key material.
		Op(keys.OpGetParametersForImport, s.GetParametersForImport, ReadOnly()),
		Op(keys.OpImportKeyMaterial, s.ImportKeyMaterial),
		Op(keys.OpDeleteImportedKeyMaterial, s.DeleteImportedKeyMaterial),
		// Rotation.
		Op(keys.OpEnableKeyRotation, s.EnableKeyRotation),
		Op(keys.OpDisableKeyRotation, s.DisableKeyRotation),
		Op(keys.OpGetKeyRotationStatus, s.GetKeyRotationStatus, ReadOnly()),
		Op(keys.OpRotateKeyOnDemand, s.RotateKeyOnDemand),
		Op(keys.OpListKeyRotations, s.ListKeyRotations, ReadOnly()),
		// Aliases.
		Op(keys.OpCreateAlias, s.CreateAlias),
		Op(keys.OpUpdateAlias, s.UpdateAlias),
		Op(keys.OpDeleteAlias, s.DeleteAlias),
		Op(keys.OpListAliases, s.ListAliases, ReadOnly()),
		// Tags.
		Op(keys.OpTagResource, s.TagResource),
		Op(keys.OpUntagResource, s.UntagResource),
		Op(keys.OpListResourceTags, s.ListResourceTags, ReadOnly()),
		// Key policies.
		Op(keys.OpGetKeyPolicy, s.GetKeyPolicy, ReadOnly()),
		Op(keys.OpPutKeyPolicy, s.PutKeyPolicy),
		Op(keys.OpListKeyPolicies, s.ListKeyPolicies, ReadOnly()),
		// Grants.
		Op(keys.OpCreateGrant, s.CreateGrant),
		Op(keys.OpListGrants, s.ListGrants, ReadOnly()),
		Op(keys.OpListRetirableGrants, s.ListRetirableGrants, ReadOnly()),
		Op(keys.OpRetireGrant, s.RetireGrant),
		Op(keys.OpRevokeGrant, s.RevokeGrant),
	}
}
