package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// SigV4 verification end to end: a node without --dev, aws-sdk-go-v2
// clients signing with right and wrong credentials, at the node's time and
// six minutes off, and raw requests signed by the SDK's signer and then
// changed.

func TestSigV4RightSecretWorks(t *testing.T) {
	t.Parallel()
	tn := startVerifyingNode(t, testCredentials(testEpoch.Add(time.Hour)), nil, nil)
	c := tn.signingClient("eu-west-1", longTermKeyID, longTermSecret, "", 0)
	key := must[*kms.CreateKeyOutput](t)(c.CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata
	// The Region is the credential scope's, the account the credential's.
	if want := "arn:aws:kms:eu-west-1:" + testAccount + ":key/"; !strings.HasPrefix(*key.Arn, want) {
		t.Fatalf("key ARN %s, want it under %s", *key.Arn, want)
	}
	enc := must[*kms.EncryptOutput](t)(c.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyId, Plaintext: []byte("signed")}))
	dec := must[*kms.DecryptOutput](t)(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob}))
	if string(dec.Plaintext) != "signed" {
		t.Fatalf("decrypted %q", dec.Plaintext)
	}
	recs := tn.auditRecords()
	if len(recs) != 3 {
		t.Fatalf("%d audit records, want 3", len(recs))
	}
	for _, r := range recs {
		if r.UserIdentity.AccessKeyID != longTermKeyID || r.UserIdentity.AccountID != testAccount || r.AWSRegion != "eu-west-1" {
			t.Errorf("%s recorded as %+v in %s", r.EventName, r.UserIdentity, r.AWSRegion)
		}
	}
}

// Every refusal: AWS's code and message, nothing created, nothing audited.
func TestSigV4Refusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                 string
		keyID, secret, token string
		skew                 time.Duration
		advance              time.Duration
		code, message        string
	}{
		{"wrong secret", longTermKeyID, longTermSecret + "x", "", 0, 0, "InvalidSignatureException", sigMismatch},
		{"unknown access key", "AKIAUNKNOWNEXAMPLE1", longTermSecret, "", 0, 0, "UnrecognizedClientException", tokenInvalid},
		{"temporary credentials with a wrong token", tempKeyID, tempSecret, tempToken + "x", 0, 0, "UnrecognizedClientException", tokenInvalid},
		{"temporary credentials without their token", tempKeyID, tempSecret, "", 0, 0, "UnrecognizedClientException", tokenInvalid},
		{"long-term key with a session token", longTermKeyID, longTermSecret, tempToken, 0, 0, "UnrecognizedClientException", tokenInvalid},
		{"expired temporary credentials", tempKeyID, tempSecret, tempToken, 0, time.Hour, "ExpiredTokenException", tokenExpired},
		{"signed six minutes ago", longTermKeyID, longTermSecret, "", -6 * time.Minute, 0, "InvalidSignatureException",
			"Signature expired: 20261125T115400Z is now earlier than 20261125T115500Z (20261125T120000Z - 5 min.)"},
		{"signed six minutes ahead", longTermKeyID, longTermSecret, "", 6 * time.Minute, 0, "InvalidSignatureException",
			"Signature not yet current: 20261125T120600Z is still later than 20261125T120500Z (20261125T120000Z + 5 min.)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tn := startVerifyingNode(t, testCredentials(testEpoch.Add(time.Hour)), nil, nil)
			tn.clock.Advance(tt.advance)
			c := tn.signingClient(testRegion, tt.keyID, tt.secret, tt.token, tt.skew)
			_, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
			wantError(t, err, tt.code, tt.message)
			// Nothing was created: the right credentials see no key.
			keys := must[*kms.ListKeysOutput](t)(tn.signingClient(testRegion, longTermKeyID, longTermSecret, "", 0).ListKeys(ctx, &kms.ListKeysInput{}))
			if len(keys.Keys) != 0 {
				t.Fatalf("a refused CreateKey created %d keys", len(keys.Keys))
			}
			for _, r := range tn.auditRecords() {
				if r.EventName != "ListKeys" {
					t.Fatalf("a refused request was audited: %+v", r)
				}
			}
		})
	}
}

