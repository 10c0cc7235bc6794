// Package cipher owns Trent's cryptography per KMS key spec and the byte
// formats it produces. Today that is the SYMMETRIC_DEFAULT envelope: the
// canonical encoding of an encryption context (context.go), the version-1
// ciphertext blob header (blob.go) and AES-256-GCM under a per-message key
// derived from the key material (symmetric.go). The blob format is
// documented byte by byte in docs/ciphertext-format.md; the tests recompute
// it by hand from that description.
//
// The package does no I/O, keeps no state between calls and imports nothing
// of Trent's except internal/secret. It never decides whether a caller may
// use a key or whether a ciphertext's header names the key the caller meant:
// the service does that, with ParseHeader, before calling Decrypt.
//
// Errors are sentinels the service translates in context. Every failure to
// open a blob is the single error ErrDecrypt, so that no caller can learn
// which check failed (an oracle for forgeries).
package cipher
