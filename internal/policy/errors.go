package policy

import (
	"fmt"

	"github.com/trent-kms/trent/internal/kmserr"
)

// Messages of MalformedPolicyDocumentException. KMS documents the exception
// only as "the specified policy is not syntactically or semantically
// correct" and does not publish its texts, so each one is either a text
// AWS is seen to send, or a short one in the same style:
//
//   - msgNoPrincipal and msgInvalidPrincipals are KMS's own texts, as they
//     appear in CreateKey/PutKeyPolicy failures (the second also in the AWS
//     Knowledge Center article "kms-policy-error-invalid-principals").
//   - msgSyntax, msgNoActions, msgNoResources, msgDuplicateSid,
//     msgNoVendor, msgOneColon and msgBadResource are IAM's texts for the
//     same faults in IAM policies (CreatePolicy); KMS's own are unverified.
//   - The rest are ours.
const (
	msgSyntax            = "Syntax errors in policy."
	msgVersion           = "Policy document must be version 2012-10-17 or 2008-10-17."
	msgNoStatements      = "Policy must contain at least one statement."
	msgEffect            = "Policy contains a statement with an invalid Effect. Valid values are Allow and Deny."
	msgNoPrincipal       = "Policy contains a statement with no principal."
	msgBothPrincipals    = "Policy contains a statement with both Principal and NotPrincipal."
	msgInvalidPrincipals = "Policy contains a statement with one or more invalid principals."
	msgNoActions         = "Policy statement must contain actions."
	msgBothActions       = "Policy contains a statement with both Action and NotAction."
	msgNoVendor          = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
	msgOneColon          = "Actions/Condition can contain only one colon."
	msgBadAction         = "Policy contains a statement with an invalid action: %q."
	msgNoResources       = "Policy statement must contain resources."
	msgBothResources     = "Policy contains a statement with both Resource and NotResource."
	msgBadResource       = `Resource %s must be in ARN format or "*".`
	msgDuplicateSid      = "Statement IDs (SID) in a single policy must be unique."
	msgUnknownOperator   = "Policy contains a statement with an unsupported condition operator: %q."
)

func malformed(format string, args ...any) *kmserr.Error {
	return kmserr.MalformedPolicyDocument(format, args...)
}

// syntax reports a fault in the JSON or in the shape of an element, after
// IAM's fixed text, with a detail that says where to look.
func syntax(format string, args ...any) *kmserr.Error {
	return malformed("%s %s", msgSyntax, fmt.Sprintf(format, args...))
}
