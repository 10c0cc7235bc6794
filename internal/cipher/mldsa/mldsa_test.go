package mldsa

import (
	"bytes"
	"crypto/sha3"
	"math/rand/v2"
	"testing"

	"github.com/cloudflare/circl/sign/mldsa/mldsa44"
	"github.com/cloudflare/circl/sign/mldsa/mldsa65"
	"github.com/cloudflare/circl/sign/mldsa/mldsa87"
)

// The package's Wycheproof tests run in package cipher, through the key
// type that uses this package; these check the pieces against their
// definitions and the whole against circl.

func TestSizes(t *testing.T) {
	for _, c := range []struct {
		p           *Params
		pk, sk, sig int
	}{
		{MLDSA44, mldsa44.PublicKeySize, mldsa44.PrivateKeySize, mldsa44.SignatureSize},
		{MLDSA65, mldsa65.PublicKeySize, mldsa65.PrivateKeySize, mldsa65.SignatureSize},
		{MLDSA87, mldsa87.PublicKeySize, mldsa87.PrivateKeySize, mldsa87.SignatureSize},
	} {
		if c.p.PublicKeySize() != c.pk || c.p.PrivateKeySize() != c.sk || c.p.SignatureSize() != c.sig {
			t.Errorf("%v: sizes %d/%d/%d, want %d/%d/%d", c.p, c.p.PublicKeySize(), c.p.PrivateKeySize(),
				c.p.SignatureSize(), c.pk, c.sk, c.sig)
		}
	}
}

func randomPoly(r *rand.Rand) poly {
	var f poly
	for i := range f {
		f[i] = r.Uint32N(q)
	}
	return f
}

// TestNTTMultiplies checks that NTT⁻¹(NTT(a) ∘ NTT(b)) is the product in
// Z_q[X]/(X²⁵⁶+1), computed by schoolbook multiplication, and that
// NTT⁻¹ inverts NTT.
func TestNTTMultiplies(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 5 {
		a, b := randomPoly(r), randomPoly(r)
		var want poly
		for i := range n {
			for j := range n {
				prod := fieldMul(a[i], b[j])
				if i+j < n {
					want[i+j] = fieldAdd(want[i+j], prod)
				} else { // X²⁵⁶ = −1
					want[i+j-n] = fieldSub(want[i+j-n], prod)
				}
			}
		}
		aHat, bHat := ntt(&a), ntt(&b)
		prod := nttMul(&aHat, &bHat)
		if got := invNTT(&prod); got != want {
			t.Fatal("NTT product differs from the schoolbook product")
		}
		if back := invNTT(&aHat); back != a {
			t.Fatal("NTT⁻¹(NTT(a)) ≠ a")
		}
	}
}

// TestFieldArithmetic checks the branch-free operations against plain
// arithmetic on edge values and random ones.
func TestFieldArithmetic(t *testing.T) {
	vals := []uint32{0, 1, 2, q / 2, q/2 + 1, q - 2, q - 1}
	r := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		vals = append(vals, r.Uint32N(q))
	}
	for _, a := range vals {
		for _, b := range vals {
			if got, want := fieldMul(a, b), uint32(uint64(a)*uint64(b)%q); got != want {
				t.Fatalf("%d·%d = %d, want %d", a, b, got, want)
			}
			if got, want := fieldAdd(a, b), (a+b)%q; got != want {
				t.Fatalf("%d+%d = %d, want %d", a, b, got, want)
			}
			if got, want := fieldSub(a, b), (a+q-b)%q; got != want {
				t.Fatalf("%d−%d = %d, want %d", a, b, got, want)
			}
			if got, want := ctMax(a, b), max(a, b); got != want {
				t.Fatalf("max(%d, %d) = %d", a, b, got)
			}
		}
		want := a
		if a > (q-1)/2 {
			want = q - a
		}
		if got := infinityNorm(a); got != want {
			t.Fatalf("|%d| = %d, want %d", a, got, want)
		}
	}
}

// TestRounding checks Power2Round and Decompose against their definitions
// (FIPS 204 Algorithms 35 and 36) on every 97th element of Z_q and the
// edges, and UseHint against MakeHint (Lemma: UseHint(MakeHint(z, r), r)
// = HighBits(r + z) for small z).
func TestRounding(t *testing.T) {
	modPM := func(x, m int64) int64 { // x mod± m
		r := ((x % m) + m) % m
		if r > m/2 {
			r -= m
		}
		return r
	}
	check := func(r uint32) {
		r0 := modPM(int64(r), 1<<d)
		hi, lo := power2Round(r)
		if int64(hi) != (int64(r)-r0)>>d || lo != uint32((r0+q)%q) {
			t.Fatalf("Power2Round(%d) = %d, %d", r, hi, lo)
		}
		for _, p := range []*Params{MLDSA44, MLDSA65} {
			g2 := int64(p.gamma2)
			r0 := modPM(int64(r), 2*g2)
			var r1 int64
			if int64(r)-r0 == q-1 {
				r1, r0 = 0, r0-1
			} else {
				r1 = (int64(r) - r0) / (2 * g2)
			}
			g1, g0 := decompose(p, r)
			if int64(g1) != r1 || int64(g0) != r0 {
				t.Fatalf("%v: Decompose(%d) = %d, %d, want %d, %d", p, r, g1, g0, r1, r0)
			}
			abs := r0
			if abs < 0 {
				abs = -abs
			}
			if int64(lowBitsNorm(p, r)) != abs {
				t.Fatalf("%v: |LowBits(%d)| = %d", p, r, lowBitsNorm(p, r))
			}
		}
	}
	for r := uint32(0); r < q; r += 97 {
		check(r)
	}
	for _, r := range []uint32{q - 1, q - 2, 4096, 4097, 8191, 8192, (q - 1) / 88, (q-1)/88 + 1, (q - 1) / 32, (q-1)/32 + 1} {
		check(r)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, p := range []*Params{MLDSA44, MLDSA65} {
		for range 20000 {
			r := rng.Uint32N(q)
			z := (rng.Uint32N(2*p.gamma2) + q - p.gamma2) % q // |z| ≤ γ₂
			h := makeHint(p, z, r)
			if got, want := useHint(p, h, r), highBits(p, fieldAdd(r, z)); got != want {
				t.Fatalf("%v: UseHint(MakeHint(%d, %d)) = %d, want %d", p, z, r, got, want)
			}
		}
	}
}

func TestPackRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, width := range []int{3, 4, 6, 10, 13, 18, 20} {
		var f [n]uint32
		for i := range f {
			f[i] = r.Uint32N(1 << width)
		}
		b := packBits(nil, &f, width)
		if len(b) != n*width/8 || unpackBits(b, width) != f {
			t.Fatalf("width %d: pack/unpack round trip failed", width)
		}
	}
}

