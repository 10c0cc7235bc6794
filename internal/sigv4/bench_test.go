package sigv4

import "testing"

// BenchmarkVerify prices verifying one SDK-signed KMS request in header
// form, the hot path of every request outside --dev: canonical request,
// string to sign, one HMAC with the cached signing key.
func BenchmarkVerify(b *testing.B) {
	req, body := signedKMS(b)
	v := sdkVerifier()
	if _, err := v.Verify(req, body, sdkTime); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(req, body, sdkTime); err != nil {
			b.Fatal(err)
		}
	}
}
