package cipher

import (
	"encoding/binary"
	"errors"
)

// Layout of a version-1 symmetric ciphertext blob (docs/ciphertext-format.md):
//
//	offset  size  field
//	     0     1  format version, 0x01
//	     1     1  key ID kind: 0x01 UUID key ID, 0x02 multi-Region "mrk-" key ID
//	     2    16  key ID, raw bytes
//	    18     4  key material version, uint32 big-endian
//	    22    16  salt for the per-message key derivation, random
//	    38    12  AES-GCM nonce, random
//	    50     n  AES-256-GCM ciphertext of the n-byte plaintext
//	  50+n    16  AES-GCM authentication tag
//
// Every header byte (offsets 0 to 49) is part of the GCM associated data, so
// changing any of them makes Decrypt fail.
const (
	blobVersion1 = 0x01

	kindUUID        = 0x01
	kindMultiRegion = 0x02

	offVersion         = 0
	offKind            = 1
	offKeyID           = 2
	offMaterialVersion = offKeyID + keyIDLen
	offSalt            = offMaterialVersion + 4
	offNonce           = offSalt + saltLen
	headerLen          = offNonce + nonceLen

	keyIDLen = 16
	saltLen  = 16
	nonceLen = 12 // the GCM nonce length SP 800-38D §5.2.1.1 recommends
	tagLen   = 16 // full-length GCM tag (SP 800-38D §5.2.1.2)

	// BlobOverhead is how many bytes a version-1 blob adds to its plaintext:
	// the 50-byte header and the 16-byte tag. A 4096-byte plaintext (the
	// Encrypt maximum) becomes a 4162-byte blob, under AWS's 6144-byte limit
	// on CiphertextBlob.
	BlobOverhead = headerLen + tagLen
)

// ErrMalformedCiphertext is returned by ParseHeader for bytes that are not a
// version-1 blob: too short, an unknown format version or an unknown key ID
// kind. The service reports it as InvalidCiphertextException, like ErrDecrypt.
var ErrMalformedCiphertext = errors.New("cipher: malformed ciphertext")

// ErrInvalidKeyID is returned by Encrypt for a Header.KeyID that is not a
// lowercase UUID key ID or "mrk-" multi-Region key ID. Blobs store the key
// ID, never an ARN or alias: multi-Region replicas share the ID across
// Regions and must open each other's ciphertexts.
var ErrInvalidKeyID = errors.New("cipher: key ID must be a lowercase UUID or mrk- key ID, not an ARN or alias")

// Header is the cleartext part of a blob that tells the service which key
// and key material version to open it with. It is authenticated, but only
// when the blob is decrypted: a caller must not trust it before Decrypt
// succeeds beyond choosing which key to try.
type Header struct {
	// KeyID is the KMS key ID, e.g. "1234abcd-12ab-34cd-56ef-1234567890ab"
	// or "mrk-1234abcd12ab34cd56ef1234567890ab".
	KeyID string
	// MaterialVersion names the key material version that encrypted the
	// blob; rotation keeps older versions for Decrypt. Its numbering is the
	// caller's.
	MaterialVersion uint32
}

// ParseHeader reads the header of a version-1 blob without authenticating
// it. It returns ErrMalformedCiphertext if blob cannot be a version-1 blob.
func ParseHeader(blob []byte) (Header, error) {
	if len(blob) < BlobOverhead || blob[offVersion] != blobVersion1 {
		return Header{}, ErrMalformedCiphertext
	}
	id, ok := formatKeyID(blob[offKind], blob[offKeyID:offKeyID+keyIDLen])
	if !ok {
		return Header{}, ErrMalformedCiphertext
	}
	return Header{
		KeyID:           id,
		MaterialVersion: binary.BigEndian.Uint32(blob[offMaterialVersion:]),
	}, nil
}

// appendHeader appends the version-1 header for h, followed by saltAndNonce
// (the salt then the nonce, saltLen+nonceLen bytes), to dst.
func appendHeader(dst []byte, h Header, saltAndNonce []byte) ([]byte, error) {
	if len(saltAndNonce) != saltLen+nonceLen {
		panic("cipher: internal error: wrong salt and nonce length")
	}
	kind, raw, ok := parseKeyID(h.KeyID)
	if !ok {
		return nil, ErrInvalidKeyID
	}
	dst = append(dst, blobVersion1, kind)
	dst = append(dst, raw[:]...)
	dst = binary.BigEndian.AppendUint32(dst, h.MaterialVersion)
	return append(dst, saltAndNonce...), nil
}

// uuidDashes are the offsets of the dashes in the 36-character key ID form
// xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.
var uuidDashes = [4]int{8, 13, 18, 23}

const mrkPrefix = "mrk-"

// parseKeyID turns a key ID into its kind and 16 raw bytes. Only lowercase
// hex is accepted, so that formatKeyID(parseKeyID(id)) == id: a blob names
// exactly one spelling of its key, and the service's string comparison of
// header and key cannot be fooled by case.
func parseKeyID(id string) (kind byte, raw [keyIDLen]byte, ok bool) {
	var hexDigits []byte
	switch {
	case len(id) == len(mrkPrefix)+2*keyIDLen && id[:len(mrkPrefix)] == mrkPrefix:
		kind = kindMultiRegion
		hexDigits = []byte(id[len(mrkPrefix):])
	case len(id) == 36:
		kind = kindUUID
		hexDigits = make([]byte, 0, 2*keyIDLen)
		prev := 0
		for _, d := range uuidDashes {
			if id[d] != '-' {
				return 0, raw, false
			}
			hexDigits = append(hexDigits, id[prev:d]...)
			prev = d + 1
		}
		hexDigits = append(hexDigits, id[prev:]...)
	default:
		return 0, raw, false
	}
	for i := range raw {
		hi, ok1 := lowerHexValue(hexDigits[2*i])
		lo, ok2 := lowerHexValue(hexDigits[2*i+1])
		if !ok1 || !ok2 {
			return 0, raw, false
		}
		raw[i] = hi<<4 | lo
	}
	return kind, raw, true
}

// formatKeyID is the inverse of parseKeyID. It reports false for an unknown
// kind.
func formatKeyID(kind byte, raw []byte) (string, bool) {
	const hexdigits = "0123456789abcdef"
	var out []byte
	switch kind {
	case kindUUID:
		out = make([]byte, 0, 36)
		for i, b := range raw {
			if i == 4 || i == 6 || i == 8 || i == 10 {
				out = append(out, '-')
			}
			out = append(out, hexdigits[b>>4], hexdigits[b&0x0f])
		}
	case kindMultiRegion:
		out = make([]byte, 0, len(mrkPrefix)+2*keyIDLen)
		out = append(out, mrkPrefix...)
		for _, b := range raw {
			out = append(out, hexdigits[b>>4], hexdigits[b&0x0f])
		}
	default:
		return "", false
	}
	return string(out), true
}

func lowerHexValue(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}
