package keys

import "slices"

// Operation is the name of an AWS KMS API operation, as it appears in
// X-Amz-Target (TrentService.<name>), in CloudTrail's eventName and in the
// kms:<name> permission. The wire's operation table, the key-state table
// and the handlers take their names from the constants below, so each name
// is spelt once.
type Operation string

// The operations Trent serves. The constants are untyped, like net/http's
// method names: one constant serves the wire table and the handlers'
// messages (strings) and CheckState (an Operation) without conversions,
// while a string variable still needs an explicit Operation(...) to reach
// the state table.
const (
	// Keys.
	OpCreateKey            = "CreateKey"
	OpDescribeKey          = "DescribeKey"
	OpListKeys             = "ListKeys"
	OpEnableKey            = "EnableKey"
	OpDisableKey           = "DisableKey"
	OpScheduleKeyDeletion  = "ScheduleKeyDeletion"
	OpCancelKeyDeletion    = "CancelKeyDeletion"
	OpUpdateKeyDescription = "UpdateKeyDescription"
	OpGetKeyLastUsage      = "GetKeyLastUsage"
	// Cryptography.
	OpEncrypt                         = "Encrypt"
	OpDecrypt                         = "Decrypt"
	OpReEncrypt                       = "ReEncrypt"
	OpGenerateDataKey                 = "GenerateDataKey"
	OpGenerateDataKeyWithoutPlaintext = "GenerateDataKeyWithoutPlaintext"
	OpGenerateRandom                  = "GenerateRandom"
	// Asymmetric keys, HMAC keys and key agreement.
	OpGenerateDataKeyPair                 = "GenerateDataKeyPair"
	OpGenerateDataKeyPairWithoutPlaintext = "GenerateDataKeyPairWithoutPlaintext"
	OpGetPublicKey                        = "GetPublicKey"
	OpSign                                = "Sign"
	OpVerify                              = "Verify"
	OpGenerateMac                         = "GenerateMac"
	OpVerifyMac                           = "VerifyMac"
	OpDeriveSharedSecret                  = "DeriveSharedSecret"
	OpEncapsulate                         = "Encapsulate"
	OpDecapsulate                         = "Decapsulate"
	// Imported key material.
	OpGetParametersForImport    = "GetParametersForImport"
	OpImportKeyMaterial         = "ImportKeyMaterial"
	OpDeleteImportedKeyMaterial = "DeleteImportedKeyMaterial"
	// Rotation.
	OpEnableKeyRotation    = "EnableKeyRotation"
	OpDisableKeyRotation   = "DisableKeyRotation"
	OpGetKeyRotationStatus = "GetKeyRotationStatus"
	OpRotateKeyOnDemand    = "RotateKeyOnDemand"
	OpListKeyRotations     = "ListKeyRotations"
	// Aliases.
	OpCreateAlias = "CreateAlias"
	OpUpdateAlias = "UpdateAlias"
	OpDeleteAlias = "DeleteAlias"
	OpListAliases = "ListAliases"
	// Tags.
	OpTagResource      = "TagResource"
	OpUntagResource    = "UntagResource"
	OpListResourceTags = "ListResourceTags"
	// Key policies.
	OpGetKeyPolicy    = "GetKeyPolicy"
	OpPutKeyPolicy    = "PutKeyPolicy"
	OpListKeyPolicies = "ListKeyPolicies"
	// Grants.
	OpCreateGrant         = "CreateGrant"
	OpListGrants          = "ListGrants"
	OpListRetirableGrants = "ListRetirableGrants"
	OpRetireGrant         = "RetireGrant"
	OpRevokeGrant         = "RevokeGrant"
)

// operations is every constant above. A test in awsjson checks that the
// wire's operation table serves exactly these; a test here checks that each
// has a state row or is declared keyless.
var operations = []Operation{
	OpCreateKey, OpDescribeKey, OpListKeys, OpEnableKey, OpDisableKey,
	OpScheduleKeyDeletion, OpCancelKeyDeletion, OpUpdateKeyDescription, OpGetKeyLastUsage,
	OpEncrypt, OpDecrypt, OpReEncrypt, OpGenerateDataKey, OpGenerateDataKeyWithoutPlaintext,
	OpGenerateRandom,
	OpGenerateDataKeyPair, OpGenerateDataKeyPairWithoutPlaintext, OpGetPublicKey, OpSign, OpVerify,
	OpGenerateMac, OpVerifyMac, OpDeriveSharedSecret, OpEncapsulate, OpDecapsulate,
	OpGetParametersForImport, OpImportKeyMaterial, OpDeleteImportedKeyMaterial,
	OpEnableKeyRotation, OpDisableKeyRotation, OpGetKeyRotationStatus, OpRotateKeyOnDemand,
	OpListKeyRotations,
	OpCreateAlias, OpUpdateAlias, OpDeleteAlias, OpListAliases,
	OpTagResource, OpUntagResource, OpListResourceTags,
	OpGetKeyPolicy, OpPutKeyPolicy, OpListKeyPolicies,
	OpCreateGrant, OpListGrants, OpListRetirableGrants, OpRetireGrant, OpRevokeGrant,
}

// Operations returns every operation Trent serves.
func Operations() []Operation { return slices.Clone(operations) }

// keyless are the operations that act on no existing key, so no key state
// applies and they have no row in the state table: CreateKey makes the key,
// ListKeys lists the account's keys in every state, GenerateRandom uses no
// key, ListRetirableGrants lists a principal's grants across keys in every
// state (each grant's key is read, not checked). Listing them makes "no row" a decision rather than an omission; any
// other operation without a row is refused in every state.
var keyless = []Operation{OpCreateKey, OpListKeys, OpGenerateRandom, OpListRetirableGrants}

// Keyless reports whether op acts on no key and so has no state row.
func (op Operation) Keyless() bool { return slices.Contains(keyless, op) }
