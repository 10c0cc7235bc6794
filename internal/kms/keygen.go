package kms

import (
	"context"
	"runtime"
	"sync"

	"github.com/trent-kms/trent/internal/cipher"
	"github.com/trent-kms/trent/internal/kmserr"
)

// Key generation must not slow the requests that do not generate keys.
// Generating an RSA_4096 key takes a core for half a second or more; a
// burst of CreateKey or GenerateDataKeyPair requests would otherwise take
// every core from Encrypt and Decrypt. Two measures keep it in its place:
//
//   - The limiter: at most half the cores (at least one) generate at once;
//     a generation request waits its turn (or its deadline).
//   - Priority (Linux): each generation runs on an OS thread of its own at
//     the lowest scheduling priority (keygenNice), and the process has as
//     many extra Ps (GOMAXPROCS) as there are generation slots. The other
//     requests keep every core; the kernel gives generation the time they
//     leave. A thread's priority cannot be raised again without privilege,
//     so the thread is used once: the goroutine locks it and exits
//     locked, which ends the thread.
//
// Generation never runs inside a store transaction.
type keygenLimiter chan struct{}

// keygenNice is the nice value of generation threads. Against a normal
// thread on a busy core, CFS gives it 110/(1024+110), about a tenth of the
// core: the other requests lose little, and an RSA_4096 key still comes
// within seconds (about ten times its idle time) rather than waiting for
// the load to pass. (At nice 19 it would get 1.5% and time out under
// sustained load.)
const keygenNice = 10

var (
	keygenSlotsOnce sync.Once
	keygenSlots     int
)

// reserveKeygenProcs sizes the limiter, once per process, and, where
// generation threads run at low priority, adds a P per slot so that the
// other requests keep all the cores they had.
func reserveKeygenProcs() int {
	keygenSlotsOnce.Do(func() {
		procs := runtime.GOMAXPROCS(0)
		keygenSlots = max(1, procs/2)
		if lowPriorityThreads {
			runtime.GOMAXPROCS(procs + keygenSlots)
		}
	})
	return keygenSlots
}

func newKeygenLimiter() keygenLimiter {
	return make(keygenLimiter, reserveKeygenProcs())
}

// generate makes new key material of kind, waiting for a generation slot.
// Symmetric and HMAC material is a read of random bytes and skips the
// queue. A request whose deadline passes stops waiting; a generation
// already started finishes and frees its slot.
func (s *Service) generate(ctx context.Context, kind cipher.Kind) (cipher.Key, error) {
	if cheapToGenerate(kind) {
		return s.generateNow(kind)
	}
	select {
	case s.keygen <- struct{}{}:
	case <-ctx.Done():
		return nil, kmserr.Internal(context.Cause(ctx))
	}
	type result struct {
		key cipher.Key
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() { <-s.keygen }()
		lowerThreadPriority()
		key, err := s.generateNow(kind)
		done <- result{key, err}
	}()
	select {
	case r := <-done:
		return r.key, r.err
	case <-ctx.Done():
		return nil, kmserr.Internal(context.Cause(ctx))
	}
}

func (s *Service) generateNow(kind cipher.Kind) (cipher.Key, error) {
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
