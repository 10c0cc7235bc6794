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

// keyContext builds the condition keys of a request on k.
func (s *Service) keyContext(tx store.Tx, info *request.Info, k *keys.Key, a *access, kp *policy.Policy, ids []*policy.Policy) (*policy.Context, error) {
	c := &policy.Context{}
	s.requestContext(c, info)
	c.Set(condKeySpec, string(k.Spec))
	c.Set(condKeyUsage, string(k.Usage))
	c.Set(condKeyOrigin, string(k.Origin))
	if len(a.encryptionContext) > 0 {
		c.SetEncryptionContext(a.encryptionContext)
	}
	if name := algorithmConditions[a.usage]; name != "" && a.algorithm != "" {
		c.Set(name, a.algorithm)
	}
	if a.requestAlias != "" {
		c.Set(condRequestAlias, a.requestAlias)
	}
	if mentioned(condResourceAliases, kp, ids) {
		names, err := keyAliasNames(tx, k)
		if err != nil {
			return nil, err
		}
		c.Set(condResourceAliases, names...)
	}
	if mentioned(condResourceTagPrefix, kp, ids) {
		tags, err := readTags(tx, k)
		if err != nil {
			return nil, err
		}
		for _, t := range tags {
			c.Set(condResourceTagPrefix+t.Key, t.Value)
		}
	}
	if a.context != nil {
		a.context(c)
	}
	return c, nil
}

// mentioned reports whether any of the policies has a condition on the
// key name (a prefix when it ends in '/').
func mentioned(name string, kp *policy.Policy, ids []*policy.Policy) bool {
	if kp != nil && kp.Mentions(name) {
		return true
	}
	for _, p := range ids {
		if p.Mentions(name) {
			return true
		}
	}
	return false
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
