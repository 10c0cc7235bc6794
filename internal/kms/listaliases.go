package kms

import (
	"context"

	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/store"
)

// ListAliasesInput is the ListAliases request.
type ListAliasesInput struct {
	KeyId  *string `json:"KeyId,omitempty"`
	Limit  *int32  `json:"Limit,omitempty"`
	Marker *string `json:"Marker,omitempty"`
}

// AliasListEntry is one ListAliases entry.
type AliasListEntry struct {
	AliasName       string `json:"AliasName"`
	AliasArn        string `json:"AliasArn"`
	TargetKeyId     string `json:"TargetKeyId,omitempty"`
	CreationDate    *Time  `json:"CreationDate,omitempty"`
	LastUpdatedDate *Time  `json:"LastUpdatedDate,omitempty"`
}

// ListAliasesOutput is the ListAliases response.
type ListAliasesOutput struct {
	Aliases    []AliasListEntry `json:"Aliases"`
	NextMarker *string          `json:"NextMarker,omitempty"`
	Truncated  bool             `json:"Truncated"`
}

// ListAliases lists the aliases of the caller's account and Region in name
// order, or only those of one key. AWS also lists the predefined
// alias/aws/<service> names of services never used (without a
// TargetKeyId); Trent lists an AWS managed alias once its key exists.
func (s *Service) ListAliases(ctx context.Context, in *ListAliasesInput) (*ListAliasesOutput, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	v.keyID("keyId", in.KeyId, false)
	v.paging(in.Limit, in.Marker, 100)
	if err := v.err(); err != nil {
		return nil, err
	}
	after, err := decodeMarker("aliases", in.Marker)
	if err != nil {
		return nil, err
	}
	limit := pageLimit(in.Limit, 50)
	out := &ListAliasesOutput{Aliases: []AliasListEntry{}}
	err = s.store.View(ctx, func(tx store.Tx) error {
		account, region := info.Caller.Account, info.Region
		// Without KeyId the alias records are listed; with it, the key's
		// alias index, whose entries name the same aliases.
		prefix := aliasesPrefix(account, region)
		if in.KeyId != nil {
			k, err := resolveKey(ctx, tx, info, *in.KeyId, keyIDOrARN, "ListAliases")
			if err != nil {
				return err
			}
			prefix = keyAliasPrefix(k.Account, k.Region, k.ID)
		}
		out.NextMarker, err = listPage(tx, "aliases", prefix, after, limit, nil, func(name string, _ store.Item) error {
			a, err := getRecord[aliasRecord](tx, aliasKey(account, region, name))
			if err != nil {
				return err
			}
			out.Aliases = append(out.Aliases, AliasListEntry{
				AliasName: a.Name, AliasArn: keys.AliasARN(region, account, a.Name), TargetKeyId: a.TargetKeyID,
				CreationDate: timePtr(a.CreatedAt), LastUpdatedDate: timePtr(a.UpdatedAt),
			})
			return nil
		})
		out.Truncated = out.NextMarker != nil
		return err
	})
	if err != nil {
		return nil, storeErr(err)
	}
	return out, nil
}
