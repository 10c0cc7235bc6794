package cipher

import (
	"crypto/rsa"
	"fmt"
	"io"
)

// Errors of RSA signing. The service checks the algorithm, the message
// type and the digest length before it signs (with AWS's messages); these
// only keep a wrong call from signing something else than asked.

// Sign implements Signer: RSASSA-PSS (salt as long as the digest, MGF1 over
// the same hash: AWS's RSASSA_PSS_SHA_*) if o.PSS, RSASSA-PKCS1-v1_5
// otherwise. rand supplies the PSS salt; PKCS#1 v1.5 is deterministic.
func (k *RSAKey) Sign(rand io.Reader, in []byte, o SignOptions) ([]byte, error) {
	digest, err := rsaDigest(in, o)
	if err != nil {
		return nil, err
	}
	var sig []byte
	if o.PSS {
		sig, err = rsa.SignPSS(orDefault(rand), k.priv, o.Hash, digest,
			&rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	} else {
		sig, err = rsa.SignPKCS1v15(nil, k.priv, o.Hash, digest)
	}
	if err != nil {
		return nil, fmt.Errorf("cipher: %s signature: %w", k.kind, err)
	}
	return sig, nil
}

// Verify implements Signer.
func (k *RSAKey) Verify(in, sig []byte, o SignOptions) bool {
	return rsaVerify(&k.priv.PublicKey, in, sig, o)
}

// rsaVerify checks sig under pub; it is Verify without the private key, so
// the tests can run it on the public keys of the Wycheproof vectors. A PSS
// signature must have a salt exactly as long as the digest, as AWS's
// RSASSA_PSS_SHA_* algorithms specify.
func rsaVerify(pub *rsa.PublicKey, in, sig []byte, o SignOptions) bool {
	digest, err := rsaDigest(in, o)
	if err != nil {
		return false
	}
	if o.PSS {
		err = rsa.VerifyPSS(pub, o.Hash, digest, sig,
			&rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	} else {
		err = rsa.VerifyPKCS1v15(pub, o.Hash, digest, sig)
	}
	return err == nil
}

// rsaDigest returns the digest an RSA signature covers.
func rsaDigest(in []byte, o SignOptions) ([]byte, error) {
	return signedDigest(in, o, sha2Hash)
}
