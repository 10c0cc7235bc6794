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

// CheckIdentityPolicy checks doc as an IAM identity-based policy, with the
// same rules the service compiles it with (policy.ParseIdentityPolicy: the
// strict IAM grammar, statements with an Effect, actions and resources and
// no principal). The texts are IAM's MalformedPolicyDocument messages.
func CheckIdentityPolicy(doc string) error {
	if _, err := policy.ParseIdentityPolicy(doc); err != nil {
		return errors.New(policyMessage(err))
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
