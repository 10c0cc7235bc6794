package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"sync"
	"sync/atomic"
)

// The signing key depends only on the secret, the day, the Region and the
// service, so it changes once a day per caller. Deriving it costs four
// HMACs; caching it leaves two SHA-256 computations (canonical request and
// secret digest) and one HMAC (the signature) per request.

// keyCacheSize bounds the cache: one entry per (access key, day, Region),
// and a server sees few of those at once. When full, an arbitrary entry is
// evicted; a miss only costs four HMACs.
const keyCacheSize = 256

// keyID identifies a cached key. The secret appears only as its SHA-256
// digest, so a memory dump of the map keys does not hold secrets in plain
// text (the derived values are still secret-equivalent for a day, region
// and service).
type keyID struct {
	secret                [sha256.Size]byte
	date, region, service string
}

// keyCache is a small bounded, concurrency-safe map of signing keys.
type keyCache struct {
	mu   sync.Mutex
	keys map[keyID][]byte
	// derived counts derivations (cache misses), for tests and metrics.
	derived atomic.Uint64
}

func newKeyCache() *keyCache { return &keyCache{keys: make(map[keyID][]byte)} }

// get returns kSigning for the given scope, deriving and caching it on a
// miss. The returned slice is shared and must not be modified.
func (c *keyCache) get(secret, date, region, service string) []byte {
	id := keyID{secret: sha256.Sum256([]byte(secret)), date: date, region: region, service: service}
	c.mu.Lock()
	k, ok := c.keys[id]
	c.mu.Unlock()
	if ok {
		return k
	}
	// Derive outside the lock: two goroutines may both derive the same key
	// once, which is cheaper than serialising all misses.
	k = deriveSigningKey(secret, date, region, service)
	c.derived.Add(1)
	c.mu.Lock()
	if len(c.keys) >= keyCacheSize {
		for old := range c.keys {
			delete(c.keys, old)
			break
		}
	}
	c.keys[id] = k
	c.mu.Unlock()
	return k
}

func (c *keyCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.keys)
}

// deriveSigningKey is the SigV4 HMAC chain:
// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
func deriveSigningKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, terminator)
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
