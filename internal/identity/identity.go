// Package identity turns request credentials into the principal that made
// the request.
//
// A Resolver maps an access key ID to a Credential: the secret the wire
// verifies the request's SigV4 signature with, the session token temporary
// credentials must present, and the Caller the request then acts as. In
// --dev mode the Dev resolver accepts any access key (the signature is not
// verified); otherwise the identities file (accounts, users, roles, access
// keys and identity-based policies) is the resolver.
package identity

import (
	"regexp"
	"time"
)

// Principal types, as CloudTrail's userIdentity.type spells them.
const (
	TypeRoot        = "Root"
	TypeIAMUser     = "IAMUser"
	TypeAssumedRole = "AssumedRole"
)

// Caller is the authenticated principal of a request.
type Caller struct {
	// Account is the 12-digit AWS account ID the caller acts in.
	Account string
	// AccessKeyID is the access key the request was signed with.
	AccessKeyID string
	// ARN is the principal's ARN: arn:aws:iam::111122223333:root,
	// arn:aws:iam::111122223333:user/alice, or for a role session
	// arn:aws:sts::111122223333:assumed-role/Admin/session.
	ARN string
	// PrincipalARN is aws:PrincipalArn: the role's ARN for a role session
	// (arn:aws:iam::111122223333:role/Admin), ARN otherwise. A key policy
	// that names a role matches its sessions through it.
	PrincipalARN string
	// PrincipalID is CloudTrail's principalId.
	PrincipalID string
	// Type is CloudTrail's userIdentity.type (TypeRoot, TypeIAMUser,
	// TypeAssumedRole).
	Type string
	// Policies are the caller's identity-based policies (IAM policy
	// documents, JSON), as the identities file holds them. The account
	// root has none: it is governed by key policies alone.
	Policies []string
}

// IsRoot reports whether the caller is its account's root user.
func (c Caller) IsRoot() bool { return c.Type == TypeRoot }

// Credential is what an access key stands for.
type Credential struct {
	Caller Caller
	// Secret is the secret access key the request's signature must be
	// made with. It is empty from the Dev resolver, whose callers are not
	// verified.
	Secret string
	// SessionToken is set for temporary credentials: the request must
	// carry it in X-Amz-Security-Token.
	SessionToken string
	// Expires is when temporary credentials stop working; zero for
	// long-term access keys.
	Expires time.Time
}

// Resolver maps the access key ID of a request to its credential. Lookup
// runs on every request, so it must answer from memory.
type Resolver interface {
	Lookup(accessKeyID string) (Credential, bool)
}

var accountPattern = regexp.MustCompile(`^[0-9]{12}$`)

// IsAccountID reports whether s is a 12-digit account ID.
func IsAccountID(s string) bool { return accountPattern.MatchString(s) }

// RootCaller is the root user of account, signing with accessKeyID.
func RootCaller(account, accessKeyID string) Caller {
	arn := "arn:aws:iam::" + account + ":root"
	return Caller{
		Account:      account,
		AccessKeyID:  accessKeyID,
		ARN:          arn,
		PrincipalARN: arn,
		PrincipalID:  account,
		Type:         TypeRoot,
	}
}

// Dev is the dev-mode resolver: any access key is accepted; a 12-digit
// access key ID is taken as the account ID (as LocalStack does), any other
// maps to DefaultAccount. The caller is that account's root user.
type Dev struct {
	DefaultAccount string
}

// Lookup implements Resolver.
func (d Dev) Lookup(accessKeyID string) (Credential, bool) {
	account := d.DefaultAccount
	if IsAccountID(accessKeyID) {
		account = accessKeyID
	}
	return Credential{Caller: RootCaller(account, accessKeyID)}, true
}

// Directory answers whether accounts and principals exist, for KMS's check
// that the principals a key policy names exist (CreateKey, PutKeyPolicy).
type Directory interface {
	AccountExists(id string) bool
	// PrincipalExists reports whether arn names an account root, an IAM
	// user or an IAM role that exists.
	PrincipalExists(arn string) bool
}

// AccountExists implements Directory: in dev mode every account exists.
func (Dev) AccountExists(id string) bool { return IsAccountID(id) }

// PrincipalExists implements Directory: in dev mode every principal exists,
// as any access key is some account's root.
func (Dev) PrincipalExists(string) bool { return true }
