package mldsa

import (
	"crypto/sha3"
	"errors"
)

// errSigningLoop is returned if κ would outgrow its two-byte encoding in
// ExpandMask, after more than 9,000 rejected candidates (65,536/ℓ). FIPS
// 204 Appendix C lets an implementation bound the loop; each candidate
// passes with probability above 1/6 (the expected repetitions of Table 1),
// so reaching this bound is far less likely than 2⁻¹⁰⁰⁰.
var errSigningLoop = errors.New("mldsa: signing did not terminate")

// SignMu signs the 64-byte message representative μ: FIPS 204
// ML-DSA.Sign_internal (Algorithm 7) from line 7 on, μ being what line 6
// would compute. rnd is the hedging randomness of line 1 of ML-DSA.Sign
// (Algorithm 2), 32 fresh random bytes; all zeros gives the deterministic
// variant. The signature is sigEncode bytes (Algorithm 26).
func (sk *PrivateKey) SignMu(mu []byte, rnd *[RndSize]byte) ([]byte, error) {
	if len(mu) != MuSize {
		return nil, ErrMuSize
	}
	p := sk.p

	// Line 7: ρ″ ← H(K ‖ rnd ‖ μ, 64), the seed of the masks.
	var rhoPP [64]byte
	h := sha3.NewSHAKE256()
	_, _ = h.Write(sk.key[:])
	_, _ = h.Write(rnd[:])
	_, _ = h.Write(mu)
	_, _ = h.Read(rhoPP[:])

	// The candidate's vectors, reused by every iteration and zeroed at
	// the end: y, w and everything derived from them would reveal s₁ and
	// s₂ together with the signature.
	var (
		y     = make([]poly, p.l)
		yHat  = make([]nttPoly, p.l)
		z     = make([]poly, p.l)
		w     = make([]poly, p.k)
		w1    = make([]poly, p.k)
		r     = make([]poly, p.k) // w − ⟨⟨cs₂⟩⟩
		ct0   = make([]poly, p.k)
		hints = make([]hint, p.k)
		c     poly
		cHat  nttPoly
		prod  nttPoly
		cs    poly
	)
	defer func() {
		clear(rhoPP[:])
		clear(y)
		clear(yHat)
		clear(z)
		clear(w)
		clear(w1)
		clear(r)
		clear(ct0)
		clear(hints)
		clear(cs[:])
		clear(prod[:])
	}()
	cTilde := make([]byte, p.cTildeSize())

	for kappa := 0; kappa+p.l <= 1<<16; kappa += p.l {
		// Lines 11–13: y, w = A·y and its high bits w₁.
		expandMask(p, y, &rhoPP, kappa)
		for j := range y {
			yHat[j] = ntt(&y[j])
		}
		matrixMul(p, w, sk.pub.a, yHat)
		for i := range w {
			for j, coef := range w[i] {
				w1[i][j] = highBits(p, coef)
			}
		}

		// Lines 15–17: the challenge c̃ = H(μ ‖ w1Encode(w₁), λ/4) and c.
		h.Reset()
		_, _ = h.Write(mu)
		_, _ = h.Write(w1Encode(p, w1))
		_, _ = h.Read(cTilde)
		c = sampleInBall(p, cTilde)
		cHat = ntt(&c)

		// Lines 18–21: z = y + cs₁ and r₀ = LowBits(w − cs₂).
		for j := range z {
			prod = nttMul(&cHat, &sk.s1[j])
			cs = invNTT(&prod)
			z[j] = polyAdd(&y[j], &cs)
		}
		var r0Norm uint32
		for i := range r {
			prod = nttMul(&cHat, &sk.s2[i])
			cs = invNTT(&prod)
			r[i] = polySub(&w[i], &cs)
			for _, coef := range r[i] {
				r0Norm = ctMax(r0Norm, lowBitsNorm(p, coef))
			}
		}
		// Line 23: reject if z or r₀ could reveal the secret.
		if maxNorm(z) >= p.gamma1-p.beta || r0Norm >= p.gamma2-p.beta {
			continue
		}

		// Lines 25–27: ct₀ and the hint h = MakeHint(−ct₀, w − cs₂ + ct₀).
		for i := range ct0 {
			prod = nttMul(&cHat, &sk.t0[i])
			ct0[i] = invNTT(&prod)
		}
		ones := 0
		for i := range hints {
			for j := range hints[i] {
				hb := makeHint(p, fieldNeg(ct0[i][j]), fieldAdd(r[i][j], ct0[i][j]))
				hints[i][j] = hb
				ones += int(hb)
			}
		}
		if maxNorm(ct0) >= p.gamma2 || ones > p.omega {
			continue
		}
		return sigEncode(p, cTilde, z, hints), nil
	}
	return nil, errSigningLoop
}
