package kms

import (
	"container/list"
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/trent-kms/trent/internal/cipher"
	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/store"
)

// materialAAD binds sealed material to its key and version, so a material
// record copied to another key or version does not unseal.
func materialAAD(k *keys.Key, version uint32) []byte {
	return fmt.Appendf(nil, "trent key material v1\x00%s\x00%d", k.ARN(), version)
}

// newMaterial generates and seals a fresh material version for k, of the
// kind its key spec names. It draws randomness and may take seconds (an
// RSA_4096 key), so it runs outside store transactions, which may be
// retried and must stay short, and behind the generation limiter.
func (s *Service) newMaterial(ctx context.Context, k *keys.Key, version uint32, rotation keys.RotationType, now time.Time) (keys.Material, error) {
	key, err := s.generate(ctx, materialKind(k.Spec))
	if err != nil {
		return keys.Material{}, err
	}
	return s.sealMaterial(k, version, rotation, key, now)
}

// sealMaterial seals key as material version v of k, under a fresh random
// KeyMaterialId: material Trent generated, or material a seed gave.
func (s *Service) sealMaterial(k *keys.Key, version uint32, rotation keys.RotationType, key cipher.Key, now time.Time) (keys.Material, error) {
	material, err := key.Material()
	if err != nil {
		return keys.Material{}, kmserr.Internal(err)
	}
	defer material.Wipe()
	id, err := cipher.MaterialID(s.rand)
	if err != nil {
		return keys.Material{}, kmserr.Internal(err)
	}
	sealed, err := s.sealer.Seal(material.Reveal(), materialAAD(k, version), s.rand)
	if err != nil {
		return keys.Material{}, kmserr.Internal(err)
	}
	return keys.Material{Version: version, ID: id, CreatedAt: now, RotationType: rotation, Sealed: sealed}, nil
}

// materialKind is the kind of key material of a key spec, from the spec
// table.
func materialKind(spec keys.KeySpec) cipher.Kind {
	if info := keys.Spec(spec); info != nil {
		return cipher.Kind(info.Material)
	}
	return ""
}

// keyMaterial returns material version v of k, ready to use, from the
// cache or by unsealing its record, with its KeyMaterialId. Material
// versions never change once written, so a cached entry is valid for as
// long as the key exists; the caller has already read the key's current
// metadata in tx.
//
// Imported material is not cached: it can be deleted, and a request that
// read it just before the deletion committed could put it back in the
// cache after the deletion's eviction. Its reads cost a store read and an
// unseal each.
func (s *Service) keyMaterial(tx store.Tx, k *keys.Key, version uint32) (cipher.Key, string, error) {
	cacheKey := materialCacheKey{keyARN: k.ARN(), version: version}
	cacheable := k.Origin != keys.OriginExternal
	if e, ok := s.materials.get(cacheKey); ok && cacheable {
		return e.key, e.materialID, nil
	}
	m, err := getRecord[keys.Material](tx, layout.Material(k.Account, k.Region, k.ID, version))
	if err != nil {
		// A blob naming a version the key never had is reported by the
		// caller as an invalid ciphertext; anything else is a fault.
		return nil, "", err
	}
	if !m.Imported() {
		// Imported material deleted (DeleteImportedKeyMaterial or
		// expiry) until it is imported again: the current material
		// leaves the key PendingImport; other material only its
		// ciphertexts unusable ((unverified) message).
		if version == k.CurrentMaterial {
			return nil, "", kmserr.InvalidState("%s is pending import.", k.ARN())
		}
		return nil, "", kmserr.InvalidState("Key material %s of %s is pending import.", m.ID, k.ARN())
	}
	material, err := s.sealer.Unseal(m.Sealed, materialAAD(k, version))
	if err != nil {
		return nil, "", kmserr.Internal(fmt.Errorf("unseal material %d of %s: %w", version, k.ARN(), err))
	}
	defer material.Wipe()
	key, err := cipher.Parse(materialKind(k.Spec), material.Reveal())
	if err != nil {
		return nil, "", kmserr.Internal(fmt.Errorf("material %d of %s: %w", version, k.ARN(), err))
	}
	if cacheable {
		s.materials.put(cacheKey, &cachedMaterial{key: key, materialID: m.ID})
	}
	return key, m.ID, nil
}

// currentMaterial returns k's current material, which must have the
// capability K (the caller has checked the key's usage against the spec
// table, so a mismatch is a fault).
func currentMaterial[K cipher.Key](s *Service, tx store.Tx, k *keys.Key) (K, string, error) {
	var zero K
	if !k.HasMaterial() {
		// A key without material is in PendingImport and the state table
		// refuses it first; this guards the invariant all the same.
		return zero, "", kmserr.InvalidState("%s is pending import.", k.ARN())
	}
	key, id, err := s.keyMaterial(tx, k, k.CurrentMaterial)
	if err != nil {
		return zero, "", storeErr(err)
	}
	typed, ok := key.(K)
	if !ok {
		return zero, "", kmserr.Internal(fmt.Errorf("material of %s (%s) cannot serve this operation", k.ARN(), key.Kind()))
	}
	return typed, id, nil
}

// materialCacheKey names one material version of one key in the cache.
type materialCacheKey struct {
	keyARN  string
	version uint32
}

// materialCache is a small LRU of unsealed key material. Unsealing costs an
// AES-GCM open and a store read; caching keeps Encrypt and Decrypt to one
// metadata read each.
type materialCache struct {
	mu    sync.Mutex
	max   int
	order *list.List // front = most recently used
	items map[materialCacheKey]*list.Element
}

type cachedMaterial struct {
	name       materialCacheKey
	key        cipher.Key
	materialID string
}

func newMaterialCache(max int) *materialCache {
	return &materialCache{max: max, order: list.New(), items: map[materialCacheKey]*list.Element{}}
}

func (c *materialCache) get(name materialCacheKey) (*cachedMaterial, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[name]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*cachedMaterial), true
}

func (c *materialCache) put(name materialCacheKey, e *cachedMaterial) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[name]; ok {
		c.order.MoveToFront(el)
		return
	}
	e.name = name
	c.items[name] = c.order.PushFront(e)
	for c.order.Len() > c.max {
		oldest := c.order.Back()
		c.remove(oldest)
	}
}

// evictKey drops every cached version of the key with this ARN.
func (c *materialCache) evictKey(keyARN string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for name, el := range c.items {
		if name.keyARN == keyARN {
			c.remove(el)
		}
	}
}

// remove drops an entry. The material is not wiped: a request that took the
// key from the cache a moment ago may still be encrypting with it, and
// wiping would make it encrypt under zeros. The garbage collector reclaims
// it once no request holds it.
func (c *materialCache) remove(el *list.Element) {
	e := c.order.Remove(el).(*cachedMaterial)
	delete(c.items, e.name)
}
