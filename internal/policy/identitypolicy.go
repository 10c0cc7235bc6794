package policy

import "github.com/trent-kms/trent/internal/kmserr"

// msgIdentityPrincipal is IAM's text when an identity-based policy names a
// principal (CreatePolicy, PutUserPolicy: "Policy document should not
// specify a principal.").
const msgIdentityPrincipal = "Policy document should not specify a principal."

// ParseIdentityPolicy parses and checks an IAM identity-based policy, the
// kind attached to users and roles in the identities file. It is parsed as
// strictly as a key policy and held to the same statement rules, except
// that a statement must NOT have Principal or NotPrincipal: an
// identity-based policy applies to the identity it is attached to ("You
// cannot use the Principal element in an identity-based policy", IAM JSON
// policy elements: Principal; the same for NotPrincipal). Errors are
// MalformedPolicyDocumentException *kmserr.Error values.
//
// IAM's further rules for identity policies (alphanumeric Sids, the 6,144
// character managed-policy limit) are not applied: the identities file is
// the operator's own configuration, not client input.
func ParseIdentityPolicy(text string) (*Document, error) {
	d, err := Parse(text)
	if err != nil {
		return nil, err
	}
	if err := d.validateStatements((*Statement).validateIdentity); err != nil {
		return nil, err
	}
	return d, nil
}

// CompileIdentityPolicy parses text with ParseIdentityPolicy and compiles
// it.
func CompileIdentityPolicy(text string) (*Policy, error) {
	d, err := ParseIdentityPolicy(text)
	if err != nil {
		return nil, err
	}
	return CompileIdentity(d), nil
}

func (st *Statement) validateIdentity() *kmserr.Error {
	if st.Effect != Allow && st.Effect != Deny {
		return malformed(msgEffect)
	}
	if st.Principal != nil || st.NotPrincipal != nil {
		return malformed(msgIdentityPrincipal)
	}
	if err := st.validateActions(); err != nil {
		return err
	}
	if err := st.validateResources(); err != nil {
		return err
	}
	return st.validateConditions()
}
