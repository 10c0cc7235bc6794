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

// TestFloorServesTheGeneratorsOperations: the generator's signed Encrypts,
// Decrypts (whose setup encrypts through the floor first) and
// GenerateDataKeys are answered without a single error.
func TestFloorServesTheGeneratorsOperations(t *testing.T) {
	srv := startFloor(t)
	caller := newTestCaller(t, srv.URL, floorCreds, 2)
	ops, err := LookupOperations([]string{"Encrypt-32B", "Encrypt-4KiB", "Decrypt-32B", "Decrypt-4KiB", "GenerateDataKey"})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), Config{
		Caller: caller, Ops: ops, Clients: []int{1, 2}, Duration: 150 * time.Millisecond, KeyID: "floor", Now: time.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 10 {
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
		gcm := floorGCM(t)
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
	if code := floorAnswer(t, good, "DescribeKey", map[string]any{"KeyId": "k"}, nil); code != "UnknownOperationException" {
		t.Errorf("DescribeKey: %q", code)
	}
	// A request signed more than 5 minutes ago is refused, as AWS does.
	stale := NewCaller(srv.URL, testRegion, floorCreds, 1, 30*time.Second, func() time.Time { return time.Now().Add(-6 * time.Minute) })
	t.Cleanup(stale.Close)
	if code := floorAnswer(t, stale, "Encrypt", input, nil); code != "InvalidSignatureException" {
		t.Errorf("stale signature: %q", code)
	}
}

// floorGCM is AES-256-GCM under FloorKey from the standard library,
// independently of the floor's code.
func floorGCM(t *testing.T) cipher.AEAD {
	t.Helper()
	block, err := aes.NewCipher(FloorKey[:])
	if err != nil {
		t.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	return gcm
}

// TestFloorDecryptOpensItsOwnBlobs: Decrypt of an Encrypt's blob, and of
// a blob sealed here with the public key, returns the plaintext in KMS's
// response shape.
func TestFloorDecryptOpensItsOwnBlobs(t *testing.T) {
	srv := startFloor(t)
	caller := newTestCaller(t, srv.URL, floorCreds, 1)
	var enc struct{ CiphertextBlob []byte }
	if err := caller.Call(context.Background(), "Encrypt", map[string]any{"KeyId": "k", "Plaintext": plaintext32}, &enc); err != nil {
		t.Fatal(err)
	}
	nonce := bytes.Repeat([]byte{7}, 12)
	local := floorGCM(t).Seal(bytes.Clone(nonce), nonce, []byte("sealed outside the floor"), nil)
	for _, c := range []struct {
		blob, want []byte
	}{{enc.CiphertextBlob, plaintext32}, {local, []byte("sealed outside the floor")}} {
		var out struct {
			KeyId               string
			Plaintext           []byte
			EncryptionAlgorithm string
		}
		if err := caller.Call(context.Background(), "Decrypt", map[string]any{"CiphertextBlob": c.blob, "EncryptionContext": benchContext}, &out); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Plaintext, c.want) || out.KeyId != FloorKeyARN || out.EncryptionAlgorithm != "SYMMETRIC_DEFAULT" {
			t.Errorf("Decrypt: %+v", out)
		}
	}
}

// TestFloorDecryptRefusesAWrongBlob: a flipped bit, a short blob and
// garbage all get InvalidCiphertextException.
func TestFloorDecryptRefusesAWrongBlob(t *testing.T) {
	srv := startFloor(t)
	caller := newTestCaller(t, srv.URL, floorCreds, 1)
	var enc struct{ CiphertextBlob []byte }
	if err := caller.Call(context.Background(), "Encrypt", map[string]any{"KeyId": "k", "Plaintext": plaintext32}, &enc); err != nil {
		t.Fatal(err)
	}
	flipped := bytes.Clone(enc.CiphertextBlob)
	flipped[len(flipped)-1] ^= 1
	for name, blob := range map[string][]byte{"flipped": flipped, "short": enc.CiphertextBlob[:27], "garbage": bytes.Repeat([]byte{1}, 60)} {
		if code := floorAnswer(t, caller, "Decrypt", map[string]any{"CiphertextBlob": blob}, nil); code != "InvalidCiphertextException" {
			t.Errorf("%s blob: %q", name, code)
		}
	}
}

// TestFloorGenerateDataKey: the data key is 32 bytes, its blob opens to it
// under the public key, and two calls give two keys.
func TestFloorGenerateDataKey(t *testing.T) {
	srv := startFloor(t)
	caller := newTestCaller(t, srv.URL, floorCreds, 1)
	gcm := floorGCM(t)
	var keys [][]byte
	for range 2 {
		var out struct {
			CiphertextBlob, Plaintext []byte
			KeyId                     string
		}
		if err := caller.Call(context.Background(), "GenerateDataKey", map[string]any{"KeyId": "k", "KeySpec": "AES_256"}, &out); err != nil {
			t.Fatal(err)
		}
		if len(out.Plaintext) != 32 || out.KeyId != FloorKeyARN {
			t.Fatalf("%d-byte key, KeyId %q", len(out.Plaintext), out.KeyId)
		}
		got, err := gcm.Open(nil, out.CiphertextBlob[:12], out.CiphertextBlob[12:], nil)
		if err != nil || !bytes.Equal(got, out.Plaintext) {
			t.Fatalf("the blob does not open to the data key: %v", err)
		}
		keys = append(keys, out.Plaintext)
	}
	if bytes.Equal(keys[0], keys[1]) {
		t.Error("two GenerateDataKey calls gave the same key")
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
