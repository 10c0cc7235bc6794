package layout

import "net/url"

// Grants: one record per grant under its key's account and Region, and the
// indexes the grant operations read, all written and deleted with the
// record in one transaction (package kms).
//
// Principals and grant names may contain "/", so where one is a segment of
// a key it is escaped (PrincipalSegment): "user/a" and "user/a/b" must not
// share a prefix.

// Grants is the prefix of a key's grant records; each name under it is a
// grant ID, so a scan lists a key's grants in grant ID order.
func Grants(account, region, keyID string) string {
	return Account(account, region) + "grant/" + keyID + "/"
}

// Grant is the key of one grant record.
func Grant(account, region, keyID, grantID string) string {
	return Grants(account, region, keyID) + grantID
}

// GrantCount is the key of the number of grants a key has, which the
// grants-per-key quota is checked against without scanning them all.
func GrantCount(account, region, keyID string) string {
	return Account(account, region) + "grantcount/" + keyID
}

// KeyGrantees is the prefix of the index of a key's grants by the account
// of their grantee: a grant authorisation check reads the grants whose
// grantee is in the caller's account with one scan. granteeAccount is a
// 12-digit account, or ServiceGrantee for grants to a service principal.
func KeyGrantees(account, region, keyID, granteeAccount string) string {
	return Account(account, region) + "grantee/" + keyID + "/" + granteeAccount + "/"
}

// KeyGrantee is the prefix of the index entries of a key's grants to one
// grantee; each name under it is a grant ID.
func KeyGrantee(account, region, keyID, granteeAccount, grantee string) string {
	return KeyGrantees(account, region, keyID, granteeAccount) + PrincipalSegment(grantee) + "/"
}

// ServiceGrantee stands for the account of a service principal in the
// grantee and retiring-principal indexes (accounts are 12 digits, so it
// cannot collide with one).
const ServiceGrantee = "service"

// Retirable is the prefix of the index of the grants a retiring principal
// may retire, kept in the account the principal belongs to (the key's
// account for a service principal), because ListRetirableGrants lists them
// in the caller's account, on keys of any account. Each name under it is
// <key account>/<key ID>/<grant ID>.
func Retirable(principalAccount, region, principal string) string {
	return Account(principalAccount, region) + "retirable/" + PrincipalSegment(principal) + "/"
}

// RetirableName is an entry's name under Retirable.
func RetirableName(keyAccount, keyID, grantID string) string {
	return keyAccount + "/" + keyID + "/" + grantID
}

// GrantNames is the prefix of the index of a key's grants with one Name
// (CreateGrant's idempotency); each name under it is a grant ID.
func GrantNames(account, region, keyID, name string) string {
	return Account(account, region) + "grantname/" + keyID + "/" + PrincipalSegment(name) + "/"
}

// PrincipalSegment escapes s into one key segment without "/" ("%2F"),
// injectively ("%" becomes "%25").
func PrincipalSegment(s string) string { return url.PathEscape(s) }
