// Package cipher owns Trent's cryptography per kind of key material and the
// byte formats it produces. key.go defines the Key interface and the
// capabilities a key may have (Signer, OAEPKey, MACKey, AgreementKey,
// KEMKey); each primitive lives in its own file and registers its kinds:
// the SYMMETRIC_DEFAULT envelope (the canonical encoding of an encryption
// context in context.go, the version-1 ciphertext blob header in blob.go and
// AES-256-GCM under a per-message key derived from the key material in
// symmetric.go), rsa, ecdsa, secp256k1, eddsa, ecdh, mldsa, hmac, mlkem and
// sm2; and, for importing key material (issue 9), AES key wrap with padding
// (kwp.go, RFC 5649) and the unwrapping of AWS's wrapping algorithms
// (importwrap.go).
// The blob format is documented byte by byte in docs/ciphertext-format.md;
// the tests recompute it by hand from that description. Every primitive is
// tested against the Wycheproof vectors and an independent implementation.
//
// The package does no I/O, keeps no state between calls (but the registry
// of kinds, filled at init) and imports nothing of Trent's except
// internal/secret and, for ML-DSA's μ path, its own mldsa subpackage. It
// never decides whether a caller may use a key or whether a ciphertext's
// header names the key the caller meant: the service does that, with
// ParseHeader, before calling Decrypt.
//
// Errors are sentinels the service translates in context. Every failure to
// open a blob is the single error ErrDecrypt, so that no caller can learn
// which check failed (an oracle for forgeries).
package cipher
