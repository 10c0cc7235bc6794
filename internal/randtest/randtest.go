// Package randtest has stand-ins for crypto/rand for tests: a reproducible
// source for known-answer tests and a failing one to prove randomness errors
// are returned, not ignored. Only tests import it.
package randtest

import "errors"

// Counting returns next, next+1, next+2, ... (wrapping at 255).
type Counting struct{ Next byte }

// Read fills p with the counting sequence.
func (r *Counting) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r.Next
		r.Next++
	}
	return len(p), nil
}

// ErrNoEntropy is what Failing returns.
var ErrNoEntropy = errors.New("randtest: no entropy")

// Failing fails every read.
type Failing struct{}

// Read always fails.
func (Failing) Read([]byte) (int, error) { return 0, ErrNoEntropy }
