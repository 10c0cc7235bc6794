package awsjson

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/kmserr"
)

// Verification in the wire handler: requests signed by aws-sdk-go-v2's
// signer at the fixture clock's time, checked against a map of
// credentials.

const (
	longTermKey  = "AKIAIOSFODNN7EXAMPLE"
	longTermSec  = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	tempKey      = "ASIAIOSFODNN7EXAMPLE"
	tempSec      = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"
	tempToken    = "FQoGZXIvYXdzEXAMPLETOKEN"
	noSecretKey  = "AKIANOSECRETEXAMPLE"
	otherAccount = "444455556666"
	mismatchText = "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	unrecognizedText = "The security token included in the request is invalid."
)

type credentialMap map[string]identity.Credential

func (m credentialMap) Lookup(k string) (identity.Credential, bool) { c, ok := m[k]; return c, ok }

func verifyingFixture(t *testing.T, mod func(*Config)) *fixture {
	t.Helper()
	start, _ := time.Parse(time.RFC3339, testStart)
	return newFixture(t, func(c *Config) {
		c.Verify = true
		c.Identity = credentialMap{
			longTermKey: {Caller: identity.RootCaller(otherAccount, longTermKey), Secret: longTermSec},
			tempKey: {Caller: identity.RootCaller(testAccount, tempKey), Secret: tempSec, SessionToken: tempToken,
				Expires: start.Add(time.Hour)},
			noSecretKey: {Caller: identity.RootCaller(testAccount, noSecretKey)},
		}
		if mod != nil {
			mod(c)
		}
	})
}

func payloadSHA(body string) string {
	sum := sha256.Sum256([]byte(body))
	return hex.EncodeToString(sum[:])
}

// signedRequest is newRequest signed as creds in region at t. Content-Length
// is set as a header, where a server finds it: the signer signs it.
func signedRequest(t *testing.T, op, body string, creds aws.Credentials, region string, at time.Time) *http.Request {
	t.Helper()
	r := newRequest(op, body)
	r.Header.Del("Authorization")
	r.Header.Set("Content-Length", strconv.Itoa(len(body)))
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, payloadSHA(body), "kms", region, at); err != nil {
		t.Fatal(err)
	}
	return r
}

func longTerm(secret string) aws.Credentials {
	return aws.Credentials{AccessKeyID: longTermKey, SecretAccessKey: secret}
}

const randomBody = `{"NumberOfBytes":4}`

func TestVerifyAcceptsSignedRequest(t *testing.T) {
	f := verifyingFixture(t, nil)
	w := f.serve(signedRequest(t, "GenerateRandom", randomBody, longTerm(longTermSec), "eu-west-1", f.clock.Now()))
	checkResponse(t, w.Result(), 200, "", "")
	recs := f.audit.all()
	if len(recs) != 1 {
		t.Fatalf("%d audit records, want 1", len(recs))
	}
	if info := recs[0].Info; info.Caller.Account != otherAccount || info.Caller.AccessKeyID != longTermKey || info.Region != "eu-west-1" {
		t.Fatalf("caller %+v in Region %q, want the credential's caller in the scope's Region", info.Caller, info.Region)
	}
}

