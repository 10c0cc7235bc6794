package kms

import (
	"context"
	"strings"

	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/request"
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
// order, with the predefined alias/aws/<service> names that have no key yet
// (predefinedaliases.go), or only the aliases of one key.
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
	if err := s.authorizeAccount(info, keys.OpListAliases, nil); err != nil {
		return nil, err
	}
	after, err := decodeMarker("aliases", in.Marker)
	if err != nil {
		return nil, err
	}
	limit := pageLimit(in.Limit, 50)
	out := &ListAliasesOutput{Aliases: []AliasListEntry{}}
	err = s.store.View(ctx, func(tx store.Tx) error {
		var next *string
		var err error
		if in.KeyId == nil {
			next, err = listAllAliases(tx, info.Caller.Account, info.Region, after, limit, &out.Aliases)
		} else {
			next, err = s.listKeyAliases(ctx, tx, info, *in.KeyId, after, limit, &out.Aliases)
		}
		out.NextMarker, out.Truncated = next, next != nil
		return err
	})
	if err != nil {
		return nil, storeErr(err)
	}
	return out, nil
}

// listAllAliases lists one page of the account's aliases merged with the
// predefined ones. Both are in name order and the marker names the last
// alias listed, so a page may end on either kind and markers issued before
// predefined aliases were listed stay good.
func listAllAliases(tx store.Tx, account, region, after string, limit int, entries *[]AliasListEntry) (*string, error) {
	prefix := layout.Aliases(account, region)
	startAfter := ""
	if after != "" {
		startAfter = prefix + after
	}
	items, err := tx.Scan(prefix, startAfter, limit+1)
	if err != nil {
		return nil, err
	}
	stored := make([]string, len(items))
	for i, item := range items {
		stored[i] = strings.TrimPrefix(item.Key, prefix)
	}
	page, more := mergeAliasNames(stored, predefinedAliasNames, after, limit)
	next := 0 // the stored names of the page are items[0:], in order
	for _, n := range page {
		if !n.stored {
			// Recorded entries of predefined aliases carry a name and an
			// ARN only: no key, and so no dates of an association.
			*entries = append(*entries, AliasListEntry{AliasName: n.name, AliasArn: keys.AliasARN(region, account, n.name)})
			continue
		}
		a, err := decodeRecord[aliasRecord](items[next].Value)
		if err != nil {
			return nil, err
		}
		next++
		*entries = append(*entries, aliasEntry(account, region, a))
	}
	if !more {
		return nil, nil
	}
	marker := encodeMarker("aliases", page[len(page)-1].name)
	return &marker, nil
}

// listKeyAliases lists one page of the aliases of one key from the key's
// alias index, whose entries name the aliases.
func (s *Service) listKeyAliases(ctx context.Context, tx store.Tx, info *request.Info, keyID, after string, limit int, entries *[]AliasListEntry) (*string, error) {
	k, err := s.openKey(ctx, tx, info, keyID, access{op: keys.OpListAliases, forms: keyIDOrARN})
	if err != nil {
		return nil, err
	}
	account, region := info.Caller.Account, info.Region
	return listPage(tx, "aliases", layout.KeyAliases(k.Account, k.Region, k.ID), after, limit, nil, func(name string, _ store.Item) error {
		a, err := getRecord[aliasRecord](tx, layout.Alias(account, region, name))
		if err != nil {
			return err
		}
		*entries = append(*entries, aliasEntry(account, region, a))
		return nil
	})
}

func aliasEntry(account, region string, a aliasRecord) AliasListEntry {
	return AliasListEntry{
		AliasName: a.Name, AliasArn: keys.AliasARN(region, account, a.Name), TargetKeyId: a.TargetKeyID,
		CreationDate: timePtr(a.CreatedAt), LastUpdatedDate: timePtr(a.UpdatedAt),
	}
}
