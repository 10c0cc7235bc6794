package kms

import (
	"context"

	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/store"
)

// DescribeKeyInput is the DescribeKey request.
type DescribeKeyInput struct {
	KeyId       *string  `json:"KeyId,omitempty"`
	GrantTokens []string `json:"GrantTokens,omitempty"`
}

// DescribeKeyOutput is the DescribeKey response.
type DescribeKeyOutput struct {
	KeyMetadata *KeyMetadata `json:"KeyMetadata"`
}

// DescribeKey returns a key's metadata. A predefined AWS managed key alias
// (alias/aws/<service>) creates its key on first use, as in AWS.
func (s *Service) DescribeKey(ctx context.Context, in *DescribeKeyInput) (*DescribeKeyOutput, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	v.keyID("keyId", in.KeyId, true)
	v.grantTokens(in.GrantTokens)
	if err := v.err(); err != nil {
		return nil, err
	}
	var k *keys.Key
	err = s.viewResolving(ctx, info, func(tx store.Tx) error {
		k, err = s.openKey(ctx, tx, info, *in.KeyId, access{op: keys.OpDescribeKey, forms: anyKeyIdentifier, grantTokens: in.GrantTokens})
		return err
	})
	if err != nil {
		return nil, err
	}
	return &DescribeKeyOutput{KeyMetadata: metadata(k)}, nil
}

// ListKeysInput is the ListKeys request.
type ListKeysInput struct {
	Limit  *int32  `json:"Limit,omitempty"`
	Marker *string `json:"Marker,omitempty"`
}

// KeyListEntry is one ListKeys entry.
type KeyListEntry struct {
	KeyId  string `json:"KeyId"`
	KeyArn string `json:"KeyArn"`
}

// ListKeysOutput is the ListKeys response.
type ListKeysOutput struct {
	Keys       []KeyListEntry `json:"Keys"`
	NextMarker *string        `json:"NextMarker,omitempty"`
	Truncated  bool           `json:"Truncated"`
}

// ListKeys lists the keys of the caller's account in the request's Region,
// including AWS managed keys and keys pending deletion, in key ID order.
func (s *Service) ListKeys(ctx context.Context, in *ListKeysInput) (*ListKeysOutput, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	v.paging(in.Limit, in.Marker, 1000)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := s.authorizeAccount(info, keys.OpListKeys, nil); err != nil {
		return nil, err
	}
	after, err := decodeMarker("keys", in.Marker)
	if err != nil {
		return nil, err
	}
	limit := pageLimit(in.Limit, 100)
	prefix := layout.Keys(info.Caller.Account, info.Region)
	out := &ListKeysOutput{Keys: []KeyListEntry{}}
	err = s.store.View(ctx, func(tx store.Tx) error {
		out.NextMarker, err = listPage(tx, "keys", prefix, after, limit, nil, func(id string, _ store.Item) error {
			out.Keys = append(out.Keys, KeyListEntry{KeyId: id, KeyArn: keys.KeyARN(info.Region, info.Caller.Account, id)})
			return nil
		})
		out.Truncated = out.NextMarker != nil
		return err
	})
	return out, storeErr(err)
}