func TestSigV4TemporaryCredentials(t *testing.T) {
	t.Parallel()
	tn := startVerifyingNode(t, testCredentials(testEpoch.Add(time.Hour)), nil, nil)
	c := tn.signingClient(testRegion, tempKeyID, tempSecret, tempToken, 0)
	key := must[*kms.CreateKeyOutput](t)(c.CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata
	if !strings.Contains(*key.Arn, ":"+otherAccount+":") {
		t.Fatalf("key %s not in the role's account %s", *key.Arn, otherAccount)
	}
	// Usable until the last second before expiry, refused from then on.
	tn.clock.Advance(time.Hour - time.Second)
	must[*kms.DescribeKeyOutput](t)(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: key.KeyId}))
	tn.clock.Advance(time.Second)
	_, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: key.KeyId})
	wantError(t, err, "ExpiredTokenException", tokenExpired)
	recs := tn.auditRecords()
	if len(recs) != 2 || recs[0].UserIdentity.Type != "AssumedRole" || recs[0].UserIdentity.AccessKeyID != tempKeyID {
		t.Fatalf("audit records %+v, want CreateKey and DescribeKey by the role session", recs)
	}
}

// signedRaw signs a request to tn with the SDK's signer at tn's clock; the
// caller may change it before send.
func signedRaw(t *testing.T, tn *testNode, op, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, tn.srv.URL+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "TrentService."+op)
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: longTermKeyID, SecretAccessKey: longTermSecret}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "kms", testRegion, tn.clock.Now()); err != nil {
		t.Fatal(err)
	}
	return req
}

func send(t *testing.T, tn *testNode, req *http.Request) (int, string) {
	t.Helper()
	resp, err := tn.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(raw)
}

// A body changed after signing (same length, one byte) is refused; the
// unchanged request is served.
func TestSigV4TamperedBody(t *testing.T) {
	t.Parallel()
	tn := startVerifyingNode(t, testCredentials(testEpoch.Add(time.Hour)), nil, nil)
	const body = `{"Description":"signed"}`
	req := signedRaw(t, tn, "CreateKey", body)
	req.Body = io.NopCloser(strings.NewReader(strings.Replace(body, "signed", "sigNed", 1)))
	status, raw := send(t, tn, req)
	if status != 400 || !strings.Contains(raw, `"InvalidSignatureException"`) || !strings.Contains(raw, sigMismatch) {
		t.Fatalf("tampered body: %d %s", status, raw)
	}
	if status, raw := send(t, tn, signedRaw(t, tn, "CreateKey", body)); status != 200 {
		t.Fatalf("untampered: %d %s", status, raw)
	}
	keys := must[*kms.ListKeysOutput](t)(tn.signingClient(testRegion, longTermKeyID, longTermSecret, "", 0).ListKeys(ctx, &kms.ListKeysInput{}))
	if len(keys.Keys) != 1 {
		t.Fatalf("%d keys, want only the untampered request's", len(keys.Keys))
	}
}

// A presigned URL made by the SDK's presigner works: POST the body to it.
// The operation travels in the query string, where the presigner put it.
func TestSigV4PresignedURL(t *testing.T) {
	t.Parallel()
	tn := startVerifyingNode(t, testCredentials(testEpoch.Add(time.Hour)), nil, nil)
	const body = `{"NumberOfBytes":16}`
	req, err := http.NewRequest(http.MethodPost, tn.srv.URL+"/?X-Amz-Expires=60", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "TrentService.GenerateRandom")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: tempKeyID, SecretAccessKey: tempSecret, SessionToken: tempToken}
	url, hdr, err := v4.NewSigner().PresignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "kms", testRegion, tn.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	post := func() (int, string) {
		p, err := http.NewRequest(http.MethodPost, url, bytes.NewReader([]byte(body)))
		if err != nil {
			t.Fatal(err)
		}
		p.Header = hdr.Clone()
		p.Header.Set("Content-Type", "application/x-amz-json-1.1")
		return send(t, tn, p)
	}
	if status, raw := post(); status != 200 || !strings.Contains(raw, `"Plaintext"`) {
		t.Fatalf("presigned request: %d %s", status, raw)
	}
	tn.clock.Advance(61 * time.Second)
	if status, raw := post(); status != 400 || !strings.Contains(raw, "Request has expired") {
		t.Fatalf("presigned request after X-Amz-Expires: %d %s", status, raw)
	}
}
