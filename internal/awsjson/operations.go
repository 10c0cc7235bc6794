package awsjson

import "github.com/trent-kms/trent/internal/kms"

// Operations is the table of every KMS API operation Trent serves. The
// router, the audit event names and a test against the service model all
// come from it: adding an operation is one line here and one method on
// kms.Service.
//
// ReadOnly is CloudTrail's readOnly flag: reads and the cryptographic
// operations that change nothing are read-only.
func Operations(s *kms.Service) []Operation {
	return []Operation{
		// Keys.
		Op("CreateKey", s.CreateKey),
		Op("DescribeKey", s.DescribeKey, ReadOnly()),
		Op("ListKeys", s.ListKeys, ReadOnly()),
		Op("EnableKey", s.EnableKey),
		Op("DisableKey", s.DisableKey),
		Op("ScheduleKeyDeletion", s.ScheduleKeyDeletion),
		Op("CancelKeyDeletion", s.CancelKeyDeletion),
		Op("UpdateKeyDescription", s.UpdateKeyDescription),
		Op("GetKeyLastUsage", s.GetKeyLastUsage, ReadOnly()),
		// Cryptography.
		Op("Encrypt", s.Encrypt, ReadOnly()),
		Op("Decrypt", s.Decrypt, ReadOnly()),
		Op("ReEncrypt", s.ReEncrypt),
		Op("GenerateDataKey", s.GenerateDataKey, ReadOnly()),
		Op("GenerateDataKeyWithoutPlaintext", s.GenerateDataKeyWithoutPlaintext, ReadOnly()),
		Op("GenerateRandom", s.GenerateRandom, ReadOnly()),
		// Rotation.
		Op("EnableKeyRotation", s.EnableKeyRotation),
		Op("DisableKeyRotation", s.DisableKeyRotation),
		Op("GetKeyRotationStatus", s.GetKeyRotationStatus, ReadOnly()),
		Op("RotateKeyOnDemand", s.RotateKeyOnDemand),
		Op("ListKeyRotations", s.ListKeyRotations, ReadOnly()),
		// Aliases.
		Op("CreateAlias", s.CreateAlias),
		Op("UpdateAlias", s.UpdateAlias),
		Op("DeleteAlias", s.DeleteAlias),
		Op("ListAliases", s.ListAliases, ReadOnly()),
		// Tags.
		Op("TagResource", s.TagResource),
		Op("UntagResource", s.UntagResource),
		Op("ListResourceTags", s.ListResourceTags, ReadOnly()),
		// Key policies.
		Op("GetKeyPolicy", s.GetKeyPolicy, ReadOnly()),
		Op("PutKeyPolicy", s.PutKeyPolicy),
		Op("ListKeyPolicies", s.ListKeyPolicies, ReadOnly()),
	}
}
