package mldsa

import "math/bits"

// Arithmetic in Z_q and in R_q = Z_q[X]/(X²⁵⁶ + 1), and the NTT between R_q
// and T_q (FIPS 204 §7.5).
//
// A field element is a uint32 in [0, q), always fully reduced, so that
// packing, comparison and the rounding functions need no normalisation
// step. Every operation here runs in time independent of its operands'
// values (no branches or table look-ups on them, no division
// instructions): signing feeds secret values through them.

// poly is an element of R_q, coefficients in [0, q).
type poly [n]uint32

// nttPoly is an element of T_q, the NTT representation of a poly.
type nttPoly [n]uint32

// reduceOnce maps a in [0, 2q) to a mod q.
func reduceOnce(a uint32) uint32 {
	r := a - q
	// r's top bit is set iff a < q (a − q wrapped around): add q back.
	return r + (q & uint32(int32(r)>>31))
}

func fieldAdd(a, b uint32) uint32 { return reduceOnce(a + b) }
func fieldSub(a, b uint32) uint32 { return reduceOnce(a - b + q) }
func fieldNeg(a uint32) uint32    { return reduceOnce(q - a) }

// barrettM is ⌊(2⁶⁴−1)/q⌋. For x < 2⁶³ (products of field elements are
// below q² < 2⁴⁶) the quotient estimate ⌊x·barrettM/2⁶⁴⌋ is ⌊x/q⌋ or one
// less, so one conditional subtraction finishes the reduction.
const barrettM = (1<<64 - 1) / q

// reduce maps x < 2⁴⁶ to x mod q.
func reduce(x uint64) uint32 {
	quot, _ := bits.Mul64(x, barrettM)
	return reduceOnce(uint32(x - quot*q))
}

func fieldMul(a, b uint32) uint32 { return reduce(uint64(a) * uint64(b)) }

// infinityNorm is |a mod± q|, the absolute value of a's centred
// representative in (−q/2, q/2] (FIPS 204 §2.3).
func infinityNorm(a uint32) uint32 {
	// mask is all ones iff a > (q−1)/2, i.e. a stands for a − q < 0.
	mask := uint32(int32((q-1)/2-a) >> 31)
	return a ^ ((a ^ (q - a)) & mask)
}

// ctMax returns max(m, a) for m, a below 2³¹ without branching.
func ctMax(m, a uint32) uint32 {
	// m − a is negative iff a is the larger.
	mask := uint32(int32(m-a) >> 31)
	return m ^ ((m ^ a) & mask)
}

// maxNorm returns ‖v‖∞ over the coefficients of a vector of polys,
// without branching on them.
func maxNorm(v []poly) uint32 {
	var m uint32
	for i := range v {
		for _, c := range v[i] {
			m = ctMax(m, infinityNorm(c))
		}
	}
	return m
}

// zetas[i] is ζ^BitRev₈(i) mod q for ζ = 1753, the 512th root of unity of
// FIPS 204 Appendix B. It is computed rather than transcribed, so that it
// cannot hold a typo.
var zetas = func() (z [n]uint32) {
	const zeta = 1753
	var pow [n]uint32 // pow[i] = ζ^i
	pow[0] = 1
	for i := 1; i < n; i++ {
		pow[i] = fieldMul(pow[i-1], zeta)
	}
	for i := range z {
		z[i] = pow[bits.Reverse8(uint8(i))]
	}
	return z
}()

// ntt is FIPS 204 Algorithm 41.
func ntt(f *poly) nttPoly {
	w := nttPoly(*f)
	m := 0
	for length := 128; length >= 1; length /= 2 {
		for start := 0; start < n; start += 2 * length {
			m++
			z := zetas[m]
			for j := start; j < start+length; j++ {
				t := fieldMul(z, w[j+length])
				w[j+length] = fieldSub(w[j], t)
				w[j] = fieldAdd(w[j], t)
			}
		}
	}
	return w
}

// invNTT is FIPS 204 Algorithm 42.
func invNTT(w *nttPoly) poly {
	f := poly(*w)
	m := n
	for length := 1; length < n; length *= 2 {
		for start := 0; start < n; start += 2 * length {
			m--
			z := q - zetas[m] // −ζ^BitRev₈(m)
			for j := start; j < start+length; j++ {
				t := f[j]
				f[j] = fieldAdd(t, f[j+length])
				f[j+length] = fieldMul(z, fieldSub(t, f[j+length]))
			}
		}
	}
	const nInv = 8347681 // 256⁻¹ mod q
	for j := range f {
		f[j] = fieldMul(f[j], nInv)
	}
	return f
}

// nttDot returns Σ row[j]∘v[j], the product in T_q being coefficient-wise
// (FIPS 204 Algorithms 45 and 48 for one row of a matrix). It sums the
// 64-bit products and reduces once: at most 8 products of q² < 2⁴⁶ stay
// far below 2⁶³.
func nttDot(row, v []nttPoly) nttPoly {
	var acc [n]uint64
	for j := range row {
		for i := range acc {
			acc[i] += uint64(row[j][i]) * uint64(v[j][i])
		}
	}
	var r nttPoly
	for i := range r {
		r[i] = reduce(acc[i])
	}
	return r
}

// nttMul returns a∘b (FIPS 204 Algorithm 45).
func nttMul(a, b *nttPoly) nttPoly {
	var r nttPoly
	for i := range r {
		r[i] = fieldMul(a[i], b[i])
	}
	return r
}

func polyAdd(a, b *poly) poly {
	var r poly
	for i := range r {
		r[i] = fieldAdd(a[i], b[i])
	}
	return r
}

func polySub(a, b *poly) poly {
	var r poly
	for i := range r {
		r[i] = fieldSub(a[i], b[i])
	}
	return r
}

// matrixMul sets out (length k) to NTT⁻¹(Â ∘ v̂) for the k × l matrix Â
// (row-major) and the vector v̂ of length l (FIPS 204 Algorithm 48
// followed by NTT⁻¹).
func matrixMul(p *Params, out []poly, a, v []nttPoly) {
	for i := range p.k {
		acc := nttDot(a[i*p.l:(i+1)*p.l], v)
		out[i] = invNTT(&acc)
	}
}
