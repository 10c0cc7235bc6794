package kms

import (
	"strings"

	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/policy"
	"github.com/trent-kms/trent/internal/request"
	"github.com/trent-kms/trent/internal/store"
)

// Condition keys of a request on a key ("AWS KMS condition keys"). The
// keys that cost a store read (kms:ResourceAliases, aws:ResourceTag/*) are
// set only when one of the policies in play mentions them.
const (
	condKeySpec             = "kms:KeySpec"
	condKeyUsage            = "kms:KeyUsage"
	condKeyOrigin           = "kms:KeyOrigin"
	condRequestAlias        = "kms:RequestAlias"
	condResourceAliases     = "kms:ResourceAliases"
	condResourceTagPrefix   = "aws:ResourceTag/"
	condRequestTagPrefix    = "aws:RequestTag/"
	condTagKeys             = "aws:TagKeys"
	condEncryptionAlgorithm = "kms:EncryptionAlgorithm"
	condSigningAlgorithm    = "kms:SigningAlgorithm"
	condMacAlgorithm        = "kms:MacAlgorithm"
	condAgreementAlgorithm  = "kms:KeyAgreementAlgorithm"
)

// algorithmConditions names the condition key of each usage's algorithm.
var algorithmConditions = map[keys.KeyUsage]string{
	keys.UsageEncryptDecrypt:    condEncryptionAlgorithm,
	keys.UsageSignVerify:        condSigningAlgorithm,
	keys.UsageGenerateVerifyMAC: condMacAlgorithm,
	keys.UsageKeyAgreement:      condAgreementAlgorithm,
}

// conditions builds a request's condition keys, setting only those that a
// policy in play mentions (policy.Policy.Mentions): a key no condition
// reads cannot change a decision. Under the default key policy, which has
// no condition, a request builds an empty context.
type conditions struct {
	ctx *policy.Context
	key *policy.Policy
	ids []*policy.Policy
}

func newConditions(key *policy.Policy, ids []*policy.Policy) *conditions {
	return &conditions{ctx: &policy.Context{}, key: key, ids: ids}
}

// wants reports whether a policy mentions the key name (or, for a name
// ending in '/' or ':', a key under it).
func (c *conditions) wants(name string) bool {
	if c.key.Mentions(name) {
		return true
	}
	for _, p := range c.ids {
		if p.Mentions(name) {
			return true
		}
	}
	return false
}

// set sets a key that a policy mentions.
func (c *conditions) set(name string, values ...string) {
	if c.wants(name) {
		c.ctx.Set(name, values...)
	}
}

// keyContext builds the condition keys of a request on k.
func (s *Service) keyContext(tx store.Tx, info *request.Info, sub policy.Subject, k *keys.Key, a *access, kp *policy.Policy, ids []*policy.Policy) (*policy.Context, error) {
	c := newConditions(kp, ids)
	s.requestContext(c, sub, info)
	c.set(condKeySpec, string(k.Spec))
	c.set(condKeyUsage, string(k.Usage))
	c.set(condKeyOrigin, string(k.Origin))
	if len(a.encryptionContext) > 0 && (c.wants(policy.KeyEncryptionContextPrefix) || c.wants(policy.KeyEncryptionContextKeys)) {
		c.ctx.SetEncryptionContext(a.encryptionContext)
	}
	if name := algorithmConditions[a.usage]; name != "" && a.algorithm != "" {
		c.set(name, a.algorithm)
	}
	if a.requestAlias != "" {
		c.set(condRequestAlias, a.requestAlias)
	}
	if c.wants(condResourceAliases) {
		names, err := keyAliasNames(tx, k)
		if err != nil {
			return nil, err
		}
		c.ctx.Set(condResourceAliases, names...)
	}
	if c.wants(condResourceTagPrefix) {
		tags, err := readTags(tx, k)
		if err != nil {
			return nil, err
		}
		for _, t := range tags {
			c.ctx.Set(condResourceTagPrefix+t.Key, t.Value)
		}
	}
	if a.context != nil {
		a.context(c.ctx)
	}
	return c.ctx, nil
}

// keyAliasNames lists the names of k's aliases from its alias index.
func keyAliasNames(tx store.Tx, k *keys.Key) ([]string, error) {
	prefix := layout.KeyAliases(k.Account, k.Region, k.ID)
	items, err := tx.Scan(prefix, "", maxAliasesPerKey)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(items))
	for _, it := range items {
		names = append(names, strings.TrimPrefix(it.Key, prefix))
	}
	return names, nil
}

// setRequestTags sets aws:RequestTag/<key> and aws:TagKeys for the tags a
// request adds (CreateKey, TagResource) or, keys only, removes
// (UntagResource).
func setRequestTags(c *policy.Context, tags []Tag, keysOnly []string) {
	names := keysOnly
	for _, t := range tags {
		if t.TagKey != nil && t.TagValue != nil {
			c.Set(condRequestTagPrefix+*t.TagKey, *t.TagValue)
			names = append(names, *t.TagKey)
		}
	}
	if len(names) > 0 {
		c.Set(condTagKeys, names...)
	}
}
