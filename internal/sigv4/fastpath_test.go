package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"net/http"
	"net/textproto"
	"reflect"
	"strings"
	"testing"
)

// The verifier's fast paths (params.go, the stack-built canonical request,
// the pooled HMACs) must give exactly what the general code gives. These
// tests compare the two directly, beside the AWS suite and the SDK tests
// that go through them end to end.

// paramHeaders are Authorization headers of every shape the fast path must
// either read as tokeniseParams does or hand over to it.
var paramHeaders = []string{
	"",
	" ,\t",
	Algorithm,
	Algorithm + " ",
	"AWS4-HMAC-SHA1 Credential=a",
	Algorithm + "Credential=a",
	Algorithm + " Credential=a/b, SignedHeaders=host;x-amz-date, Signature=" + sig,
	Algorithm + " Signature=" + sig + ",SignedHeaders=host,Credential=a",
	Algorithm + "\tCredential=a,,,SignedHeaders=host  Signature=s",
	Algorithm + " Credential=a, Credential=b",
	Algorithm + " Credential=, Credential=b",
	Algorithm + " Credential=a, Unknown=b",
	Algorithm + " Unknown=a, Unknown=b",
	Algorithm + " Credential=a, SignedHeaders",
	Algorithm + " Credential=a=b, SignedHeaders==",
	Algorithm + " credential=a",
	Algorithm + " Credential= a",
	Algorithm + " Credential=a\u00a0b, Signature=é",
	Algorithm + " " + Algorithm,
	"\t" + Algorithm + ", Credential=a",
}

func TestScanParamsAgrees(t *testing.T) {
	for _, h := range paramHeaders {
		want, wantErr := tokeniseParams(h)
		got, ok := scanParams(h)
		if ok && (wantErr != nil || got != want) {
			t.Errorf("%q: fast path read %q, general path %q (%v)", h, got, want, wantErr)
		}
		p, err := headerParams(h)
		if p != want || !reflect.DeepEqual(err, wantErr) {
			t.Errorf("%q: headerParams = %q, %v; want %q, %v", h, p, err, want, wantErr)
		}
	}
}

func FuzzScanParams(f *testing.F) {
	for _, h := range paramHeaders {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, h string) {
		want, wantErr := tokeniseParams(h)
		if got, ok := scanParams(h); ok && (wantErr != nil || got != want) {
			t.Fatalf("%q: fast path read %q, general path %q (%v)", h, got, want, wantErr)
		}
	})
}

// TestHeaderValuesCanonical: the stack-built lookup finds what
// http.Header.Values finds, for every lower-case token character in every
// position that matters (first, after '-', elsewhere).
func TestHeaderValuesCanonical(t *testing.T) {
	var names []string
	for _, c := range lowerTokenChars {
		s := string(c)
		names = append(names, s, s+"x", "x"+s, "x-"+s, s+"-"+s, "a"+s+"-b"+s+"c")
	}
	names = append(names, "x-amz-date", "content-type", "x-amz-target", strings.Repeat("a-", 40), "Mixed-Case", "bad name")
	for _, name := range names {
		h := http.Header{}
		h[textproto.CanonicalMIMEHeaderKey(name)] = []string{"v1", "v2"}
		if got, want := headerValues(h, name), h.Values(name); !reflect.DeepEqual(got, want) || len(got) != 2 {
			t.Errorf("headerValues(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestAppendTrimmed: appending a trimmed value is trimAll's rule.
func TestAppendTrimmed(t *testing.T) {
	for _, v := range []string{"", "a", " a b  c ", "\t\ta\t b", "  ", "a\u00a0 b"} {
		slow := strings.Join(strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == '\t' }), " ")
		if got := string(appendTrimmed([]byte("x:"), v)); got != "x:"+slow {
			t.Errorf("appendTrimmed(%q) = %q, want %q", v, got, "x:"+slow)
		}
	}
}

// TestSigningKeySignReuses: a pooled HMAC gives a fresh HMAC's answer on
// every use, whatever it computed before.
func TestSigningKeySignReuses(t *testing.T) {
	k := &signingKey{key: deriveSigningKey("secret", "20261103", "us-east-1", "kms")}
	for i, msg := range []string{"one", "", strings.Repeat("long message ", 100), "one"} {
		var got [sha256.Size]byte
		k.sign(&got, []byte(msg))
		m := hmac.New(sha256.New, k.key)
		m.Write([]byte(msg))
		if want := m.Sum(nil); !hmac.Equal(got[:], want) {
			t.Fatalf("use %d: HMAC %x, want %x", i, got, want)
		}
	}
}

// TestVerifyAllocs guards the allocation count of a header-form
// verification: one, the SignedHeaders slice the Authorization returns.
func TestVerifyAllocs(t *testing.T) {
	if raceEnabled || testing.CoverMode() != "" {
		t.Skip("allocation counts differ under the race detector and coverage")
	}
	req, body := signedKMS(t)
	v := sdkVerifier()
	if n := testing.AllocsPerRun(100, func() {
		if _, err := v.Verify(req, body, sdkTime); err != nil {
			t.Fatal(err)
		}
	}); n > 1 {
		t.Fatalf("Verify allocates %v times, want at most 1", n)
	}
}

// TestLowerTokenTable: the table holds exactly the characters listed.
func TestLowerTokenTable(t *testing.T) {
	for c := 0; c < 256; c++ {
		if want := strings.ContainsRune(lowerTokenChars, rune(c)); isLowerTokenChar[c] != want {
			t.Errorf("%q: table says %v", rune(c), isLowerTokenChar[c])
		}
	}
}

// TestHeaderKeysCanonical: headerGet's keys need no canonicalising, so it
// finds what http.Header.Get finds.
func TestHeaderKeysCanonical(t *testing.T) {
	for _, k := range []string{keyAuthorization, keyDate, keySecurityToken, keyContentSHA256} {
		if c := textproto.CanonicalMIMEHeaderKey(k); c != k {
			t.Errorf("%q is not canonical (%q)", k, c)
		}
		h := http.Header{}
		h.Set(strings.ToLower(k), "v")
		if headerGet(h, k) != "v" || headerGet(http.Header{}, k) != "" {
			t.Errorf("headerGet(%q) does not find what Set stored", k)
		}
	}
}
