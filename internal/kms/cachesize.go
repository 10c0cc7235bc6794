package kms

// DefaultCacheKeys is how many keys' decoded records, unsealed material
// versions and compiled key policies the service keeps in memory unless
// Config.CacheKeys says otherwise (trent serve --cache-keys). A cached key
// costs a few kilobytes of heap (docs/benchmarks.md, "Scale"), so the
// default keeps the caches to tens of megabytes; a store whose working set
// is larger gets every request served, at the price of a store read, an
// unseal or a policy compilation per miss.
const DefaultCacheKeys = 16384

// evictOne removes one entry of a full cache map. Go starts every map
// iteration at a random position, so this is random eviction: no
// bookkeeping per hit, and, unlike emptying the whole cache, no moment at
// which every hot key misses at once.
func evictOne[K comparable, V any](m map[K]V) {
	for k := range m {
		delete(m, k)
		return
	}
}
