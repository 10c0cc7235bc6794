package kms

import (
	"context"
	"runtime"

	"github.com/trent-kms/trent/internal/cipher"
	"github.com/trent-kms/trent/internal/kmserr"
)

// keygenLimiter bounds how many key generations run at once. Generating an
// RSA_4096 key takes a core for a second or more; unbounded, a burst of
// CreateKey or GenerateDataKeyPair requests would take every core and
// stall Encrypt and Decrypt on other keys. With half the cores (at least
// one) for generation, the rest keep serving: a generation request waits
// its turn (or its deadline), the others do not notice. Generation never
// runs inside a store transaction.
type keygenLimiter chan struct{}

func newKeygenLimiter() keygenLimiter {
	return make(keygenLimiter, max(1, runtime.GOMAXPROCS(0)/2))
}

// generate makes new key material of kind, waiting for a generation slot.
// Symmetric and HMAC material is a read of random bytes and skips the
// queue.
func (s *Service) generate(ctx context.Context, kind cipher.Kind) (cipher.Key, error) {
	if !cheapToGenerate(kind) {
		select {
		case s.keygen <- struct{}{}:
			defer func() { <-s.keygen }()
		case <-ctx.Done():
			return nil, kmserr.Internal(context.Cause(ctx))
		}
	}
	key, err := cipher.Generate(kind, s.rand)
	if err != nil {
		return nil, kmserr.Internal(err)
	}
	return key, nil
}

func cheapToGenerate(kind cipher.Kind) bool {
	switch kind {
	case cipher.KindAES256, cipher.KindHMAC224, cipher.KindHMAC256, cipher.KindHMAC384, cipher.KindHMAC512:
		return true
	}
	return false
}