func TestVerifyRefusals(t *testing.T) {
	tests := []struct {
		name          string
		req           func(f *fixture) *http.Request
		code, message string
	}{
		{"wrong secret", func(f *fixture) *http.Request {
			return signedRequest(t, "GenerateRandom", randomBody, longTerm(longTermSec+"x"), "us-east-1", f.clock.Now())
		}, kmserr.CodeInvalidSignature, mismatchText},
		{"unknown access key", func(f *fixture) *http.Request {
			return signedRequest(t, "GenerateRandom", randomBody, aws.Credentials{AccessKeyID: "AKIAUNKNOWNEXAMPLE", SecretAccessKey: longTermSec}, "us-east-1", f.clock.Now())
		}, kmserr.CodeUnrecognizedClient, unrecognizedText},
		{"credential without a secret (no empty-secret signatures)", func(f *fixture) *http.Request {
			return signedRequest(t, "GenerateRandom", randomBody, aws.Credentials{AccessKeyID: noSecretKey}, "us-east-1", f.clock.Now())
		}, kmserr.CodeUnrecognizedClient, unrecognizedText},
		{"long-term key with a session token", func(f *fixture) *http.Request {
			c := longTerm(longTermSec)
			c.SessionToken = tempToken
			return signedRequest(t, "GenerateRandom", randomBody, c, "us-east-1", f.clock.Now())
		}, kmserr.CodeUnrecognizedClient, unrecognizedText},
		{"temporary key without its token", func(f *fixture) *http.Request {
			return signedRequest(t, "GenerateRandom", randomBody, aws.Credentials{AccessKeyID: tempKey, SecretAccessKey: tempSec}, "us-east-1", f.clock.Now())
		}, kmserr.CodeUnrecognizedClient, unrecognizedText},
		{"temporary key with another token", func(f *fixture) *http.Request {
			return signedRequest(t, "GenerateRandom", randomBody, aws.Credentials{AccessKeyID: tempKey, SecretAccessKey: tempSec, SessionToken: tempToken + "x"}, "us-east-1", f.clock.Now())
		}, kmserr.CodeUnrecognizedClient, unrecognizedText},
		{"temporary key at its expiry", func(f *fixture) *http.Request {
			f.clock.Advance(time.Hour)
			return signedRequest(t, "GenerateRandom", randomBody, aws.Credentials{AccessKeyID: tempKey, SecretAccessKey: tempSec, SessionToken: tempToken}, "us-east-1", f.clock.Now())
		}, kmserr.CodeExpiredToken, "The security token included in the request is expired"},
		{"signed six minutes ago", func(f *fixture) *http.Request {
			return signedRequest(t, "GenerateRandom", randomBody, longTerm(longTermSec), "us-east-1", f.clock.Now().Add(-6*time.Minute))
		}, kmserr.CodeInvalidSignature, "Signature expired: 20261103T115400Z is now earlier than 20261103T115500Z (20261103T120000Z - 5 min.)"},
		{"body changed after signing", func(f *fixture) *http.Request {
			r := signedRequest(t, "GenerateRandom", randomBody, longTerm(longTermSec), "us-east-1", f.clock.Now())
			r.Body = io.NopCloser(strings.NewReader(`{"NumberOfBytes":5}`))
			return r
		}, kmserr.CodeInvalidSignature, mismatchText},
		{"operation changed after signing", func(f *fixture) *http.Request {
			r := signedRequest(t, "GenerateRandom", randomBody, longTerm(longTermSec), "us-east-1", f.clock.Now())
			r.Header.Set("X-Amz-Target", "TrentService.Encrypt")
			return r
		}, kmserr.CodeInvalidSignature, mismatchText},
		{"operation not signed", func(f *fixture) *http.Request {
			r := signedRequest(t, "GenerateRandom", randomBody, longTerm(longTermSec), "us-east-1", f.clock.Now())
			resign(t, r, f.clock.Now())
			return r
		}, kmserr.CodeInvalidSignature, "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."},
		{"no signature", func(f *fixture) *http.Request {
			r := newRequest("GenerateRandom", randomBody)
			r.Header.Del("Authorization")
			return r
		}, kmserr.CodeMissingAuthenticationToken, "Missing Authentication Token"},
		{"body too large, before anyone is known", func(f *fixture) *http.Request {
			big := bodyOfSize(DefaultMaxBodyBytes + 1)
			return signedRequest(t, "Encrypt", big, longTerm(longTermSec), "us-east-1", f.clock.Now())
		}, kmserr.CodeRequestEntityTooLarge, "The request body is larger than the limit of 1048576 bytes."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := verifyingFixture(t, nil)
			w := f.serve(tt.req(f))
			status := 400
			if tt.code == kmserr.CodeRequestEntityTooLarge {
				status = 413
			}
			checkResponse(t, w.Result(), status, tt.code, tt.message)
			if n := len(f.audit.all()); n != 0 {
				t.Fatalf("%d audit records of a request that failed authentication, want none", n)
			}
		})
	}
}

