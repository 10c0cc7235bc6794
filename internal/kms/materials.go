package kms

import (
	"container/list"
	"fmt"
	"strings"
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

// newMaterial generates and seals a fresh symmetric material version for k.
// It draws randomness, so it runs outside store transactions (which may be
// retried).
func (s *Service) newMaterial(k *keys.Key, version uint32, rotation keys.RotationType, now time.Time) (keys.Material, error) {
	material, err := cipher.GenerateSymmetricMaterial(s.rand)
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

// symmetricKey returns the usable key of material version v of k, from the
// cache or by unsealing its record. Material versions never change once
// written, so a cached entry is valid for as long as the key exists; the
// caller has already read the key's current metadata in tx.
func (s *Service) symmetricKey(tx store.Tx, k *keys.Key, version uint32) (*cipher.SymmetricKey, string, error) {
	cacheKey := materialCacheKey(k, version)
	if e, ok := s.materials.get(cacheKey); ok {
		return e.key, e.materialID, nil
	}
	m, err := getRecord[keys.Material](tx, layout.Material(k.Account, k.Region, k.ID, version))
	if err != nil {
		// A blob naming a version the key never had is reported by the
		// caller as an invalid ciphertext; anything else is a fault.
		return nil, "", err
	}
	material, err := s.sealer.Unseal(m.Sealed, materialAAD(k, version))
	if err != nil {
		return nil, "", kmserr.Internal(fmt.Errorf("unseal material %d of %s: %w", version, k.ARN(), err))
	}
	sym, err := cipher.NewSymmetricKey(material)
	if err != nil {
		return nil, "", kmserr.Internal(err)
	}
	s.materials.put(cacheKey, &cachedMaterial{key: sym, materialID: m.ID})
	return sym, m.ID, nil
}

func materialCacheKey(k *keys.Key, version uint32) string {
	return fmt.Sprintf("%s#%d", k.ARN(), version)
}

// materialCacheSize bounds the number of unsealed material versions held in
// memory.
const materialCacheSize = 4096

// materialCache is a small LRU of unsealed key material. Unsealing costs an
// AES-GCM open and a store read; caching keeps Encrypt and Decrypt to one
// metadata read each.
type materialCache struct {
	mu    sync.Mutex
	max   int
	order *list.List // front = most recently used
	items map[string]*list.Element
}

type cachedMaterial struct {
	name       string
	key        *cipher.SymmetricKey
	materialID string
}

func newMaterialCache(max int) *materialCache {
	return &materialCache{max: max, order: list.New(), items: map[string]*list.Element{}}
}

func (c *materialCache) get(name string) (*cachedMaterial, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[name]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*cachedMaterial), true
}

func (c *materialCache) put(name string, e *cachedMaterial) {
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
	prefix := keyARN + "#"
	for name, el := range c.items {
		if strings.HasPrefix(name, prefix) {
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
