package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/trent-kms/trent/internal/kmserr"
)

// Requests signed by aws-sdk-go-v2's signer, the one the KMS client uses,
// written to the wire and read back as a server reads them.

var (
	sdkTime  = time.Date(2026, 11, 3, 12, 30, 0, 0, time.UTC)
	sdkCreds = aws.Credentials{AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", SessionToken: "session-token"}
	sdkBody  = []byte(`{"KeyId":"alias/example","Plaintext":"aGVsbG8="}`)
)

const sdkTarget = "TrentService.Encrypt"

const mismatch = "The request signature we calculated does not match the signature you provided. " +
	"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

func sdkVerifier() *HMACVerifier {
	return NewVerifier(Service, func(a Authorization) (string, error) {
		if a.AccessKeyID != sdkCreds.AccessKeyID || a.SessionToken != sdkCreds.SessionToken {
			return "", UnrecognizedClient()
		}
		return sdkCreds.SecretAccessKey, nil
	})
}

func bodyHash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func kmsRequest(t testing.TB, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(sdkBody))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", sdkTarget)
	return req
}

// onWire writes a client request and reads it back as a server would.
func onWire(t testing.TB, req *http.Request) (*http.Request, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := req.Write(&buf); err != nil {
		t.Fatal(err)
	}
	r, body, err := parseSuiteRequest(buf.String())
	if err != nil {
		t.Fatal(err)
	}
	return r, body
}

func signedKMS(t testing.TB) (*http.Request, []byte) {
	t.Helper()
	req := kmsRequest(t, "https://kms.eu-central-1.amazonaws.com/")
	if err := v4.NewSigner().SignHTTP(context.Background(), sdkCreds, req, bodyHash(sdkBody), Service, "eu-central-1", sdkTime); err != nil {
		t.Fatal(err)
	}
	return onWire(t, req)
}

func presignedKMS(t *testing.T) (*http.Request, []byte) {
	t.Helper()
	req := kmsRequest(t, "https://kms.eu-central-1.amazonaws.com/?X-Amz-Expires=900")
	u, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), sdkCreds, req, bodyHash(sdkBody), Service, "eu-central-1", sdkTime)
	if err != nil {
		t.Fatal(err)
	}
	out, err := http.NewRequest(http.MethodPost, u, bytes.NewReader(sdkBody))
	if err != nil {
		t.Fatal(err)
	}
	out.Header = hdr
	return onWire(t, out)
}

func wantError(t *testing.T, err error, code, msg string) {
	t.Helper()
	e, ok := kmserr.As(err)
	if !ok || e.Code != code || e.Message != msg {
		t.Fatalf("got %v, want %s: %s", err, code, msg)
	}
}

