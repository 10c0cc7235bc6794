package kms

import (
	"context"
	"errors"
	"strings"

	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/store"
)

// The grant listings page like the others (paging.go): Limit 1..100,
// default 50 (API Reference, ListGrants and ListRetirableGrants).
const (
	grantsPageDefault = 50
	grantsPageMax     = 100
)

// GrantListEntry is the GrantListEntry structure.
type GrantListEntry struct {
	KeyId                    string            `json:"KeyId,omitempty"`
	GrantId                  string            `json:"GrantId,omitempty"`
	Name                     string            `json:"Name,omitempty"`
	CreationDate             *Time             `json:"CreationDate,omitempty"`
	GranteePrincipal         string            `json:"GranteePrincipal,omitempty"`
	GranteeServicePrincipal  string            `json:"GranteeServicePrincipal,omitempty"`
	RetiringPrincipal        string            `json:"RetiringPrincipal,omitempty"`
	RetiringServicePrincipal string            `json:"RetiringServicePrincipal,omitempty"`
	IssuingAccount           string            `json:"IssuingAccount,omitempty"`
	Operations               []string          `json:"Operations,omitempty"`
	Constraints              *GrantConstraints `json:"Constraints,omitempty"`
}

// listEntry renders a grant; IssuingAccount is the account's root ARN, as
// AWS reports it.
func (g *grantRecord) listEntry() GrantListEntry {
	return GrantListEntry{
		KeyId: g.keyARN(), GrantId: g.ID, Name: g.Name, CreationDate: timePtr(g.CreatedAt),
		GranteePrincipal: g.GranteePrincipal, GranteeServicePrincipal: g.GranteeServicePrincipal,
		RetiringPrincipal: g.RetiringPrincipal, RetiringServicePrincipal: g.RetiringServicePrincipal,
		IssuingAccount: "arn:" + keys.Partition(g.Region) + ":iam::" + g.IssuingAccount + ":root",
		Operations:     g.Operations, Constraints: g.Constraints,
	}
}

// ListGrantsInput is the ListGrants request.
type ListGrantsInput struct {
	Limit                   *int32  `json:"Limit,omitempty"`
	Marker                  *string `json:"Marker,omitempty"`
	KeyId                   *string `json:"KeyId,omitempty"`
	GrantId                 *string `json:"GrantId,omitempty"`
	GranteePrincipal        *string `json:"GranteePrincipal,omitempty"`
	GranteeServicePrincipal *string `json:"GranteeServicePrincipal,omitempty"`
}

// ListGrantsOutput is the ListGrants and ListRetirableGrants response.
type ListGrantsOutput struct {
	Grants     []GrantListEntry `json:"Grants"`
	NextMarker *string          `json:"NextMarker,omitempty"`
	Truncated  bool             `json:"Truncated"`
}

// ListGrants lists the grants of a key, in grant ID order, optionally only
// one grant or the grants of one grantee.
func (s *Service) ListGrants(ctx context.Context, in *ListGrantsInput) (*ListGrantsOutput, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	v.keyID("keyId", in.KeyId, true)
	v.paging(in.Limit, in.Marker, grantsPageMax)
	v.length("grantId", in.GrantId, 1, 128)
	validatePrincipalMember(&v, "granteePrincipal", in.GranteePrincipal)
	validateServicePrincipalMember(&v, "granteeServicePrincipal", in.GranteeServicePrincipal)
	if err := v.err(); err != nil {
		return nil, err
	}
	if in.GranteePrincipal != nil && in.GranteeServicePrincipal != nil {
		return nil, kmserr.Validation("You can specify either GranteePrincipal or GranteeServicePrincipal, but not both.")
	}
	after, err := decodeMarker("grants", in.Marker)
	if err != nil {
		return nil, err
	}
	limit := pageLimit(in.Limit, grantsPageDefault)
	out := &ListGrantsOutput{Grants: []GrantListEntry{}}
	err = s.store.View(ctx, func(tx store.Tx) error {
		k, err := s.openKey(ctx, tx, info, *in.KeyId, access{op: keys.OpListGrants, forms: keyIDOrARN})
		if err != nil {
			return err
		}
		grantee := ""
		if in.GranteePrincipal != nil {
			grantee = *in.GranteePrincipal
		} else if in.GranteeServicePrincipal != nil {
			grantee = *in.GranteeServicePrincipal
		}
		if in.GrantId != nil {
			g, err := grantByID(tx, k, *in.GrantId)
			if err != nil {
				return err
			}
			if grantee == "" || g.grantee() == grantee {
				out.Grants = append(out.Grants, g.listEntry())
			}
			return nil
		}
		prefix := layout.Grants(k.Account, k.Region, k.ID)
		if grantee != "" {
			account := principalAccount(grantee)
			if in.GranteeServicePrincipal != nil {
				account = layout.ServiceGrantee
			}
			prefix = layout.KeyGrantee(k.Account, k.Region, k.ID, account, grantee)
		}
		out.NextMarker, err = listPage(tx, "grants", prefix, after, limit, nil, func(id string, _ store.Item) error {
			g, err := getGrant(tx, k, id)
			if err != nil {
				return err
			}
			out.Grants = append(out.Grants, g.listEntry())
			return nil
		})
		return err
	})
	if err != nil {
		return nil, storeErr(err)
	}
	out.Truncated = out.NextMarker != nil
	return out, nil
}

