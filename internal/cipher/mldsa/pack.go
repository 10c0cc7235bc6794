package mldsa

// The encodings of FIPS 204 §7.1–7.2: bit packing of polynomials and the
// byte forms of keys and signatures.

// packBits appends the n coefficients of f, each an integer below
// 2^width, as one little-endian bit string (SimpleBitPack, Algorithm 16,
// whose IntegerToBits and BitsToBytes are both little-endian). BitPack
// (Algorithm 17) is packBits of b − f, which the callers compute.
func packBits(dst []byte, f *[n]uint32, width int) []byte {
	var acc uint64
	nbits := 0
	for _, c := range f {
		acc |= uint64(c) << nbits
		nbits += width
		for nbits >= 8 {
			dst = append(dst, byte(acc))
			acc >>= 8
			nbits -= 8
		}
	}
	return dst
}

// unpackBits reads n coefficients of width bits from the n·width/8 bytes
// of src (SimpleBitUnpack, Algorithm 18).
func unpackBits(src []byte, width int) (f [n]uint32) {
	var acc uint64
	nbits := 0
	mask := uint64(1)<<width - 1
	for i := range f {
		for nbits < width {
			acc |= uint64(src[0]) << nbits
			src = src[1:]
			nbits += 8
		}
		f[i] = uint32(acc & mask)
		acc >>= width
		nbits -= width
	}
	return f
}

// pkDecode is FIPS 204 Algorithm 23; pk has p.PublicKeySize() bytes.
// Every byte string of that length is a public key.
func pkDecode(p *Params, pk []byte) (rho [seedSize]byte, t1 []poly) {
	copy(rho[:], pk)
	pk = pk[seedSize:]
	size := n * t1Bits / 8
	t1 = make([]poly, p.k)
	for i := range t1 {
		t1[i] = unpackBits(pk[i*size:], t1Bits)
	}
	return rho, t1
}

// pkEncode is FIPS 204 Algorithm 22.
func pkEncode(p *Params, rho *[seedSize]byte, t1 []poly) []byte {
	out := make([]byte, 0, p.PublicKeySize())
	out = append(out, rho[:]...)
	for i := range t1 {
		out = packBits(out, (*[n]uint32)(&t1[i]), t1Bits)
	}
	return out
}

// decodedPrivateKey is skDecode's output (FIPS 204 Algorithm 25).
type decodedPrivateKey struct {
	rho, key   [seedSize]byte
	tr         [trSize]byte
	s1, s2, t0 []poly
}

// skDecode is FIPS 204 Algorithm 25; sk has p.PrivateKeySize() bytes. It
// returns false if a coefficient of s₁ or s₂ is outside [−η, η], which
// the bit width allows (values 2η+1 … 2^w − 1) but no key generation
// makes; such a key could sign with a wrong rejection bound. Every t₀
// field is in range.
func skDecode(p *Params, sk []byte) (*decodedPrivateKey, bool) {
	var dk decodedPrivateKey
	sk = sk[copy(dk.rho[:], sk):]
	sk = sk[copy(dk.key[:], sk):]
	sk = sk[copy(dk.tr[:], sk):]
	ew := p.etaBits()
	var bad uint32
	readEta := func(count int) []poly {
		v := make([]poly, count)
		for i := range v {
			raw := unpackBits(sk, ew)
			sk = sk[n*ew/8:]
			for j, c := range raw {
				// c > 2η sets bad's top bit.
				bad |= uint32(2*p.eta) - c
				v[i][j] = fieldSub(uint32(p.eta), c)
			}
		}
		return v
	}
	dk.s1 = readEta(p.l)
	dk.s2 = readEta(p.k)
	dk.t0 = make([]poly, p.k)
	for i := range dk.t0 {
		raw := unpackBits(sk, t0Bits)
		sk = sk[n*t0Bits/8:]
		for j, c := range raw {
			dk.t0[i][j] = fieldSub(1<<(d-1), c)
		}
	}
	return &dk, bad>>31 == 0
}

// w1Encode is FIPS 204 Algorithm 28.
func w1Encode(p *Params, w1 []poly) []byte {
	width := p.w1Bits()
	out := make([]byte, 0, p.k*n*width/8)
	for i := range w1 {
		out = packBits(out, (*[n]uint32)(&w1[i]), width)
	}
	return out
}

// hint is one polynomial of the hint vector h, coefficients 0 or 1.
type hint [n]uint8

// sigEncode is FIPS 204 Algorithm 26. The coefficients of z are below
// γ₁ − β in norm, so γ₁ − z is an integer in (0, 2γ₁).
func sigEncode(p *Params, cTilde []byte, z []poly, h []hint) []byte {
	out := make([]byte, 0, p.SignatureSize())
	out = append(out, cTilde...)
	var v [n]uint32
	for i := range z {
		for j, c := range z[i] {
			v[j] = fieldSub(p.gamma1, c)
		}
		out = packBits(out, &v, p.gamma1Bits())
	}
	// HintBitPack (Algorithm 20): the positions of the ones, polynomial
	// by polynomial, then each polynomial's running end index.
	hints := make([]byte, p.omega+p.k)
	index := 0
	for i := range h {
		for j, b := range h[i] {
			if b != 0 {
				hints[index] = byte(j)
				index++
			}
		}
		hints[p.omega+i] = byte(index)
	}
	return append(out, hints...)
}

// sigDecode is FIPS 204 Algorithm 27; sig has p.SignatureSize() bytes.
// It returns false where HintBitUnpack (Algorithm 21) returns ⊥: end
// indices that decrease or pass ω, positions not strictly increasing
// within a polynomial, or nonzero padding. These make the encoding of a
// signature unique.
func sigDecode(p *Params, sig []byte) (cTilde []byte, z []poly, h []hint, ok bool) {
	cTilde = sig[:p.cTildeSize()]
	sig = sig[p.cTildeSize():]
	width := p.gamma1Bits()
	z = make([]poly, p.l)
	for i := range z {
		z[i] = unpackBits(sig, width)
		sig = sig[n*width/8:]
		for j := range z[i] {
			z[i][j] = fieldSub(p.gamma1, z[i][j])
		}
	}
	y := sig
	h = make([]hint, p.k)
	index := 0
	for i := range h {
		end := int(y[p.omega+i])
		if end < index || end > p.omega {
			return nil, nil, nil, false
		}
		first := index
		for ; index < end; index++ {
			if index > first && y[index-1] >= y[index] {
				return nil, nil, nil, false
			}
			h[i][y[index]] = 1
		}
	}
	for _, b := range y[index:p.omega] {
		if b != 0 {
			return nil, nil, nil, false
		}
	}
	return cTilde, z, h, true
}
