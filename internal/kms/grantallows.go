package kms

import (
	"maps"
	"net/url"
	"strings"

	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/store"
)

// grantAllows reports whether a grant on k lets caller perform op (a keys.Op*
// name, or "ReEncryptFrom"/"ReEncryptTo") with encryption context ec. It
// considers the grants of k whose grantee is the caller (principalMatches:
// the caller's ARN, the role of a session, or the caller's account root),
// found with one prefix scan of the grantee index for the caller's account,
// and the grants named by grantTokens, which are honoured even before they
// would be visible (here they always are). Every token must be valid
// (InvalidGrantTokenException otherwise); a token of a grant that no longer
// exists confers nothing. It returns the ID of the grant that allowed, for
// the audit record (CloudTrail records it as additionalEventData.grantId,
// unverified), or "" when none does.
//
// It is the key gate's grant step, called only after the key policy did
// not allow the request; it reads the store.
func (s *Service) grantAllows(tx store.Tx, k *keys.Key, caller identity.Caller, op string, ec map[string]string, grantTokens []string, delegated bool) (grantID string, err error) {
	named, err := openGrantTokens(tx, grantTokens)
	if err != nil {
		return "", err
	}
	for _, g := range named {
		if g.KeyAccount == k.Account && g.Region == k.Region && g.KeyID == k.ID && grantPermits(g, caller, op, ec, delegated) {
			return g.ID, nil
		}
	}
	prefix := layout.KeyGrantees(k.Account, k.Region, k.ID, caller.Account)
	entries, err := tx.Scan(prefix, "", 0)
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		segment, id, ok := strings.Cut(strings.TrimPrefix(e.Key, prefix), "/")
		grantee, uerr := url.PathUnescape(segment)
		if !ok || uerr != nil || !principalMatches(grantee, caller) {
			continue
		}
		g, err := getGrant(tx, k, id)
		if err != nil {
			return "", err
		}
		if grantPermits(g, caller, op, ec, delegated) {
			return g.ID, nil
		}
	}
	return "", nil
}

// grantPermits applies one grant to a request: the caller is its grantee,
// it lists op, and its constraints hold.
func grantPermits(g *grantRecord, caller identity.Caller, op string, ec map[string]string, delegated bool) bool {
	return granteeIs(g.GranteePrincipal, caller, delegated) && g.allows(op) && constraintsHold(g.Constraints, op, ec)
}

// granteeIs reports whether a grant's grantee is the caller: the caller
// itself (its ARN, or the role of its session), or its account, which
// stands for the account's root user and, for any other principal of the
// account, only when the principal's identity-based policies allow the
// request (delegated). A grant to an account delegates to that account's
// administrators, who delegate on with IAM policies, as with a key policy
// that names an account.
func granteeIs(p string, c identity.Caller, delegated bool) bool {
	if p != "" && (p == c.ARN || p == c.PrincipalARN) {
		return true
	}
	return principalMatches(p, c) && (c.IsRoot() || delegated)
}

// constraintsHold applies a grant's constraints (docs "Using grant
// constraints"): EncryptionContextEquals needs the request's encryption
// context to be exactly the constraint's, EncryptionContextSubset needs it
// to include every pair of the constraint; both compare keys and values
// case-sensitively. They do not apply to DescribeKey, RetireGrant and
// CreateGrant, which take no encryption context (a grant created through a
// constrained grant must be as strict: the gate's CreateGrant check, not
// done here). SourceArn allows requests made on behalf of that resource by
// an AWS service; no request to Trent is, so it allows nothing.
func constraintsHold(c *GrantConstraints, op string, ec map[string]string) bool {
	if c == nil {
		return true
	}
	if c.SourceArn != nil {
		return false
	}
	switch op {
	case keys.OpDescribeKey, keys.OpRetireGrant, keys.OpCreateGrant:
		return true
	}
	if c.EncryptionContextEquals != nil && !maps.Equal(c.EncryptionContextEquals, ec) {
		return false
	}
	for k, v := range c.EncryptionContextSubset {
		if got, ok := ec[k]; !ok || got != v {
			return false
		}
	}
	return true
}
