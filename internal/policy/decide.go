package policy

// Authorization is everything one KMS request is authorised on.
type Authorization struct {
	Request *Request
	// KeyAccount is the account that owns the key.
	KeyAccount string
	// KeyPolicy is the key's compiled key policy.
	KeyPolicy *Policy
	// IdentityPolicies are the subject's identity-based policies; none
	// for the root user or a service.
	IdentityPolicies []*Policy
	// GrantAllows says a grant (evaluated by the caller) allows the
	// request.
	GrantAllows bool
}

// Denial says why a request is denied, in the terms of AWS's
// AccessDeniedException messages.
type Denial uint8

// Denials. The zero value, NoDenial, goes with an allowed request.
const (
	NoDenial Denial = iota
	// NoResourcePolicyAllows: the key policy does not allow the request.
	NoResourcePolicyAllows
	// ExplicitDenyResource: a Deny in the key policy applies.
	ExplicitDenyResource
	// NoIdentityPolicyAllows: the key policy allows the subject only
	// through its account (or the subject is in another account) and no
	// identity-based policy allows the request.
	NoIdentityPolicyAllows
	// ExplicitDenyIdentity: a Deny in an identity-based policy applies.
	ExplicitDenyIdentity
)

func (d Denial) String() string {
	switch d {
	case NoDenial:
		return "NoDenial"
	case NoResourcePolicyAllows:
		return "NoResourcePolicyAllows"
	case ExplicitDenyResource:
		return "ExplicitDenyResource"
	case NoIdentityPolicyAllows:
		return "NoIdentityPolicyAllows"
	case ExplicitDenyIdentity:
		return "ExplicitDenyIdentity"
	}
	return "Denial(?)"
}

// Verdict is the outcome of Authorize.
type Verdict struct {
	Allowed bool
	// Denial is NoDenial when Allowed.
	Denial Denial
	// Statement names the deciding statement of the key policy or an
	// identity policy (the Deny that denied, or the Allow that allowed);
	// empty when a grant allowed or nothing applied.
	Statement string
	// ByGrant is set when only a grant allowed the request.
	ByGrant bool
}

// Authorize decides one KMS request with AWS's rules for KMS keys:
//
//  1. An explicit Deny in the key policy or in any identity-based policy
//     denies, whatever else allows, grants included ("Policy evaluation
//     logic": an explicit deny in any policy overrides any allow; KMS
//     "Determining access": a Deny statement in the key policy or an IAM
//     policy takes precedence).
//  2. The key policy is the primary control: "No AWS principal, including
//     the account root user or key creator, has any permissions to a KMS
//     key unless they are explicitly allowed, and never denied, in a key
//     policy, IAM policy, or grant", and IAM policies count only when the
//     key policy allows the account ("To use an IAM policy to allow access
//     to a KMS key, the key policy must explicitly allow it", KMS "KMS key
//     access and permissions").
//  3. Same account: a key policy that names the subject itself (its ARN,
//     its role, or "*") is enough on its own; one that names only its
//     account needs an identity-based policy that allows too, except for
//     the root user, whom the account principal is.
//  4. Another account: the key policy must allow the subject (directly or
//     through its account) and, unless it is that account's root user, an
//     identity-based policy of the subject must allow as well ("Allowing
//     users in other accounts to use a KMS key": the key policy must give
//     the external account permission and IAM policies in the external
//     account must delegate it; cross-account policy evaluation logic).
//  5. A grant allows the operations it grants, also across accounts,
//     without a key policy or IAM policy statement ("Grants in AWS KMS";
//     the caller evaluates the grant).
//
// When the request is not allowed and nothing denied it explicitly, the
// denial names the key policy if it did not allow the request, and the
// identity-based policies otherwise. AWS's texts for the two cases are
// observed in the field ("because no resource-based policy allows the
// kms:X action" when the key policy does not allow the caller, "because no
// identity-based policy allows the kms:X action" under the default key
// policy with no IAM permission); which one AWS reports when both are
// missing is not documented, and the key policy, the gate that is checked
// first for KMS, is reported. Likewise when both kinds of policy deny, the
// key policy's Deny is reported.
func Authorize(a *Authorization) Verdict {
	if a == nil || a.Request == nil {
		return Verdict{Denial: NoResourcePolicyAllows}
	}
	r := a.Request
	key := a.KeyPolicy.Evaluate(r)
	if key.Decision == Denied {
		return Verdict{Denial: ExplicitDenyResource, Statement: key.Statement}
	}
	var identityAllow Result
	for _, p := range a.IdentityPolicies {
		res := p.Evaluate(r)
		if res.Decision == Denied {
			return Verdict{Denial: ExplicitDenyIdentity, Statement: res.Statement}
		}
		if res.Decision == Allowed && identityAllow.Decision != Allowed {
			identityAllow = res
		}
	}
	s := &r.Subject
	if key.Decision == Allowed {
		// The root user is the account, and a service has no IAM
		// identity: neither needs an identity-based policy.
		needIdentity := !s.Root && s.Service == "" && (key.ViaAccount || s.Account != a.KeyAccount)
		if !needIdentity {
			return Verdict{Allowed: true, Statement: key.Statement}
		}
		if identityAllow.Decision == Allowed {
			return Verdict{Allowed: true, Statement: identityAllow.Statement}
		}
	}
	if a.GrantAllows {
		return Verdict{Allowed: true, ByGrant: true}
	}
	if key.Decision != Allowed {
		return Verdict{Denial: NoResourcePolicyAllows}
	}
	return Verdict{Denial: NoIdentityPolicyAllows}
}

// Message is the AccessDeniedException text AWS sends for v, for example
// "User: arn:aws:iam::111122223333:user/alice is not authorized to perform:
// kms:Decrypt on resource: arn:aws:kms:us-east-2:111122223333:key/1234...
// because no identity-based policy allows the kms:Decrypt action". The four
// shapes are IAM's authorization-error texts as AWS services (KMS
// included) send them; AWS quotes the resource for some services (S3) but
// not for KMS. An allowed verdict has no message.
func (v Verdict) Message(callerARN, action, resource string) string {
	head := "User: " + callerARN + " is not authorized to perform: " + action + " on resource: " + resource
	switch v.Denial {
	case NoResourcePolicyAllows:
		return head + " because no resource-based policy allows the " + action + " action"
	case ExplicitDenyResource:
		return head + " with an explicit deny in a resource-based policy"
	case NoIdentityPolicyAllows:
		return head + " because no identity-based policy allows the " + action + " action"
	case ExplicitDenyIdentity:
		return head + " with an explicit deny in an identity-based policy"
	}
	return ""
}
