package keys

import (
	"crypto"
	"slices"
)

// MessageType says what Sign and Verify are given (the MessageType enum).
type MessageType string

// Message types.
const (
	MessageRaw        MessageType = "RAW"
	MessageDigest     MessageType = "DIGEST"
	MessageExternalMu MessageType = "EXTERNAL_MU"
)

// ExternalMuLength is the length of ML-DSA's μ (FIPS 204 §6.2).
const ExternalMuLength = 64

// SigningAlgorithm is what a SigningAlgorithmSpec value means (docs "Key
// spec reference", API Reference Sign).
type SigningAlgorithm struct {
	Name string
	// Hash is the algorithm's hash, which sets the length of a DIGEST
	// message; zero for ML-DSA (SHAKE256 inside the scheme) and SM2DSA
	// (SM3, which crypto.Hash does not name).
	Hash crypto.Hash
	// DigestSize is the length of a DIGEST message when Hash is zero.
	DigestSize int
	// PSS: RSASSA-PSS (salt length = digest length); RSA otherwise uses
	// PKCS#1 v1.5.
	PSS bool
	// Prehash: Ed25519ph.
	Prehash bool
	// MessageTypes are the message types the algorithm takes: AWS
	// requires RAW for ED25519_SHA_512 and DIGEST for ED25519_PH_SHA_512,
	// and offers EXTERNAL_MU only for ML-DSA.
	MessageTypes []MessageType
}

var rawOrDigest = []MessageType{MessageRaw, MessageDigest}

var signingAlgorithms = map[string]SigningAlgorithm{
	"RSASSA_PSS_SHA_256":        {Hash: crypto.SHA256, PSS: true, MessageTypes: rawOrDigest},
	"RSASSA_PSS_SHA_384":        {Hash: crypto.SHA384, PSS: true, MessageTypes: rawOrDigest},
	"RSASSA_PSS_SHA_512":        {Hash: crypto.SHA512, PSS: true, MessageTypes: rawOrDigest},
	"RSASSA_PKCS1_V1_5_SHA_256": {Hash: crypto.SHA256, MessageTypes: rawOrDigest},
	"RSASSA_PKCS1_V1_5_SHA_384": {Hash: crypto.SHA384, MessageTypes: rawOrDigest},
	"RSASSA_PKCS1_V1_5_SHA_512": {Hash: crypto.SHA512, MessageTypes: rawOrDigest},
	"ECDSA_SHA_256":             {Hash: crypto.SHA256, MessageTypes: rawOrDigest},
	"ECDSA_SHA_384":             {Hash: crypto.SHA384, MessageTypes: rawOrDigest},
	"ECDSA_SHA_512":             {Hash: crypto.SHA512, MessageTypes: rawOrDigest},
	"ED25519_SHA_512":           {Hash: crypto.SHA512, MessageTypes: []MessageType{MessageRaw}},
	"ED25519_PH_SHA_512":        {Hash: crypto.SHA512, Prehash: true, MessageTypes: []MessageType{MessageDigest}},
	"ML_DSA_SHAKE_256":          {MessageTypes: []MessageType{MessageRaw, MessageExternalMu}},
	// SM2DSA signs e = SM3(Z ‖ M) with the distinguishing ID
	// 1234567812345678; DIGEST gives e, 32 bytes (unverified).
	"SM2DSA": {DigestSize: 32, MessageTypes: rawOrDigest},
}

// Signing returns the meaning of a signing algorithm Trent implements.
func Signing(name string) (SigningAlgorithm, bool) {
	a, ok := signingAlgorithms[name]
	a.Name = name
	return a, ok
}

// Takes reports whether the algorithm takes message type mt.
func (a SigningAlgorithm) Takes(mt MessageType) bool { return slices.Contains(a.MessageTypes, mt) }

// InputLength is the exact length a message of type mt must have, or 0
// when any length up to the model's 4096 bytes will do (RAW).
func (a SigningAlgorithm) InputLength(mt MessageType) int {
	switch mt {
	case MessageDigest:
		if a.Hash == 0 {
			return a.DigestSize
		}
		return a.Hash.Size()
	case MessageExternalMu:
		return ExternalMuLength
	}
	return 0
}
