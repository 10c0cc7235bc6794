package bench

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"

	"github.com/trent-kms/trent/internal/kmserr"
)

// The floor's operations: each parses its JSON input and does exactly one
// AES-256-GCM seal or open. Responses are appended by hand rather than
// marshalled: the floor should cost no more than an honest server must,
// and Trent's responses are not marshalled by reflection either.

// floorNonce is the nonce size of the floor's blobs: nonce || ciphertext || tag.
const floorNonce = 12

// floorDataKeyBytes is GenerateDataKey's key length (KeySpec AES_256).
const floorDataKeyBytes = 32

// floorEncryptInput is the part of an Encrypt request the floor reads.
// The context is parsed, as a server must, but not bound to the blob: the
// floor's blob has no associated data.
type floorEncryptInput struct {
	KeyId             string
	Plaintext         []byte
	EncryptionContext map[string]string
}

// floorDecryptInput is the part of a Decrypt request the floor reads.
type floorDecryptInput struct {
	KeyId             string
	CiphertextBlob    []byte
	EncryptionContext map[string]string
}

// floorGenerateDataKeyInput is the part of a GenerateDataKey request the
// floor reads; whatever KeySpec says, it makes a 32-byte key.
type floorGenerateDataKeyInput struct {
	KeyId             string
	KeySpec           string
	EncryptionContext map[string]string
}

func floorParse(body []byte, in any) *kmserr.Error {
	if err := json.Unmarshal(body, in); err != nil {
		return kmserr.New(kmserr.CodeSerialization, http.StatusBadRequest, "The request body is not valid JSON.")
	}
	return nil
}

// seal returns nonce || AES-256-GCM(FloorKey, nonce, pt).
func (f *Floor) seal(pt []byte) ([]byte, *kmserr.Error) {
	blob := make([]byte, floorNonce, floorNonce+len(pt)+f.aead.Overhead())
	if _, err := rand.Read(blob); err != nil {
		return nil, kmserr.New(kmserr.CodeInternal, http.StatusInternalServerError, "No randomness.")
	}
	return f.aead.Seal(blob, blob, pt, nil), nil
}

// encrypt writes {"CiphertextBlob","KeyId","EncryptionAlgorithm"}.
func (f *Floor) encrypt(body []byte) ([]byte, *kmserr.Error) {
	var in floorEncryptInput
	if e := floorParse(body, &in); e != nil {
		return nil, e
	}
	blob, e := f.seal(in.Plaintext)
	if e != nil {
		return nil, e
	}
	out := make([]byte, 0, 128+base64.StdEncoding.EncodedLen(len(blob)))
	out = append(out, `{"CiphertextBlob":"`...)
	out = base64.StdEncoding.AppendEncode(out, blob)
	out = append(out, `","KeyId":"`+FloorKeyARN+`","EncryptionAlgorithm":"SYMMETRIC_DEFAULT"}`...)
	return out, nil
}

// decrypt opens a blob its Encrypt made and writes
// {"KeyId","Plaintext","EncryptionAlgorithm"}. A blob that does not open
// gets InvalidCiphertextException, as KMS answers.
func (f *Floor) decrypt(body []byte) ([]byte, *kmserr.Error) {
	var in floorDecryptInput
	if e := floorParse(body, &in); e != nil {
		return nil, e
	}
	blob := in.CiphertextBlob
	if len(blob) < floorNonce+f.aead.Overhead() {
		return nil, kmserr.New(kmserr.CodeInvalidCiphertext, http.StatusBadRequest, "The ciphertext is invalid.")
	}
	pt, err := f.aead.Open(nil, blob[:floorNonce], blob[floorNonce:], nil)
	if err != nil {
		return nil, kmserr.New(kmserr.CodeInvalidCiphertext, http.StatusBadRequest, "The ciphertext is invalid.")
	}
	out := make([]byte, 0, 160+base64.StdEncoding.EncodedLen(len(pt)))
	out = append(out, `{"KeyId":"`+FloorKeyARN+`","Plaintext":"`...)
	out = base64.StdEncoding.AppendEncode(out, pt)
	out = append(out, `","EncryptionAlgorithm":"SYMMETRIC_DEFAULT"}`...)
	return out, nil
}

// generateDataKey makes 32 random bytes, seals them once and writes
// {"CiphertextBlob","Plaintext","KeyId"}.
func (f *Floor) generateDataKey(body []byte) ([]byte, *kmserr.Error) {
	var in floorGenerateDataKeyInput
	if e := floorParse(body, &in); e != nil {
		return nil, e
	}
	var key [floorDataKeyBytes]byte
	if _, err := rand.Read(key[:]); err != nil {
		return nil, kmserr.New(kmserr.CodeInternal, http.StatusInternalServerError, "No randomness.")
	}
	blob, e := f.seal(key[:])
	if e != nil {
		return nil, e
	}
	out := make([]byte, 0, 192+base64.StdEncoding.EncodedLen(len(blob)))
	out = append(out, `{"CiphertextBlob":"`...)
	out = base64.StdEncoding.AppendEncode(out, blob)
	out = append(out, `","Plaintext":"`...)
	out = base64.StdEncoding.AppendEncode(out, key[:])
	out = append(out, `","KeyId":"`+FloorKeyARN+`"}`...)
	return out, nil
}
