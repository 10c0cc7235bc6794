package cipher

import (
	"crypto"
	"errors"
)

// Errors of SignOptions a key cannot honour. The service checks the
// algorithm's rules before it signs, so these are faults, not answers.
var (
	errSignOptions  = errors.New("cipher: signing options not supported by this key")
	errDigestLength = errors.New("cipher: digest length does not match the hash")
)

// signedDigest returns the digest a hash-then-sign scheme (RSA, ECDSA)
// signs: a RAW message hashed with o.Hash, or a DIGEST input as it is if it
// is as long as o.Hash's digests. hashOK says which hashes the scheme
// takes; options of other schemes (PSS is the caller's to check, Prehash,
// μ) are refused.
func signedDigest(in []byte, o SignOptions, hashOK func(crypto.Hash) bool) ([]byte, error) {
	if o.Prehash || !hashOK(o.Hash) || !o.Hash.Available() {
		return nil, errSignOptions
	}
	switch o.Input {
	case InputRaw:
		h := o.Hash.New()
		h.Write(in)
		return h.Sum(nil), nil
	case InputDigest:
		if len(in) != o.Hash.Size() {
			return nil, errDigestLength
		}
		return in, nil
	}
	return nil, errSignOptions
}

// sha2Hash reports whether h is SHA-256, SHA-384 or SHA-512, the hashes of
// AWS's RSA and NIST ECDSA algorithms.
func sha2Hash(h crypto.Hash) bool {
	return h == crypto.SHA256 || h == crypto.SHA384 || h == crypto.SHA512
}