func TestVerifySDKSigned(t *testing.T) {
	r, body := signedKMS(t)
	a, err := sdkVerifier().Verify(r, body, sdkTime.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if a.AccessKeyID != sdkCreds.AccessKeyID || a.Region != "eu-central-1" || a.SessionToken != sdkCreds.SessionToken ||
		!a.Time.Equal(sdkTime) || a.Presigned {
		t.Fatalf("Authorization = %+v", a)
	}
}

func TestVerifySDKPresigned(t *testing.T) {
	r, body := presignedKMS(t)
	if r.Header.Get("Authorization") != "" || !strings.Contains(r.RequestURI, "X-Amz-Security-Token=") {
		t.Fatalf("not a presigned request with a token: %s %v", r.RequestURI, r.Header)
	}
	v := sdkVerifier()
	for _, at := range []time.Duration{-4 * time.Minute, 0, 15 * time.Minute} {
		a, err := v.Verify(r, body, sdkTime.Add(at))
		if err != nil {
			t.Fatalf("at %v: %v", at, err)
		}
		if !a.Presigned || a.SessionToken != sdkCreds.SessionToken {
			t.Fatalf("Authorization = %+v", a)
		}
	}
	_, err := v.Verify(r, body, sdkTime.Add(15*time.Minute+time.Second))
	wantError(t, err, kmserr.CodeInvalidSignature, "Request has expired")
	_, err = v.Verify(r, append([]byte(nil), `{}`...), sdkTime)
	wantError(t, err, kmserr.CodeInvalidSignature, mismatch)
}

func TestVerifySDKTampered(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(r *http.Request, body []byte) []byte
	}{
		{"body", func(_ *http.Request, b []byte) []byte {
			return bytes.Replace(b, []byte("example"), []byte("exbmple"), 1)
		}},
		{"target", func(r *http.Request, b []byte) []byte { r.Header.Set("X-Amz-Target", "TrentService.Decrypt"); return b }},
		{"date", func(r *http.Request, b []byte) []byte {
			r.Header.Set("X-Amz-Date", sdkTime.Add(time.Second).Format(timeFormat))
			return b
		}},
		{"scope", func(r *http.Request, b []byte) []byte {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/eu-central-1/", "/eu-central-2/", 1))
			return b
		}},
		{"host", func(r *http.Request, b []byte) []byte { r.Host = "kms.eu-central-2.amazonaws.com"; return b }},
		{"token", func(r *http.Request, b []byte) []byte {
			r.Header.Set("X-Amz-Security-Token", "session-tokeN")
			return b
		}},
	}
	v := NewVerifier(Service, func(Authorization) (string, error) { return sdkCreds.SecretAccessKey, nil })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, body := signedKMS(t)
			body = tt.tamper(r, body)
			_, err := v.Verify(r, body, sdkTime)
			wantError(t, err, kmserr.CodeInvalidSignature, mismatch)
		})
	}
}

func TestVerifySDKPresignedTampered(t *testing.T) {
	v := NewVerifier(Service, func(Authorization) (string, error) { return sdkCreds.SecretAccessKey, nil })
	for _, tt := range []struct{ name, from, to string }{
		{"date", "X-Amz-Date=20261103T123000Z", "X-Amz-Date=20261103T123001Z"},
		{"scope", "%2Feu-central-1%2F", "%2Feu-central-2%2F"},
		{"expires", "X-Amz-Expires=900", "X-Amz-Expires=901"},
		// The presigner moves X-Amz-* headers into the query, the target too.
		{"target", "X-Amz-Target=TrentService.Encrypt", "X-Amz-Target=TrentService.Decrypt"},
		{"token", "X-Amz-Security-Token=session-token", "X-Amz-Security-Token=session-tokeN"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, body := presignedKMS(t)
			if !strings.Contains(r.RequestURI, tt.from) {
				t.Fatalf("%q not in %s", tt.from, r.RequestURI)
			}
			r.RequestURI = strings.Replace(r.RequestURI, tt.from, tt.to, 1)
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, tt.from, tt.to, 1)
			_, err := v.Verify(r, body, sdkTime)
			wantError(t, err, kmserr.CodeInvalidSignature, mismatch)
		})
	}
}

func TestVerifyClockWindow(t *testing.T) {
	r, body := signedKMS(t)
	v := sdkVerifier()
	for _, d := range []time.Duration{-(4*time.Minute + 59*time.Second), 0, 4*time.Minute + 59*time.Second, 5 * time.Minute} {
		if _, err := v.Verify(r, body, sdkTime.Add(d)); err != nil {
			t.Errorf("request %v old refused: %v", d, err)
		}
	}
	_, err := v.Verify(r, body, sdkTime.Add(5*time.Minute+time.Second))
	wantError(t, err, kmserr.CodeInvalidSignature,
		"Signature expired: 20261103T123000Z is now earlier than 20261103T123001Z (20261103T123501Z - 5 min.)")
	_, err = v.Verify(r, body, sdkTime.Add(-(5*time.Minute + time.Second)))
	wantError(t, err, kmserr.CodeInvalidSignature,
		"Signature not yet current: 20261103T123000Z is still later than 20261103T122959Z (20261103T122459Z + 5 min.)")
}

