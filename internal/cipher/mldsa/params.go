// Package mldsa implements the two halves of ML-DSA (FIPS 204) that
// github.com/cloudflare/circl does not expose: ML-DSA.Sign_internal and
// ML-DSA.Verify_internal started from the message representative μ rather
// than from a message (Algorithm 7 from line 7, Algorithm 8 with μ given).
// That is what AWS KMS's EXTERNAL_MU message type needs: the caller has
// already computed μ = H(tr ‖ M′, 64) and the key signs it as it is.
//
// Key generation and signing of messages stay with circl; this package
// reads the FIPS 204 encodings of keys (pkEncode, skEncode) and writes and
// reads signatures (sigEncode), so the two implementations interoperate
// and check each other.
//
// It is written from FIPS 204 (August 2024); the section and algorithm
// numbers in the comments are that document's.
package mldsa

import "math/bits"

// The constants of every parameter set (FIPS 204 §4).
const (
	n = 256     // coefficients of a polynomial
	q = 8380417 // the modulus, 2²³ − 2¹³ + 1
	d = 13      // bits dropped from t (Power2Round)

	// MuSize is the length of μ, the 64-byte message representative.
	MuSize = 64
	// RndSize is the length of rnd, the per-signature randomness of
	// hedged signing (all zero for deterministic signing).
	RndSize = 32

	seedSize = 32 // ρ and K
	trSize   = 64 // tr = H(pk, 64)
)

// Params is one ML-DSA parameter set (FIPS 204 Table 1). The three sets
// are the package variables MLDSA44, MLDSA65 and MLDSA87.
type Params struct {
	name   string
	k, l   int    // the matrix A is k × l
	eta    int    // η, the bound of the secret coefficients
	tau    int    // τ, the number of ±1 in the challenge c
	beta   uint32 // β = τ·η
	gamma1 uint32 // γ₁, the range of the mask y
	gamma2 uint32 // γ₂, the low-order rounding range
	omega  int    // ω, the most hint bits a signature may carry
	lambda int    // λ, the collision strength: c̃ has λ/4 bytes
}

// The parameter sets of FIPS 204 Table 1.
var (
	MLDSA44 = &Params{name: "ML-DSA-44", k: 4, l: 4, eta: 2, tau: 39, beta: 78, gamma1: 1 << 17, gamma2: (q - 1) / 88, omega: 80, lambda: 128}
	MLDSA65 = &Params{name: "ML-DSA-65", k: 6, l: 5, eta: 4, tau: 49, beta: 196, gamma1: 1 << 19, gamma2: (q - 1) / 32, omega: 55, lambda: 192}
	MLDSA87 = &Params{name: "ML-DSA-87", k: 8, l: 7, eta: 2, tau: 60, beta: 120, gamma1: 1 << 19, gamma2: (q - 1) / 32, omega: 75, lambda: 256}
)

// String returns the parameter set's name, e.g. "ML-DSA-65".
func (p *Params) String() string { return p.name }

// The widths, in bits, of the packed coefficients (FIPS 204 §7.2).
func (p *Params) etaBits() int    { return bits.Len(uint(2 * p.eta)) }          // s₁, s₂: η − s in [0, 2η]
func (p *Params) gamma1Bits() int { return 1 + bits.Len32(p.gamma1-1) }         // z: γ₁ − z in [0, 2γ₁)
func (p *Params) w1Bits() int     { return bits.Len32((q-1)/(2*p.gamma2) - 1) } // w₁ in [0, (q−1)/2γ₂)

const (
	t1Bits = 23 - d // bitlen(q−1) − d
	t0Bits = d      // 2^(d−1) − t₀ in [0, 2^d)
)

func (p *Params) cTildeSize() int { return p.lambda / 4 }

// PublicKeySize is the length of pkEncode (FIPS 204 Algorithm 22).
func (p *Params) PublicKeySize() int { return seedSize + p.k*n*t1Bits/8 }

// PrivateKeySize is the length of skEncode (FIPS 204 Algorithm 24).
func (p *Params) PrivateKeySize() int {
	return 2*seedSize + trSize + (p.k+p.l)*n*p.etaBits()/8 + p.k*n*t0Bits/8
}

// SignatureSize is the length of sigEncode (FIPS 204 Algorithm 26).
func (p *Params) SignatureSize() int {
	return p.cTildeSize() + p.l*n*p.gamma1Bits()/8 + p.omega + p.k
}
