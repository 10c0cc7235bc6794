package bench

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/sigv4"
)

// The floor's fixed credential and key. They protect nothing: the floor
// exists to be measured, on loopback, and its key is public so that tests
// (and anyone curious) can open its ciphertexts.
const (
	FloorAccessKeyID     = "AKIAFLOORBENCHMARK00"
	FloorSecretAccessKey = "trent-bench-floor-secret"
	// FloorKeyARN is the KeyId every floor answer names.
	FloorKeyARN = "arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000000"
)

// FloorKey is the floor's fixed AES-256 key: SHA-256 of a fixed string.
var FloorKey = sha256.Sum256([]byte("trent-bench floor key"))

// floorMaxBody is Trent's body limit, so the floor reads no less.
const floorMaxBody = 1 << 20

// Floor is the floor server: per request it accepts the HTTP request,
// verifies its SigV4 signature against one fixed credential, parses the
// JSON body and does the one AES-256-GCM operation the request needs under
// FloorKey (floor_ops.go), then writes a response shaped like KMS's.
//
// It serves Encrypt, Decrypt and GenerateDataKey, the operations whose
// least honest cost is one seal or one open. Anything else (DescribeKey
// has no cryptography, so the floor's definition does not cover it) gets
// UnknownOperationException, so a generator pointed at it with another
// operation reports errors rather than numbers that mean nothing. It keeps
// no state and audits nothing: everything Trent does beyond this is
// Trent's own cost.
type Floor struct {
	verifier *sigv4.HMACVerifier
	aead     cipher.AEAD
	now      func() time.Time
}

// NewFloor returns the floor; now is the clock the signature time is
// checked against (±5 minutes, as AWS and Trent allow).
func NewFloor(now func() time.Time) *Floor {
	block, err := aes.NewCipher(FloorKey[:])
	if err != nil {
		panic(err) // a 32-byte key cannot fail
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return &Floor{verifier: sigv4.NewVerifier(sigv4.Service, floorSecret), aead: aead, now: now}
}

func floorSecret(a sigv4.Authorization) (string, error) {
	if a.AccessKeyID != FloorAccessKeyID || a.SessionToken != "" {
		return "", sigv4.UnrecognizedClient()
	}
	return FloorSecretAccessKey, nil
}

// ServeHTTP implements http.Handler.
func (f *Floor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		floorError(w, kmserr.New(kmserr.CodeUnknownOperation, http.StatusNotFound, "The floor serves POST / only."))
		return
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json-1.") {
		floorError(w, kmserr.New(kmserr.CodeSerialization, http.StatusBadRequest, "Content-Type must be application/x-amz-json-1.1."))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, floorMaxBody+1))
	if err != nil {
		floorError(w, kmserr.New(kmserr.CodeSerialization, http.StatusBadRequest, "The request body could not be read."))
		return
	}
	if len(body) > floorMaxBody {
		floorError(w, kmserr.New(kmserr.CodeRequestEntityTooLarge, http.StatusRequestEntityTooLarge, "Request is too large."))
		return
	}
	auth, err := f.verifier.Verify(r, body, f.now())
	if err != nil {
		if e, ok := kmserr.As(err); ok {
			floorError(w, e)
		} else {
			floorError(w, kmserr.New(kmserr.CodeInternal, http.StatusInternalServerError, "Signature check failed."))
		}
		return
	}
	// The operation must be covered by the signature, as Trent requires,
	// or a signed Encrypt could be replayed as another operation.
	if !slices.Contains(auth.SignedHeaders, "x-amz-target") {
		floorError(w, kmserr.New(kmserr.CodeInvalidSignature, http.StatusBadRequest, "X-Amz-Target must be a signed header."))
		return
	}
	var out []byte
	var kerr *kmserr.Error
	switch r.Header.Get("X-Amz-Target") {
	case Target("Encrypt"):
		out, kerr = f.encrypt(body)
	case Target("Decrypt"):
		out, kerr = f.decrypt(body)
	case Target("GenerateDataKey"):
		out, kerr = f.generateDataKey(body)
	default:
		kerr = kmserr.New(kmserr.CodeUnknownOperation, http.StatusBadRequest, "The floor serves TrentService.Encrypt, Decrypt and GenerateDataKey only.")
	}
	if kerr != nil {
		floorError(w, kerr)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
}

// floorError writes e as KMS does: its status and {"__type","message"}.
func floorError(w http.ResponseWriter, e *kmserr.Error) {
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{e.Code, e.Message})
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.1")
	h.Set("X-Amzn-Errortype", e.Code)
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
}
