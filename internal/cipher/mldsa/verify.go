package mldsa

import (
	"crypto/sha3"
	"crypto/subtle"
)

// VerifyMu reports whether sig is a valid signature of the 64-byte
// message representative μ: FIPS 204 ML-DSA.Verify_internal (Algorithm 8)
// with line 7's μ given. Any μ or signature of the wrong length, and any
// signature whose encoding sigDecode rejects, is invalid.
func (pk *PublicKey) VerifyMu(mu, sig []byte) bool {
	p := pk.p
	if len(mu) != MuSize || len(sig) != p.SignatureSize() {
		return false
	}
	// Lines 2–4.
	cTilde, z, h, ok := sigDecode(p, sig)
	if !ok {
		return false
	}
	// Line 13's norm bound, checked first: it needs nothing else and a
	// signature that fails it is invalid whatever follows.
	if maxNorm(z) >= p.gamma1-p.beta {
		return false
	}

	// Lines 8–10: w′ = A·z − c·t₁·2^d, then w₁′ = UseHint(h, w′).
	c := sampleInBall(p, cTilde)
	cHat := ntt(&c)
	zHat := make([]nttPoly, p.l)
	for j := range z {
		zHat[j] = ntt(&z[j])
	}
	w1 := make([]poly, p.k)
	for i := range p.k {
		acc := nttDot(pk.a[i*p.l:(i+1)*p.l], zHat)
		ct1 := nttMul(&cHat, &pk.t1[i])
		for j := range acc {
			acc[j] = fieldSub(acc[j], ct1[j])
		}
		wApprox := invNTT(&acc)
		for j, coef := range wApprox {
			w1[i][j] = useHint(p, h[i][j], coef)
		}
	}

	// Lines 12–13: c̃′ = H(μ ‖ w1Encode(w₁′), λ/4) must be c̃.
	hash := sha3.NewSHAKE256()
	_, _ = hash.Write(mu)
	_, _ = hash.Write(w1Encode(p, w1))
	cTilde2 := make([]byte, p.cTildeSize())
	_, _ = hash.Read(cTilde2)
	return subtle.ConstantTimeCompare(cTilde, cTilde2) == 1
}