func TestVerifyRefuses(t *testing.T) {
	v := sdkVerifier()
	tests := []struct {
		name         string
		mutate       func(r *http.Request)
		code, prefix string
	}{
		{"no signature", func(r *http.Request) { r.Header.Del("Authorization") }, kmserr.CodeMissingAuthenticationToken, "Missing Authentication Token"},
		{"no x-amz-date", func(r *http.Request) { r.Header.Del("X-Amz-Date") }, kmserr.CodeIncompleteSignature, "Authorization header requires existence"},
		{"host not signed", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), ";host;", ";", 1))
		}, kmserr.CodeInvalidSignature, "'Host' or ':authority' must be a 'SignedHeader'"},
		{"date not signed", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), ";x-amz-date;", ";", 1))
		}, kmserr.CodeInvalidSignature, "'X-Amz-Date' must be a 'SignedHeader'"},
		{"scope date differs", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/20261103/", "/20261104/", 1))
		}, kmserr.CodeInvalidSignature, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261104' != '20261103'"},
		{"other service", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/kms/", "/sts/", 1))
		}, kmserr.CodeInvalidSignature, "Credential should be scoped to correct service: 'kms'."},
		{"unknown access key", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "ASIAEXAMPLE", "ASIAOTHER", 1))
		}, kmserr.CodeUnrecognizedClient, "The security token included in the request is invalid."},
		{"unsigned payload", func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD") }, kmserr.CodeInvalidSignature, "The request payload must be signed"},
		{"payload hash differs", func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", bodyHash(nil)) }, kmserr.CodeInvalidSignature, "The provided 'x-amz-content-sha256' header does not match"},
		{"both forms", func(r *http.Request) { r.URL.RawQuery = "X-Amz-Algorithm=" + Algorithm }, kmserr.CodeIncompleteSignature, "Only one auth mechanism allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, body := signedKMS(t)
			tt.mutate(r)
			_, err := v.Verify(r, body, sdkTime)
			e, ok := kmserr.As(err)
			if !ok || e.Code != tt.code || !strings.HasPrefix(e.Message, tt.prefix) {
				t.Fatalf("got %v, want %s: %s...", err, tt.code, tt.prefix)
			}
		})
	}
}

func TestVerifyPresignedRefuses(t *testing.T) {
	v := sdkVerifier()
	tests := []struct{ name, from, to, code, prefix string }{
		{"expires over a week", "X-Amz-Expires=900", "X-Amz-Expires=604801", kmserr.CodeIncompleteSignature, "X-Amz-Expires must be less than a week"},
		{"expires not a number", "X-Amz-Expires=900", "X-Amz-Expires=9x", kmserr.CodeIncompleteSignature, "X-Amz-Expires should be a number"},
		{"no signature", "X-Amz-Signature=", "X-Amz-Nothing=", kmserr.CodeIncompleteSignature, "AWS query-string parameters must include 'X-Amz-Signature'"},
		{"other algorithm", "X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256", kmserr.CodeIncompleteSignature, "X-Amz-Algorithm only supports"},
		{"host not signed", "X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost", "X-Amz-SignedHeaders=content-type", kmserr.CodeInvalidSignature, "'Host' or ':authority' must be a 'SignedHeader'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, body := presignedKMS(t)
			if !strings.Contains(r.URL.RawQuery, tt.from) {
				t.Fatalf("%q not in %s", tt.from, r.URL.RawQuery)
			}
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, tt.from, tt.to, 1)
			r.RequestURI = "/?" + r.URL.RawQuery
			_, err := v.Verify(r, body, sdkTime)
			e, ok := kmserr.As(err)
			if !ok || e.Code != tt.code || !strings.HasPrefix(e.Message, tt.prefix) {
				t.Fatalf("got %v, want %s: %s...", err, tt.code, tt.prefix)
			}
		})
	}
}
