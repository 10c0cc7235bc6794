package cipher

import "testing"

func benchmarkKey(b *testing.B) *SymmetricKey {
	m, err := GenerateSymmetricMaterial(nil)
	if err != nil {
		b.Fatal(err)
	}
	k, err := NewSymmetricKey(m)
	if err != nil {
		b.Fatal(err)
	}
	return k
}

var benchContext = map[string]string{"aws:s3:arn": "arn:aws:s3:::bucket/object", "tenant": "acme"}

func BenchmarkEncrypt(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"32B", 32}, {"4KiB", 4096}} {
		b.Run(size.name, func(b *testing.B) {
			key := benchmarkKey(b)
			plaintext := make([]byte, size.n)
			b.SetBytes(int64(size.n))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := key.Encrypt(testHeader, plaintext, benchContext, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecrypt(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"32B", 32}, {"4KiB", 4096}} {
		b.Run(size.name, func(b *testing.B) {
			key := benchmarkKey(b)
			blob, err := key.Encrypt(testHeader, make([]byte, size.n), benchContext, nil)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(size.n))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := key.Decrypt(blob, benchContext); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
