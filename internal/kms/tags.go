package kms

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/policy"
	"github.com/trent-kms/trent/internal/request"
	"github.com/trent-kms/trent/internal/store"
)

// Tag limits (docs "Tagging keys", "Resource quotas"; model TagKeyType,
// TagValueType).
const (
	maxTagsPerKey  = 50
	maxTagKeyLen   = 128
	maxTagValueLen = 256
)

// validateTagMembers checks a Tags list against the model.
func validateTagMembers(v *validator, tags []Tag) {
	for i, t := range tags {
		path := fmt.Sprintf("tags.%d.member", i+1)
		if v.required(path+".tagKey", t.TagKey != nil) {
			v.length(path+".tagKey", t.TagKey, 1, maxTagKeyLen)
		}
		if v.required(path+".tagValue", t.TagValue != nil) {
			v.length(path+".tagValue", t.TagValue, 0, maxTagValueLen)
		}
	}
}

// reservedTagKey: "aws:" in any case is reserved for AWS (recorded).
func reservedTagKey(k string) bool { return strings.HasPrefix(strings.ToLower(k), "aws:") }

// mergeTags applies tags to an existing tag set with AWS's TagException
// rules and returns the new set, sorted by key.
func mergeTags(existing []storedTag, tags []Tag) ([]storedTag, error) {
	seen := map[string]bool{}
	for _, t := range tags {
		if reservedTagKey(*t.TagKey) {
			return nil, kmserr.Tag("Tags beginning with aws: are reserved")
		}
		if seen[*t.TagKey] {
			return nil, kmserr.Tag("Duplicate tag keys")
		}
		seen[*t.TagKey] = true
	}
	out := slices.Clone(existing)
	for _, t := range tags {
		i := slices.IndexFunc(out, func(s storedTag) bool { return s.Key == *t.TagKey })
		if i >= 0 {
			out[i].Value = *t.TagValue
		} else {
			out = append(out, storedTag{Key: *t.TagKey, Value: *t.TagValue})
		}
	}
	if len(out) > maxTagsPerKey {
		return nil, kmserr.Tag("Too many tags")
	}
	slices.SortFunc(out, func(a, b storedTag) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

func readTags(tx store.Tx, k *keys.Key) ([]storedTag, error) {
	rec, err := getRecord[tagRecord](tx, layout.Tags(k.Account, k.Region, k.ID))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return rec.Tags, err
}

func writeTags(tx store.Tx, k *keys.Key, tags []storedTag) error {
	if len(tags) == 0 {
		return tx.Delete(layout.Tags(k.Account, k.Region, k.ID))
	}
	return putRecord(tx, layout.Tags(k.Account, k.Region, k.ID), tagRecord{Tags: tags})
}

// TagResourceInput is the TagResource request.
type TagResourceInput struct {
	KeyId *string `json:"KeyId,omitempty"`
	Tags  []Tag   `json:"Tags,omitempty"`
}

// TagResource adds tags to a key or overwrites their values.
func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) (*Empty, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	v.keyID("keyId", in.KeyId, true)
	v.required("tags", in.Tags != nil)
	validateTagMembers(&v, in.Tags)
	if err := v.err(); err != nil {
		return nil, err
	}
	requestTags := func(c *policy.Context) { setRequestTags(c, in.Tags, nil) }
	err = s.changeTags(ctx, info, *in.KeyId, keys.OpTagResource, requestTags, func(existing []storedTag) ([]storedTag, error) {
		return mergeTags(existing, in.Tags)
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// changeTags rewrites a customer managed key's tag set in one transaction.
// conditions sets the request's tag condition keys (aws:RequestTag/*,
// aws:TagKeys).
func (s *Service) changeTags(ctx context.Context, info *request.Info, keyID, op string, conditions func(*policy.Context),
	change func([]storedTag) ([]storedTag, error)) error {
	_, err := updateKey[Empty](s, ctx, info, keyID, access{op: op, forms: keyIDOrARN, context: conditions}, func(tx store.Tx, k *keys.Key) error {
		existing, err := readTags(tx, k)
		if err != nil {
			return err
		}
		changed, err := change(existing)
		if err != nil {
			return err
		}
		return writeTags(tx, k, changed)
	}, nil)
	return err
}

// UntagResourceInput is the UntagResource request.
type UntagResourceInput struct {
	KeyId   *string  `json:"KeyId,omitempty"`
	TagKeys []string `json:"TagKeys,omitempty"`
}

// UntagResource removes tags from a key; keys that are not there are
// ignored.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceInput) (*Empty, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	v.keyID("keyId", in.KeyId, true)
	v.required("tagKeys", in.TagKeys != nil)
	for i := range in.TagKeys {
		v.length(fmt.Sprintf("tagKeys.%d.member", i+1), &in.TagKeys[i], 1, maxTagKeyLen)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	for _, key := range in.TagKeys {
		if reservedTagKey(key) {
			return nil, kmserr.Tag("Tags beginning with aws: are reserved")
		}
	}
	tagKeys := func(c *policy.Context) { setRequestTags(c, nil, in.TagKeys) }
	err = s.changeTags(ctx, info, *in.KeyId, keys.OpUntagResource, tagKeys, func(existing []storedTag) ([]storedTag, error) {
		return slices.DeleteFunc(existing, func(t storedTag) bool { return slices.Contains(in.TagKeys, t.Key) }), nil
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// ListResourceTagsInput is the ListResourceTags request.
type ListResourceTagsInput struct {
	KeyId  *string `json:"KeyId,omitempty"`
	Limit  *int32  `json:"Limit,omitempty"`
	Marker *string `json:"Marker,omitempty"`
}

// ListResourceTagsOutput is the ListResourceTags response.
type ListResourceTagsOutput struct {
	Tags       []Tag   `json:"Tags"`
	NextMarker *string `json:"NextMarker,omitempty"`
	Truncated  bool    `json:"Truncated"`
}

// ListResourceTags lists a key's tags in key order.
func (s *Service) ListResourceTags(ctx context.Context, in *ListResourceTagsInput) (*ListResourceTagsOutput, error) {
	info, err := requestInfo(ctx)
	if err != nil {
		return nil, err
	}
	var v validator
	v.keyID("keyId", in.KeyId, true)
	v.paging(in.Limit, in.Marker, 50)
	if err := v.err(); err != nil {
		return nil, err
	}
	after, err := decodeMarker("tags", in.Marker)
	if err != nil {
		return nil, err
	}
	limit := pageLimit(in.Limit, 50)
	out := &ListResourceTagsOutput{Tags: []Tag{}}
	err = s.store.View(ctx, func(tx store.Tx) error {
		k, err := s.openKey(ctx, tx, info, *in.KeyId, access{op: keys.OpListResourceTags, forms: keyIDOrARN})
		if err != nil {
			return err
		}
		tags, err := readTags(tx, k)
		if err != nil {
			return err
		}
		for _, t := range tags {
			if t.Key <= after {
				continue
			}
			if len(out.Tags) == limit {
				out.Truncated = true
				m := encodeMarker("tags", *out.Tags[limit-1].TagKey)
				out.NextMarker = &m
				break
			}
			out.Tags = append(out.Tags, Tag{TagKey: &t.Key, TagValue: &t.Value})
		}
		return nil
	})
	if err != nil {
		return nil, storeErr(err)
	}
	return out, nil
}
