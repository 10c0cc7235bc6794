package mldsa

import (
	"crypto/sha3"
	"encoding/binary"
)

// The pseudorandom sampling of FIPS 204 §7.3: H is SHAKE256 and G is
// SHAKE128 (§3.7).

// rejNTTPoly is FIPS 204 Algorithm 30: a uniform element of T_q drawn by
// rejection from G(seed), 23 bits of every three bytes
// (CoeffFromThreeBytes, Algorithm 14). Only public values (ρ) go in.
func rejNTTPoly(seed []byte) nttPoly {
	g := sha3.NewSHAKE128()
	_, _ = g.Write(seed)
	var a nttPoly
	var buf [168]byte // one SHAKE128 block, a multiple of three bytes
	j := 0
	for j < n {
		_, _ = g.Read(buf[:])
		for i := 0; i+3 <= len(buf) && j < n; i += 3 {
			z := uint32(buf[i]) | uint32(buf[i+1])<<8 | uint32(buf[i+2]&0x7f)<<16
			if z < q {
				a[j] = z
				j++
			}
		}
	}
	return a
}

// expandA is FIPS 204 Algorithm 32: the k × l matrix Â, row-major, whose
// entry (r, s) is drawn from ρ ‖ s ‖ r (column first).
func expandA(p *Params, rho *[seedSize]byte) []nttPoly {
	a := make([]nttPoly, p.k*p.l)
	seed := make([]byte, seedSize+2)
	copy(seed, rho[:])
	for r := range p.k {
		for s := range p.l {
			seed[seedSize] = byte(s)
			seed[seedSize+1] = byte(r)
			a[r*p.l+s] = rejNTTPoly(seed)
		}
	}
	return a
}

// expandMask is FIPS 204 Algorithm 34: it sets y (length l) to the mask,
// coefficients in (−γ₁, γ₁], drawn from H(ρ″ ‖ IntegerToBytes(κ + r, 2)).
func expandMask(p *Params, y []poly, rhoPP *[64]byte, kappa int) {
	width := p.gamma1Bits()
	v := make([]byte, n*width/8)
	seed := make([]byte, 64+2)
	copy(seed, rhoPP[:])
	for r := range p.l {
		binary.LittleEndian.PutUint16(seed[64:], uint16(kappa+r))
		h := sha3.NewSHAKE256()
		_, _ = h.Write(seed)
		_, _ = h.Read(v)
		// BitUnpack(v, γ₁ − 1, γ₁): each coefficient is γ₁ − the value.
		y[r] = unpackBits(v, width)
		for i := range y[r] {
			y[r][i] = fieldSub(p.gamma1, y[r][i])
		}
	}
	clear(v)
	clear(seed)
}

// sampleInBall is FIPS 204 Algorithm 29: the challenge c, with τ
// coefficients ±1 and the rest 0, from H(c̃) (the whole λ/4 bytes of c̃).
func sampleInBall(p *Params, cTilde []byte) poly {
	h := sha3.NewSHAKE256()
	_, _ = h.Write(cTilde)
	var s [8]byte
	_, _ = h.Read(s[:])
	signs := binary.LittleEndian.Uint64(s[:])
	var c poly
	var b [1]byte
	for i := n - p.tau; i < n; i++ {
		for {
			_, _ = h.Read(b[:])
			if int(b[0]) <= i {
				break
			}
		}
		j := b[0]
		c[i] = c[j]
		// (−1)^h[i+τ−256], the bits of s consumed in order: 1 or q − 1,
		// chosen without a branch (the challenges of rejected candidates
		// stay secret).
		c[j] = 1 + ((q - 2) & -uint32(signs&1))
		signs >>= 1
	}
	return c
}
