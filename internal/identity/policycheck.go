package identity

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/policy"
)

// IAM's quotas on inline policies: the non-whitespace characters of all of
// a user's inline policies together may not exceed 2,048, a role's 10,240
// (reference_iam-quotas.html, "IAM and AWS STS character limits").
const (
	maxUserInlinePolicyChars = 2048
	maxRoleInlinePolicyChars = 10240
)

// CheckIdentityPolicy checks doc as an IAM identity-based policy: the IAM
// grammar (policy.Parse, the same strict parser key policies use), at least
// one statement, each with an Effect, actions and resources and without a
// principal. The texts are IAM's MalformedPolicyDocument messages.
//
// TODO(policy): use policy.ParseIdentityPolicy once it lands; it will also
// check the forms of actions, resources and condition operators.
func CheckIdentityPolicy(doc string) error {
	d, err := policy.Parse(doc)
	if err != nil {
		return errors.New(policyMessage(err))
	}
	if d.Version != "" && d.Version != "2012-10-17" && d.Version != "2008-10-17" {
		return errors.New("Policy document must be version 2012-10-17 or 2008-10-17.")
	}
	if len(d.Statements) == 0 {
		return errors.New("Policy must contain at least one statement.")
	}
	for _, st := range d.Statements {
		switch {
		case st.Principal != nil || st.NotPrincipal != nil:
			return errors.New("Policy document should not specify a principal.")
		case st.Effect != policy.Allow && st.Effect != policy.Deny:
			return errors.New("Policy contains a statement with an invalid Effect. Valid values are Allow and Deny.")
		case len(st.Action) == 0 && len(st.NotAction) == 0:
			return errors.New("Policy statement must contain actions.")
		case st.Action != nil && st.NotAction != nil:
			return errors.New("Policy contains a statement with both Action and NotAction.")
		case len(st.Resource) == 0 && len(st.NotResource) == 0:
			return errors.New("Policy statement must contain resources.")
		case st.Resource != nil && st.NotResource != nil:
			return errors.New("Policy contains a statement with both Resource and NotResource.")
		}
	}
	return nil
}

// policyMessage is the text of a policy package error, without the
// exception name: the identities file is not an API response.
func policyMessage(err error) string {
	var ke *kmserr.Error
	if errors.As(err, &ke) {
		return ke.Message
	}
	return err.Error()
}

// checkInlinePolicyQuota checks the aggregate size of a principal's inline
// policies against IAM's quota for its kind ("user" or "role").
func checkInlinePolicyQuota(kind string, list []*InlinePolicy) error {
	limit := maxUserInlinePolicyChars
	if kind == "role" {
		limit = maxRoleInlinePolicyChars
	}
	total := 0
	for _, p := range list {
		total += len(strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return -1
			}
			return r
		}, p.Document))
	}
	if total > limit {
		return fmt.Errorf("the inline policies of this %s have %d non-whitespace characters together; IAM's quota is %d", kind, total, limit)
	}
	return nil
}
