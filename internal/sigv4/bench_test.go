package sigv4

import (
	"strings"
	"testing"
)

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

// TestTrimAllFastPath: values returned as they are by the fast path are
// exactly those the full trim leaves unchanged.
func TestTrimAllFastPath(t *testing.T) {
	for _, v := range []string{"", "a", "a b", " a", "a ", "a  b", "a\tb", "\t", " ", "application/x-amz-json-1.1",
		"TrentService.Encrypt", "a b c", "a \tb", "a\t", "  "} {
		slow := strings.Join(strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == '\t' }), " ")
		if got := trimAll(v); got != slow {
			t.Errorf("trimAll(%q) = %q, want %q", v, got, slow)
		}
		if needsTrim(v) == (slow == v) {
			t.Errorf("needsTrim(%q) = %v, but the full trim gives %q", v, needsTrim(v), slow)
		}
	}
}