// circlKey is one parameter set of circl, the independent implementation.
type circlKey struct {
	p      *Params
	keygen func(seed *[32]byte) (pk, sk []byte)
	sign   func(sk, msg []byte) []byte
	verify func(pk, msg, sig []byte) bool
}

var circlKeys = []circlKey{
	{MLDSA44,
		func(seed *[32]byte) ([]byte, []byte) {
			pk, sk := mldsa44.NewKeyFromSeed(seed)
			return pk.Bytes(), sk.Bytes()
		},
		func(skb, msg []byte) []byte {
			var sk mldsa44.PrivateKey
			_ = sk.UnmarshalBinary(skb)
			sig := make([]byte, mldsa44.SignatureSize)
			_ = mldsa44.SignTo(&sk, msg, nil, true, sig)
			return sig
		},
		func(pkb, msg, sig []byte) bool {
			var pk mldsa44.PublicKey
			_ = pk.UnmarshalBinary(pkb)
			return mldsa44.Verify(&pk, msg, nil, sig)
		}},
	{MLDSA65,
		func(seed *[32]byte) ([]byte, []byte) {
			pk, sk := mldsa65.NewKeyFromSeed(seed)
			return pk.Bytes(), sk.Bytes()
		},
		func(skb, msg []byte) []byte {
			var sk mldsa65.PrivateKey
			_ = sk.UnmarshalBinary(skb)
			sig := make([]byte, mldsa65.SignatureSize)
			_ = mldsa65.SignTo(&sk, msg, nil, true, sig)
			return sig
		},
		func(pkb, msg, sig []byte) bool {
			var pk mldsa65.PublicKey
			_ = pk.UnmarshalBinary(pkb)
			return mldsa65.Verify(&pk, msg, nil, sig)
		}},
	{MLDSA87,
		func(seed *[32]byte) ([]byte, []byte) {
			pk, sk := mldsa87.NewKeyFromSeed(seed)
			return pk.Bytes(), sk.Bytes()
		},
		func(skb, msg []byte) []byte {
			var sk mldsa87.PrivateKey
			_ = sk.UnmarshalBinary(skb)
			sig := make([]byte, mldsa87.SignatureSize)
			_ = mldsa87.SignTo(&sk, msg, nil, true, sig)
			return sig
		},
		func(pkb, msg, sig []byte) bool {
			var pk mldsa87.PublicKey
			_ = pk.UnmarshalBinary(pkb)
			return mldsa87.Verify(&pk, msg, nil, sig)
		}},
}

// muOf is μ for msg with the empty context (FIPS 204 Algorithm 2, line
// 10, and Algorithm 7, line 6).
func muOf(pk, msg []byte) []byte {
	h := sha3.NewSHAKE256()
	_, _ = h.Write(pk)
	tr := make([]byte, 64)
	_, _ = h.Read(tr)
	h.Reset()
	_, _ = h.Write(tr)
	_, _ = h.Write([]byte{0, 0})
	_, _ = h.Write(msg)
	mu := make([]byte, 64)
	_, _ = h.Read(mu)
	return mu
}

// TestAgainstCircl checks this package and circl against each other: the
// decoded private key's public key is circl's, a signature of μ verifies
// with circl on the message, and circl's signature of the message
// verifies here.
func TestAgainstCircl(t *testing.T) {
	for _, c := range circlKeys {
		t.Run(c.p.String(), func(t *testing.T) {
			seed := [32]byte{byte(c.p.k), 1, 2, 3}
			pkb, skb := c.keygen(&seed)
			sk, err := NewPrivateKey(c.p, skb)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(sk.PublicKey().Bytes(), pkb) {
				t.Fatal("public key differs from circl's")
			}
			msg := []byte("message of the circl cross-check")
			mu := muOf(pkb, msg)
			rnd := [RndSize]byte{9}
			sig, err := sk.SignMu(mu, &rnd)
			if err != nil {
				t.Fatal(err)
			}
			if !c.verify(pkb, msg, sig) {
				t.Fatal("circl rejects the signature of μ")
			}
			if !sk.PublicKey().VerifyMu(mu, sig) {
				t.Fatal("own signature does not verify")
			}
			if !sk.PublicKey().VerifyMu(mu, c.sign(skb, msg)) {
				t.Fatal("circl's signature does not verify")
			}
		})
	}
}
