package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"hash"
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

// signingKey is a cached kSigning with the HMAC states keyed with it.
// hmac.New costs five allocations and two SHA-256 blocks (the padded key,
// inner and outer) per request; a pooled HMAC that is Reset starts again
// from its saved keyed state, with neither.
type signingKey struct {
	key  []byte
	macs sync.Pool // of *macState
}

// macState is an HMAC keyed with a signingKey's key, and a buffer for its
// input and output. Whatever is passed to a hash.Hash method escapes to the
// heap (it is an interface call), so the caller's stack buffers are copied
// here rather than handed over.
type macState struct {
	mac hash.Hash
	buf []byte
}

// sign sets out to HMAC-SHA256(key, msg).
func (k *signingKey) sign(out *[sha256.Size]byte, msg []byte) {
	s, _ := k.macs.Get().(*macState)
	if s == nil {
		s = &macState{mac: hmac.New(sha256.New, k.key), buf: make([]byte, 0, 256)}
	}
	s.buf = append(s.buf[:0], msg...)
	s.mac.Write(s.buf)
	s.buf = s.mac.Sum(s.buf[:0])
	copy(out[:], s.buf)
	s.mac.Reset()
	k.macs.Put(s)
}

// keyCache is a small bounded, concurrency-safe map of signing keys.
type keyCache struct {
	mu   sync.Mutex
	keys map[keyID]*signingKey
	// derived counts derivations (cache misses), for tests and metrics.
	derived atomic.Uint64
}

func newKeyCache() *keyCache { return &keyCache{keys: make(map[keyID]*signingKey)} }

// get returns kSigning for the given scope, deriving and caching it on a
// miss. The returned slice is shared and must not be modified.
func (c *keyCache) get(secret, date, region, service string) []byte {
	return c.entry(secret, date, region, service).key
}

// entry is get with the key's HMAC pool.
func (c *keyCache) entry(secret, date, region, service string) *signingKey {
	id := keyID{secret: secretDigest(secret), date: date, region: region, service: service}
	c.mu.Lock()
	k, ok := c.keys[id]
	c.mu.Unlock()
	if ok {
		return k
	}
	// Derive outside the lock: two goroutines may both derive the same key
	// once, which is cheaper than serialising all misses.
	k = &signingKey{key: deriveSigningKey(secret, date, region, service)}
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

// secretDigest is the SHA-256 of secret. The secret is copied to the stack
// to be hashed: []byte(secret) would allocate for any real secret (40
// characters), on every request.
func secretDigest(secret string) [sha256.Size]byte {
	var buf [128]byte
	return sha256.Sum256(append(buf[:0], secret...))
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
