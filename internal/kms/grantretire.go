package kms

import (
	"context"

	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/policy"
	"github.com/trent-kms/trent/internal/request"
	"github.com/trent-kms/trent/internal/store"
)

// RetireGrantInput is the RetireGrant request.
type RetireGrantInput struct {
	GrantToken *string `json:"GrantToken,omitempty"`
	KeyId      *string `json:"KeyId,omitempty"`
	GrantId    *string `json:"GrantId,omitempty"`
	DryRun     *bool   `json:"DryRun,omitempty"`
}

// RevokeGrantInput is the RevokeGrant request.
type RevokeGrantInput struct {
	KeyId   *string `json:"KeyId,omitempty"`
	GrantId *string `json:"GrantId,omitempty"`
	DryRun  *bool   `json:"DryRun,omitempty"`
}

// grantDeletionRecord is CloudTrail's responseElements of RetireGrant and
// RevokeGrant: the key ARN, which KMS records since December 2022 although
// the operations return nothing (docs, CloudTrail examples of KMS
// operations).
type grantDeletionRecord struct {
	KeyId string `json:"KeyId"`
}

// mayRetire reports whether caller may retire grant g with RetireGrant (docs
// "Retiring and revoking grants"): its retiring principal, its grantee when
// the grant allows RetireGrant, or the account in which the grant was
// created (IssuingAccount). Service principals never call Trent, so
// RetiringServicePrincipal and GranteeServicePrincipal match no caller. It
// works across accounts: only the grant decides, not the key policy. An
// account (as retiring principal, grantee or issuer) stands for its root
// user and for those of its principals whose identity-based policies allow
// the RetireGrant (delegated), as everywhere an account is named.
func mayRetire(caller identity.Caller, g *grantRecord, delegated bool) bool {
	switch {
	case granteeIs(g.RetiringPrincipal, caller, delegated):
		return true
	case g.allows(keys.OpRetireGrant) && granteeIs(g.GranteePrincipal, caller, delegated):
		return true
	}
	return caller.Account == g.IssuingAccount && (caller.IsRoot() || delegated)
}

// RetireGrant deletes a grant named by its token, or by key and grant ID;
// the grant decides who may (mayRetire), not the key policy.
func (s *Service) RetireGrant(ctx context.Context, in *RetireGrantInput) (*Empty, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	v.length("grantToken", in.GrantToken, 1, maxGrantTokenLength)
	v.keyID("keyId", in.KeyId, false)
	v.length("grantId", in.GrantId, 1, 128)
	if err := v.err(); err != nil {
		return nil, err
	}
	if in.GrantToken == nil && (in.KeyId == nil || in.GrantId == nil) {
		return nil, kmserr.Validation("Grant token OR (grant ID, key ID) must be specified")
	}
	err = s.update(ctx, func(tx store.Tx) (any, error) {
		k, g, err := s.retiringGrant(ctx, tx, info, in)
		if err != nil {
			return nil, err
		}
		decide := func(req *policy.Request, ids []*policy.Policy) bool {
			return mayRetire(info.Caller, g, identityAllows(req, ids))
		}
		if err := s.admit(ctx, tx, info, k, &access{op: keys.OpRetireGrant, forms: keyIDOrARN, decide: decide}); err != nil {
			return nil, err
		}
		return endGrant(tx, k, g, in.DryRun)
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// retiringGrant finds the key and the grant a RetireGrant request names,
// through resolveKey like any other key (key ID or key ARN). It does not
// authorise the caller for the key: RetireGrant is allowed by the grant.
func (s *Service) retiringGrant(ctx context.Context, tx store.Tx, info *request.Info, in *RetireGrantInput) (*keys.Key, *grantRecord, error) {
	if in.GrantToken != nil {
		g, err := openGrantToken(tx, *in.GrantToken)
		if err != nil {
			return nil, nil, err
		}
		if g == nil || g.Region != info.Region {
			return nil, nil, kmserr.NotFound("The grant token does not name an existing grant.")
		}
		k, err := s.resolveKey(ctx, tx, info, keys.KeyARN(g.Region, g.KeyAccount, g.KeyID), keyIDOrARN)
		return k, g, err
	}
	k, err := s.resolveKey(ctx, tx, info, *in.KeyId, keyIDOrARN)
	if err != nil {
		return nil, nil, err
	}
	g, err := grantByID(tx, k, *in.GrantId)
	return k, g, err
}

// endGrant is the common end of RetireGrant and RevokeGrant once the caller
// may: a dry run stops here, otherwise the grant is deleted, and the
// record names the key.
func endGrant(tx store.Tx, k *keys.Key, g *grantRecord, dry *bool) (any, error) {
	if dryRun(dry) {
		return nil, kmserr.DryRun()
	}
	if err := removeGrant(tx, g); err != nil {
		return nil, err
	}
	return &grantDeletionRecord{KeyId: k.ARN()}, nil
}

// removeGrant deletes a grant and counts it off its key.
func removeGrant(tx store.Tx, g *grantRecord) error {
	count, err := grantCount(tx, g.KeyAccount, g.Region, g.KeyID)
	if err != nil {
		return err
	}
	return deleteGrant(tx, g, count)
}

// RevokeGrant deletes a grant of a key. Like other operations on a key it
// is authorised by the key (kms:RevokeGrant, key administrators).
func (s *Service) RevokeGrant(ctx context.Context, in *RevokeGrantInput) (*Empty, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	v.keyID("keyId", in.KeyId, true)
	if v.required("grantId", in.GrantId != nil) {
		v.length("grantId", in.GrantId, 1, 128)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	err = s.update(ctx, func(tx store.Tx) (any, error) {
		k, err := s.openKey(ctx, tx, info, *in.KeyId, access{op: keys.OpRevokeGrant, forms: keyIDOrARN})
		if err != nil {
			return nil, err
		}
		g, err := grantByID(tx, k, *in.GrantId)
		if err != nil {
			return nil, err
		}
		return endGrant(tx, k, g, in.DryRun)
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}