// resign signs r again without X-Amz-Target among the signed headers: the
// target is then on the request but not covered.
func resign(t *testing.T, r *http.Request, at time.Time) {
	t.Helper()
	target := r.Header.Get("X-Amz-Target")
	r.Header.Del("X-Amz-Target")
	r.Header.Del("Authorization")
	if err := v4.NewSigner().SignHTTP(context.Background(), longTerm(longTermSec), r, payloadSHA(randomBody), "kms", "us-east-1", at); err != nil {
		t.Fatal(err)
	}
	r.Header.Set("X-Amz-Target", target)
	if strings.Contains(r.Header.Get("Authorization"), "x-amz-target") {
		t.Fatal("the target is still signed")
	}
}

func TestVerifyTemporaryCredentials(t *testing.T) {
	f := verifyingFixture(t, nil)
	creds := aws.Credentials{AccessKeyID: tempKey, SecretAccessKey: tempSec, SessionToken: tempToken}
	// Accepted up to the last instant before expiry.
	f.clock.Advance(time.Hour - time.Second)
	checkResponse(t, f.serve(signedRequest(t, "GenerateRandom", randomBody, creds, "us-east-1", f.clock.Now())).Result(), 200, "", "")
	f.clock.Advance(time.Second)
	checkResponse(t, f.serve(signedRequest(t, "GenerateRandom", randomBody, creds, "us-east-1", f.clock.Now())).Result(), 400,
		kmserr.CodeExpiredToken, "The security token included in the request is expired")
}

// A presigned request carries the operation in the query string, where the
// presigner put it; the verifying handler takes it from there.
func TestVerifyPresigned(t *testing.T) {
	f := verifyingFixture(t, nil)
	r := newRequest("GenerateRandom", randomBody)
	r.Header.Del("Authorization")
	r.URL.RawQuery = "X-Amz-Expires=300"
	u, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), longTerm(longTermSec), r, payloadSHA(randomBody), "kms", "us-east-1", f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(u, "X-Amz-Target=TrentService.GenerateRandom") || hdr.Get("X-Amz-Target") != "" {
		t.Fatalf("the presigner did not move the target into the query: %s %v", u, hdr)
	}
	send := func(url string) *httptest.ResponseRecorder {
		p := httptest.NewRequest(http.MethodPost, url, strings.NewReader(randomBody))
		p.Header = hdr.Clone()
		p.Header.Set("Content-Type", "application/x-amz-json-1.1")
		p.Header.Set("Content-Length", strconv.Itoa(len(randomBody)))
		return f.serve(p)
	}
	checkResponse(t, send(u).Result(), 200, "", "")
	checkResponse(t, send(strings.Replace(u, "TrentService.GenerateRandom", "TrentService.Encrypt", 1)).Result(), 400,
		kmserr.CodeInvalidSignature, mismatchText)
	f.clock.Advance(5*time.Minute + time.Second)
	checkResponse(t, send(u).Result(), 400, kmserr.CodeInvalidSignature, "Request has expired")

	// In dev mode nothing reads the presigned form: the request names no
	// operation in its headers.
	dev := newFixture(t, nil)
	p := httptest.NewRequest(http.MethodPost, u, strings.NewReader(randomBody))
	p.Header = hdr.Clone()
	p.Header.Set("Content-Type", "application/x-amz-json-1.1")
	checkResponse(t, dev.serve(p).Result(), 400, kmserr.CodeUnknownOperation, "")
}
