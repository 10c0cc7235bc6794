package kms

import "github.com/trent-kms/trent/internal/policy"

// Condition keys of CreateGrant ("AWS KMS condition keys").
const (
	condGrantOperations        = "kms:GrantOperations"
	condGranteePrincipal       = "kms:GranteePrincipal"
	condRetiringPrincipal      = "kms:RetiringPrincipal"
	condGrantIsForAWSResource  = "kms:GrantIsForAWSResource"
	condGrantConstraintType    = "kms:GrantConstraintType"
	constraintContextEquals    = "EncryptionContextEquals"
	constraintContextSubset    = "EncryptionContextSubset"
	grantIsNeverForAWSResource = "false"
)

// setConditions sets the condition keys a key policy may test on a
// CreateGrant request. kms:GrantIsForAWSResource is true only when an AWS
// service integrated with KMS creates the grant for the caller; every
// request to Trent comes from the caller itself, so it is always false.
func (in *CreateGrantInput) setConditions(c *policy.Context) {
	c.Set(condGrantOperations, in.Operations...)
	switch {
	case in.GranteePrincipal != nil:
		c.Set(condGranteePrincipal, *in.GranteePrincipal)
	case in.GranteeServicePrincipal != nil:
		c.Set(condGranteePrincipal, *in.GranteeServicePrincipal)
	}
	switch {
	case in.RetiringPrincipal != nil:
		c.Set(condRetiringPrincipal, *in.RetiringPrincipal)
	case in.RetiringServicePrincipal != nil:
		c.Set(condRetiringPrincipal, *in.RetiringServicePrincipal)
	}
	c.Set(condGrantIsForAWSResource, grantIsNeverForAWSResource)
	if k := in.Constraints; k != nil {
		var types []string
		if k.EncryptionContextEquals != nil {
			types = append(types, constraintContextEquals)
		}
		if k.EncryptionContextSubset != nil {
			types = append(types, constraintContextSubset)
		}
		c.Set(condGrantConstraintType, types...)
	}
}
