package mldsa

import "testing"

func benchKey(b *testing.B, c circlKey) (*PrivateKey, []byte, []byte) {
	seed := [32]byte{1}
	pkb, skb := c.keygen(&seed)
	sk, err := NewPrivateKey(c.p, skb)
	if err != nil {
		b.Fatal(err)
	}
	mu := muOf(pkb, []byte("benchmark"))
	var rnd [RndSize]byte
	sig, err := sk.SignMu(mu, &rnd)
	if err != nil {
		b.Fatal(err)
	}
	return sk, mu, sig
}

func BenchmarkSignMu(b *testing.B) {
	for _, c := range circlKeys {
		b.Run(c.p.String(), func(b *testing.B) {
			sk, mu, _ := benchKey(b, c)
			var rnd [RndSize]byte
			for i := 0; b.Loop(); i++ {
				rnd[0], rnd[1] = byte(i), byte(i>>8)
				if _, err := sk.SignMu(mu, &rnd); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerifyMu(b *testing.B) {
	for _, c := range circlKeys {
		b.Run(c.p.String(), func(b *testing.B) {
			sk, mu, sig := benchKey(b, c)
			pk := sk.PublicKey()
			for b.Loop() {
				if !pk.VerifyMu(mu, sig) {
					b.Fatal("invalid")
				}
			}
		})
	}
}
