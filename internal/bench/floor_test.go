package bench

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"io"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

var floorCreds = aws.Credentials{AccessKeyID: FloorAccessKeyID, SecretAccessKey: FloorSecretAccessKey}

func startFloor(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(NewFloor(time.Now))
	t.Cleanup(srv.Close)
	return srv
}

// TestFloorServesTheGeneratorsEncrypt: the generator's signed Encrypts of
// both payloads are answered without a single error.
func TestFloorServesTheGeneratorsEncrypt(t *testing.T) {
	srv := startFloor(t)
	caller := newTestCaller(t, srv.URL, floorCreds, 2)
	ops, _ := LookupOperations([]string{"Encrypt-32B", "Encrypt-4KiB"})
	rep, err := Run(context.Background(), Config{
		Caller: caller, Ops: ops, Clients: []int{1, 2}, Duration: 150 * time.Millisecond, KeyID: "floor", Now: time.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 4 {
		t.Fatalf("%d results", len(rep.Results))
	}
	for _, res := range rep.Results {
		if res.Ops == 0 || res.Errors != 0 || res.SetupError != "" {
			t.Errorf("%s clients=%d: ops %d errors %v (%s) setup %q", res.Operation, res.Clients, res.Ops, res.ErrorCodes, res.FirstError, res.SetupError)
		}
	}
}

// TestFloorCiphertextOpensWithTheFixedKey opens the floor's answer with
// AES-256-GCM from the standard library, independently of the floor's code.
func TestFloorCiphertextOpensWithTheFixedKey(t *testing.T) {
	srv := startFloor(t)
	caller := newTestCaller(t, srv.URL, floorCreds, 1)
	for _, pt := range [][]byte{plaintext32, plaintext4KiB} {
		var out struct {
			CiphertextBlob      []byte
			KeyId               string
			EncryptionAlgorithm string
		}
		if err := caller.Call(context.Background(), "Encrypt", map[string]any{"KeyId": "alias/anything", "Plaintext": pt}, &out); err != nil {
			t.Fatal(err)
		}
		if out.KeyId != FloorKeyARN || out.EncryptionAlgorithm != "SYMMETRIC_DEFAULT" {
			t.Errorf("KeyId %q, EncryptionAlgorithm %q", out.KeyId, out.EncryptionAlgorithm)
		}
		block, err := aes.NewCipher(FloorKey[:])
		if err != nil {
			t.Fatal(err)
		}
		gcm, err := cipher.NewGCM(block)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.CiphertextBlob) != 12+len(pt)+16 {
			t.Fatalf("blob of %d bytes for %d of plaintext", len(out.CiphertextBlob), len(pt))
		}
		got, err := gcm.Open(nil, out.CiphertextBlob[:12], out.CiphertextBlob[12:], nil)
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		if !bytes.Equal(got, pt) {
			t.Fatal("the ciphertext opens to another plaintext")
		}
	}
}

// floorAnswer sends a prepared request through caller, first letting tamper
// change it after signing, and returns the error code (or "" for a 200).
func floorAnswer(t *testing.T, caller *Caller, op string, input any, tamper func(r *request)) string {
	t.Helper()
	r, err := newRequest(op, input)
	if err != nil {
		t.Fatal(err)
	}
	req, err := caller.newHTTPRequest(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if tamper != nil {
		tampered := r
		tamper(&tampered)
		req.Body = io.NopCloser(bytes.NewReader(tampered.body))
		req.ContentLength = int64(len(tampered.body))
		req.Header.Set("X-Amz-Target", tampered.target)
	}
	_, err = caller.send(req)
	if err == nil {
		return ""
	}
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatalf("not an API error: %v", err)
	}
	return ae.Code
}

// TestFloorRefusesWhatItMustNotServe: a signed request changed after
// signing, a wrong secret, an unknown access key and other operations are
// all refused with KMS's codes.
func TestFloorRefusesWhatItMustNotServe(t *testing.T) {
	srv := startFloor(t)
	good := newTestCaller(t, srv.URL, floorCreds, 1)
	input := map[string]any{"KeyId": "k", "Plaintext": plaintext32}

	if code := floorAnswer(t, good, "Encrypt", input, nil); code != "" {
		t.Fatalf("an untampered Encrypt got %s", code)
	}
	// Same length, other plaintext: only the signature can tell.
	other := map[string]any{"KeyId": "k", "Plaintext": bytes.Repeat([]byte{0x00}, 32)}
	if code := floorAnswer(t, good, "Encrypt", input, func(r *request) { r.body = mustBody(t, "Encrypt", other) }); code != "InvalidSignatureException" {
		t.Errorf("tampered body: %q", code)
	}
	if code := floorAnswer(t, good, "Decrypt", input, func(r *request) { r.target = Target("Encrypt") }); code != "InvalidSignatureException" {
		t.Errorf("tampered target: %q", code)
	}
	wrongSecret := newTestCaller(t, srv.URL, aws.Credentials{AccessKeyID: FloorAccessKeyID, SecretAccessKey: "not-the-secret"}, 1)
	if code := floorAnswer(t, wrongSecret, "Encrypt", input, nil); code != "InvalidSignatureException" {
		t.Errorf("wrong secret: %q", code)
	}
	unknown := newTestCaller(t, srv.URL, aws.Credentials{AccessKeyID: "AKIAUNKNOWN000000000", SecretAccessKey: FloorSecretAccessKey}, 1)
	if code := floorAnswer(t, unknown, "Encrypt", input, nil); code != "UnrecognizedClientException" {
		t.Errorf("unknown access key: %q", code)
	}
	if code := floorAnswer(t, good, "Decrypt", map[string]any{"CiphertextBlob": []byte("x")}, nil); code != "UnknownOperationException" {
		t.Errorf("Decrypt: %q", code)
	}
	// A request signed more than 5 minutes ago is refused, as AWS does.
	stale := NewCaller(srv.URL, testRegion, floorCreds, 1, 30*time.Second, func() time.Time { return time.Now().Add(-6 * time.Minute) })
	t.Cleanup(stale.Close)
	if code := floorAnswer(t, stale, "Encrypt", input, nil); code != "InvalidSignatureException" {
		t.Errorf("stale signature: %q", code)
	}
}

func mustBody(t *testing.T, op string, input any) []byte {
	t.Helper()
	r, err := newRequest(op, input)
	if err != nil {
		t.Fatal(err)
	}
	return r.body
}
