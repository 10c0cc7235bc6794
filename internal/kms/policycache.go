package kms

import (
	"fmt"
	"sync"

	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/policy"
	"github.com/trent-kms/trent/internal/store"
)

// policyCache holds compiled policies, so that a policy is compiled once per
// revision and not per request: key policies by key ARN and policy
// revision (Key.PolicyRevision, which PutKeyPolicy increments in the same
// transaction that writes the policy), and, behind that, by their text,
// since most keys of an account share one (the default policy's text
// depends only on the partition and the account); identity-based policies
// by their text (the identities file holds them; a changed policy is a
// new text).
type policyCache struct {
	// max bounds each of the three maps; a full one evicts an entry at
	// random (evictOne).
	max      int
	mu       sync.RWMutex
	byKey    map[string]cachedKeyPolicy
	keyText  map[string]*policy.Policy
	identity map[string]*policy.Policy
}

type cachedKeyPolicy struct {
	revision uint64
	policy   *policy.Policy
}

func newPolicyCache(max int) *policyCache {
	return &policyCache{max: max, byKey: map[string]cachedKeyPolicy{}, keyText: map[string]*policy.Policy{}, identity: map[string]*policy.Policy{}}
}

// keyPolicy returns k's compiled key policy, reading and compiling it in tx
// when the cache has no entry for k's policy revision.
func (c *policyCache) keyPolicy(tx store.Tx, k *keys.Key) (*policy.Policy, error) {
	arn := k.ARN()
	c.mu.RLock()
	e, ok := c.byKey[arn]
	c.mu.RUnlock()
	if ok && e.revision == k.PolicyRevision {
		return e.policy, nil
	}
	rec, err := getRecord[policyRecord](tx, layout.Policy(k.Account, k.Region, k.ID))
	if err != nil {
		return nil, storeErr(err)
	}
	c.mu.RLock()
	p, ok := c.keyText[rec.Document]
	c.mu.RUnlock()
	if !ok {
		if p, err = policy.CompileKeyPolicy(rec.Document); err != nil {
			// Stored policies were validated when they were written.
			return nil, kmserr.Internal(fmt.Errorf("stored key policy of %s does not compile: %w", arn, err))
		}
	}
	c.mu.Lock()
	if _, ok := c.byKey[arn]; !ok && len(c.byKey) >= c.max {
		evictOne(c.byKey)
	}
	if _, ok := c.keyText[rec.Document]; !ok && len(c.keyText) >= c.max {
		evictOne(c.keyText)
	}
	c.byKey[arn] = cachedKeyPolicy{revision: k.PolicyRevision, policy: p}
	c.keyText[rec.Document] = p
	c.mu.Unlock()
	return p, nil
}

// identityPolicies compiles a caller's identity-based policies.
func (c *policyCache) identityPolicies(texts []string) ([]*policy.Policy, error) {
	if len(texts) == 0 {
		return nil, nil
	}
	out := make([]*policy.Policy, 0, len(texts))
	for _, text := range texts {
		c.mu.RLock()
		p, ok := c.identity[text]
		c.mu.RUnlock()
		if !ok {
			var err error
			if p, err = policy.CompileIdentityPolicy(text); err != nil {
				// The identities file validates policies when it loads.
				return nil, kmserr.Internal(fmt.Errorf("identity policy does not compile: %w", err))
			}
			c.mu.Lock()
			if len(c.identity) >= c.max {
				evictOne(c.identity)
			}
			c.identity[text] = p
			c.mu.Unlock()
		}
		out = append(out, p)
	}
	return out, nil
}

// forgetKey drops the compiled policy kept for the key with this ARN. A
// key created under an ID of its choosing (a seed, LocalStack's
// _custom_id_) may reuse the ID, and so the ARN, of a deleted key, whose
// entry has the same revision as the new key's first policy.
func (c *policyCache) forgetKey(arn string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.byKey, arn)
}
