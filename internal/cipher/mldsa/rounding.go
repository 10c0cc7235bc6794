package mldsa

// The rounding functions of FIPS 204 §7.4 (Algorithms 35–40). Inputs and
// outputs that are elements of Z_q are fully reduced field elements; the
// "low" parts, which are small signed numbers, are int32. Power2Round,
// Decompose and MakeHint see secret values while signing (t, w, w − cs₂),
// so they are branch-free; UseHint only runs on public values.

// ctEqMask returns all ones if a == b and zero otherwise. a and b are
// below 2³¹.
func ctEqMask(a, b uint32) uint32 {
	x := a ^ b
	// x | −x has its top bit set iff x ≠ 0.
	return ^uint32(int32(x|-x) >> 31)
}

// power2Round is FIPS 204 Algorithm 35: r = r₁·2^d + r₀ with r₀ in
// (−2^(d−1), 2^(d−1)]. r₀ is returned as a field element (r₀ mod q), the
// form in which skDecode returns t₀, so the two compare directly.
func power2Round(r uint32) (r1, r0 uint32) {
	const half, full = 1 << (d - 1), 1 << d
	low := r & (full - 1)
	// mask is all ones iff low > 2^(d−1): then r₀ = low − 2^d < 0.
	mask := uint32(int32(half-low) >> 31)
	r1 = r>>d + (1 & mask)
	r0 = low + ((q - full) & mask)
	return r1, r0
}

// decompose is FIPS 204 Algorithm 36: r = r₁·2γ₂ + r₀ with r₀ in
// (−γ₂, γ₂], except that r − r₀ = q − 1 gives r₁ = 0 and r₀ − 1.
func decompose(p *Params, r uint32) (r1 uint32, r0 int32) {
	// One copy per γ₂, so that each division is by a constant, which the
	// compiler turns into a multiplication (no variable-time DIV).
	if p.gamma2 == (q-1)/88 {
		const g2, m = (q - 1) / 88, 44
		quo := r / (2 * g2)
		return decomposeFinish(quo, r-quo*(2*g2), g2, m)
	}
	const g2, m = (q - 1) / 32, 16
	quo := r / (2 * g2)
	return decomposeFinish(quo, r-quo*(2*g2), g2, m)
}

// decomposeFinish completes decompose from r = quo·2γ₂ + rem, rem in
// [0, 2γ₂), for m = (q−1)/2γ₂.
func decomposeFinish(quo, rem, g2, m uint32) (r1 uint32, r0 int32) {
	// r₀ = rem mod± 2γ₂: rem > γ₂ stands for rem − 2γ₂, one more 2γ₂ in r₁.
	mask := uint32(int32(g2-rem) >> 31)
	r1 = quo + (1 & mask)
	r0 = int32(rem - (2 * g2 & mask))
	// r − r₀ = q − 1 exactly when r₁ = m.
	edge := ctEqMask(r1, m)
	r1 &^= edge
	r0 -= int32(1 & edge)
	return r1, r0
}

// highBits is FIPS 204 Algorithm 37.
func highBits(p *Params, r uint32) uint32 {
	r1, _ := decompose(p, r)
	return r1
}

// lowBitsNorm returns |LowBits(r)| (FIPS 204 Algorithm 38), branch-free.
func lowBitsNorm(p *Params, r uint32) uint32 {
	_, r0 := decompose(p, r)
	sign := r0 >> 31
	return uint32((r0 ^ sign) - sign)
}

// makeHint is FIPS 204 Algorithm 39: 1 if adding z to r changes its high
// bits, 0 otherwise.
func makeHint(p *Params, z, r uint32) uint8 {
	return uint8(1 &^ ctEqMask(highBits(p, r), highBits(p, fieldAdd(r, z))))
}

// useHint is FIPS 204 Algorithm 40.
func useHint(p *Params, h uint8, r uint32) uint32 {
	m := (q - 1) / (2 * p.gamma2)
	r1, r0 := decompose(p, r)
	switch {
	case h == 1 && r0 > 0:
		return (r1 + 1) % m
	case h == 1:
		return (r1 + m - 1) % m
	}
	return r1
}
