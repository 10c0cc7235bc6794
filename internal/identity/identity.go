// Package identity turns request credentials into the principal that made
// the request.
//
// Today Trent runs in dev mode only: the access key ID in the SigV4
// credential scope names the account (12 digits) or falls back to a
// configured dev account, and the signature itself is not verified. Strict
// SigV4 verification against a credential file comes in a later issue and
// plugs in here as another Resolver.
package identity

import (
	"context"
	"regexp"
)

// Caller is the authenticated principal of a request.
type Caller struct {
	// Account is the 12-digit AWS account ID the caller acts in.
	Account string
	// AccessKeyID is the access key the request was signed with.
	AccessKeyID string
	// ARN is the principal's ARN, e.g. arn:aws:iam::111122223333:root.
	ARN string
	// PrincipalID is CloudTrail's principalId.
	PrincipalID string
	// Type is CloudTrail's userIdentity.type ("Root", "IAMUser", ...).
	Type string
}

// Resolver maps the access key of a request to a Caller.
type Resolver interface {
	Resolve(ctx context.Context, accessKeyID string) (Caller, error)
}

var accountPattern = regexp.MustCompile(`^[0-9]{12}$`)

// IsAccountID reports whether s is a 12-digit account ID.
func IsAccountID(s string) bool { return accountPattern.MatchString(s) }

// Dev is the dev-mode resolver: any access key is accepted; a 12-digit
// access key ID is taken as the account ID (as LocalStack does), any other
// maps to DefaultAccount.
type Dev struct {
	DefaultAccount string
}

// Resolve implements Resolver.
func (d Dev) Resolve(_ context.Context, accessKeyID string) (Caller, error) {
	account := d.DefaultAccount
	if IsAccountID(accessKeyID) {
		account = accessKeyID
	}
	return Caller{
		Account:     account,
		AccessKeyID: accessKeyID,
		ARN:         "arn:aws:iam::" + account + ":root",
		PrincipalID: account,
		Type:        "Root",
	}, nil
}
