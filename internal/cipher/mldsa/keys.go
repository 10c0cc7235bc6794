package mldsa

import (
	"crypto/sha3"
	"crypto/subtle"
	"errors"
)

// Errors of key decoding and signing. None quotes key bytes.
var (
	ErrPublicKeySize     = errors.New("mldsa: public key has the wrong length for the parameter set")
	ErrPrivateKeySize    = errors.New("mldsa: private key has the wrong length for the parameter set")
	ErrInvalidPrivateKey = errors.New("mldsa: private key is not a consistent ML-DSA key")
	ErrMuSize            = errors.New("mldsa: μ must be 64 bytes")
)

// PublicKey is a decoded ML-DSA public key, with the values every
// verification needs (Â, NTT(t₁·2^d), tr) computed once. It is immutable
// and safe for concurrent use.
type PublicKey struct {
	p   *Params
	enc []byte
	a   []nttPoly // Â = ExpandA(ρ), k × l row-major
	t1  []nttPoly // NTT(t₁·2^d)
	tr  [trSize]byte
}

// NewPublicKey decodes pkEncode bytes (FIPS 204 Algorithm 23) of
// parameter set p. It keeps a copy of pk.
func NewPublicKey(p *Params, pk []byte) (*PublicKey, error) {
	if len(pk) != p.PublicKeySize() {
		return nil, ErrPublicKeySize
	}
	rho, t1 := pkDecode(p, pk)
	return newPublicKey(p, append([]byte(nil), pk...), expandA(p, &rho), t1), nil
}

// newPublicKey finishes a public key from its encoding enc, its matrix Â
// and t₁.
func newPublicKey(p *Params, enc []byte, a []nttPoly, t1 []poly) *PublicKey {
	pk := &PublicKey{p: p, enc: enc, a: a, t1: make([]nttPoly, p.k)}
	for i := range t1 {
		var shifted poly
		for j, c := range t1[i] {
			shifted[j] = c << d // at most (2¹⁰ − 1)·2¹³ = q − 1
		}
		pk.t1[i] = ntt(&shifted)
	}
	h := sha3.NewSHAKE256()
	_, _ = h.Write(enc)
	_, _ = h.Read(pk.tr[:])
	return pk
}

// Bytes returns the key's pkEncode bytes, a copy.
func (pk *PublicKey) Bytes() []byte { return append([]byte(nil), pk.enc...) }

// Params returns the key's parameter set.
func (pk *PublicKey) Params() *Params { return pk.p }

// PrivateKey is a decoded ML-DSA private key, its secret vectors in NTT
// form, with its public key. It is immutable and safe for concurrent use.
type PrivateKey struct {
	p          *Params
	key        [seedSize]byte // K, the seed of the per-signature mask
	s1, s2, t0 []nttPoly
	pub        *PublicKey // shares Â
}

// NewPrivateKey decodes skEncode bytes (FIPS 204 Algorithm 25) of
// parameter set p. The encoding is redundant (t₀ and tr follow from ρ, s₁
// and s₂), so it checks every part: s₁ and s₂ within [−η, η], t₀ the low
// bits of t = A·s₁ + s₂, tr the hash of the public key that the high bits
// of t make. A key that fails is ErrInvalidPrivateKey. NewPrivateKey does
// not keep sk.
func NewPrivateKey(p *Params, sk []byte) (*PrivateKey, error) {
	if len(sk) != p.PrivateKeySize() {
		return nil, ErrPrivateKeySize
	}
	dk, ok := skDecode(p, sk)
	defer func() {
		clear(dk.key[:])
		clear(dk.s1)
		clear(dk.s2)
		clear(dk.t0)
	}()
	if !ok {
		return nil, ErrInvalidPrivateKey
	}
	priv := &PrivateKey{
		p:   p,
		key: dk.key,
		s1:  make([]nttPoly, p.l),
		s2:  make([]nttPoly, p.k),
		t0:  make([]nttPoly, p.k),
	}
	for i := range dk.s1 {
		priv.s1[i] = ntt(&dk.s1[i])
	}
	for i := range dk.s2 {
		priv.s2[i] = ntt(&dk.s2[i])
	}
	for i := range dk.t0 {
		priv.t0[i] = ntt(&dk.t0[i])
	}

	// t = NTT⁻¹(Â ∘ NTT(s₁)) + s₂, split by Power2Round (FIPS 204
	// Algorithm 6, lines 5–6).
	a := expandA(p, &dk.rho)
	t := make([]poly, p.k)
	matrixMul(p, t, a, priv.s1)
	t1 := make([]poly, p.k)
	var diff uint32
	for i := range t {
		t[i] = polyAdd(&t[i], &dk.s2[i])
		for j, c := range t[i] {
			hi, lo := power2Round(c)
			t1[i][j] = hi
			diff |= lo ^ dk.t0[i][j]
		}
	}
	clear(t)
	rho := dk.rho
	pub := newPublicKey(p, pkEncode(p, &rho, t1), a, t1)
	if diff != 0 || subtle.ConstantTimeCompare(pub.tr[:], dk.tr[:]) != 1 {
		priv.wipe()
		return nil, ErrInvalidPrivateKey
	}
	priv.pub = pub
	return priv, nil
}

// PublicKey returns the key's public key.
func (sk *PrivateKey) PublicKey() *PublicKey { return sk.pub }

// Params returns the key's parameter set.
func (sk *PrivateKey) Params() *Params { return sk.p }

// wipe zeroes the secret parts of a key that is being discarded.
func (sk *PrivateKey) wipe() {
	clear(sk.key[:])
	clear(sk.s1)
	clear(sk.s2)
	clear(sk.t0)
}
