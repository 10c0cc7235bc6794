package kms

import (
	"maps"

	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/request"
	"github.com/trent-kms/trent/internal/store"
)

// checkSubGrant applies the rule for a grant created through another grant
// (a grantee whose grant lists CreateGrant): the new grant may not allow
// more than the one it was created through ("Grants in AWS KMS",
// CreateGrant in grants: the operations must be a subset of the parent's,
// and its constraints at least as strict). AWS's message is not recorded;
// the text says which grant limits the request.
func (s *Service) checkSubGrant(tx store.Tx, info *request.Info, k *keys.Key, parentID string, in *CreateGrantInput) error {
	parent, err := getGrant(tx, k, parentID)
	if err != nil {
		return err
	}
	if in.narrowerThan(parent) {
		return nil
	}
	return kmserr.AccessDenied("User: %s is not authorized to perform: kms:CreateGrant on resource: %s because grant %s, "+
		"through which the grant is created, does not allow its operations or its constraints", info.Caller.ARN, k.ARN(), parentID)
}

// narrowerThan reports whether the grant in asks allows no more than
// parent: every operation of in is one of parent's, and in's constraints
// are at least as strict. An EncryptionContextEquals of the parent must be
// repeated exactly; every pair of its EncryptionContextSubset must be
// required by in (through either constraint); a SourceArn must be repeated.
func (in *CreateGrantInput) narrowerThan(parent *grantRecord) bool {
	for _, op := range in.Operations {
		if !parent.allows(op) {
			return false
		}
	}
	pc := parent.Constraints
	if pc == nil {
		return true
	}
	nc := in.Constraints
	if nc == nil {
		return pc.empty()
	}
	if pc.SourceArn != nil && (nc.SourceArn == nil || *nc.SourceArn != *pc.SourceArn) {
		return false
	}
	if pc.EncryptionContextEquals != nil && !maps.Equal(nc.EncryptionContextEquals, pc.EncryptionContextEquals) {
		return false
	}
	required := nc.EncryptionContextSubset
	if nc.EncryptionContextEquals != nil {
		required = nc.EncryptionContextEquals
	}
	for k, v := range pc.EncryptionContextSubset {
		if got, ok := required[k]; !ok || got != v {
			return false
		}
	}
	return true
}
