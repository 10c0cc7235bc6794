package kms

import (
	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/policy"
	"github.com/trent-kms/trent/internal/request"
)

// Directory says which principals exist, for KMS's rule that a key policy
// may name only principals that exist ("PutKeyPolicy": "The principals
// ... must exist and be visible to AWS KMS"). The identities file is one;
// nil means every well-formed principal exists.
type Directory = identity.Directory

// checkKeyPolicyRules applies the rules a new key policy must meet beyond
// its grammar, for CreateKey and PutKeyPolicy on the key keyARN of account:
// its principals exist, and, unless bypass, the policy lockout safety check
// ("Default key policy", "Policy lockout safety check"): the new policy
// must let the caller make a later PutKeyPolicy request, or nobody may be
// left able to change it.
func (s *Service) checkKeyPolicyRules(info *request.Info, account, keyARN string, doc *policy.Document, bypass bool) error {
	if s.directory != nil {
		for _, st := range doc.Statements {
			for _, p := range []*policy.Principal{st.Principal, st.NotPrincipal} {
				if p == nil {
					continue
				}
				for _, name := range p.AWS {
					if !s.principalExists(name) {
						return kmserr.MalformedPolicyDocument("Policy contains a statement with one or more invalid principals.")
					}
				}
			}
		}
	}
	if bypass {
		return nil
	}
	ids, err := s.policies.identityPolicies(info.Caller.Policies)
	if err != nil {
		return err
	}
	kp := policy.Compile(doc)
	c := newConditions(kp, ids)
	sub := subject(info)
	s.requestContext(c, sub, info)
	req := &policy.Request{Subject: sub, Action: "kms:PutKeyPolicy", Resource: keyARN, Context: c.ctx}
	v := policy.Authorize(&policy.Authorization{Request: req, KeyAccount: account, KeyPolicy: kp, IdentityPolicies: ids})
	if !v.Allowed {
		return kmserr.MalformedPolicyDocument("The new key policy will not allow you to update the key policy in the future.")
	}
	return nil
}

// principalExists reports whether a key policy's AWS principal exists: "*",
// an account ID, or the ARN of an account root, user or role.
func (s *Service) principalExists(name string) bool {
	switch {
	case name == "*":
		return true
	case identity.IsAccountID(name):
		return s.directory.AccountExists(name)
	}
	return s.directory.PrincipalExists(name)
}