// grantByID reads a grant of k, or AWS's InvalidGrantIdException for a
// grant ID that names no grant of k (message unverified).
func grantByID(tx store.Tx, k *keys.Key, grantID string) (*grantRecord, error) {
	if !grantIDPattern.MatchString(grantID) {
		return nil, invalidGrantID(grantID)
	}
	g, err := getGrant(tx, k, grantID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, invalidGrantID(grantID)
	}
	return g, err
}

func invalidGrantID(grantID string) error {
	return kmserr.New(codeInvalidGrantID, 400, "Grant ID %s is not valid for this key.", grantID)
}

// ListRetirableGrantsInput is the ListRetirableGrants request.
type ListRetirableGrantsInput struct {
	Limit                    *int32  `json:"Limit,omitempty"`
	Marker                   *string `json:"Marker,omitempty"`
	RetiringPrincipal        *string `json:"RetiringPrincipal,omitempty"`
	RetiringServicePrincipal *string `json:"RetiringServicePrincipal,omitempty"`
}

// ListRetirableGrants lists the grants a retiring principal may retire, on
// keys of any account. The principal must be in the caller's account (API
// Reference: "Enter a principal in your Amazon Web Services account"); the
// index is kept in that account (layout.Retirable), so a principal of
// another account lists nothing. A retiring service principal lists the
// grants on the caller's account's keys.
func (s *Service) ListRetirableGrants(ctx context.Context, in *ListRetirableGrantsInput) (*ListGrantsOutput, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	v.paging(in.Limit, in.Marker, grantsPageMax)
	if in.RetiringServicePrincipal == nil {
		// Required in the older model; now one of two members.
		v.required("retiringPrincipal", in.RetiringPrincipal != nil)
	}
	validatePrincipalMember(&v, "retiringPrincipal", in.RetiringPrincipal)
	validateServicePrincipalMember(&v, "retiringServicePrincipal", in.RetiringServicePrincipal)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.authorizeAccount(info, keys.OpListRetirableGrants, nil); err != nil {
		return nil, err
	}
	principal := ""
	switch {
	case in.RetiringPrincipal != nil && in.RetiringServicePrincipal != nil:
		return nil, kmserr.Validation("You must specify either RetiringPrincipal or RetiringServicePrincipal, but not both.")
	case in.RetiringPrincipal != nil:
		principal = *in.RetiringPrincipal
	default:
		principal = *in.RetiringServicePrincipal
	}
	after, err := decodeMarker("retirable", in.Marker)
	if err != nil {
		return nil, err
	}
	limit := pageLimit(in.Limit, grantsPageDefault)
	out := &ListGrantsOutput{Grants: []GrantListEntry{}}
	err = s.store.View(ctx, func(tx store.Tx) error {
		prefix := layout.Retirable(info.Caller.Account, info.Region, principal)
		out.NextMarker, err = listPage(tx, "retirable", prefix, after, limit, nil, func(name string, _ store.Item) error {
			parts := strings.Split(name, "/")
			if len(parts) != 3 {
				return nil // not an entry this version wrote
			}
			g, err := getRecord[*grantRecord](tx, layout.Grant(parts[0], info.Region, parts[1], parts[2]))
			if err != nil {
				return err
			}
			out.Grants = append(out.Grants, g.listEntry())
			return nil
		})
		return err
	})
	if err != nil {
		return nil, storeErr(err)
	}
	out.Truncated = out.NextMarker != nil
	return out, nil
}
