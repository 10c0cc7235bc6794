package e2e

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha3"
	"crypto/sha512"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	decredecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

// End-to-end tests of Sign and Verify for every signing key spec,
// algorithm and message type AWS allows. Every signature is also checked
// by an implementation other than Trent's: crypto/rsa, crypto/ecdsa,
// crypto/ed25519, decred's secp256k1 and circl's ML-DSA.

// signingHash is the hash of an RSA or ECDSA algorithm (API Reference,
// Sign MessageType: the name's suffix).
var signingHash = map[types.SigningAlgorithmSpec]crypto.Hash{
	types.SigningAlgorithmSpecRsassaPssSha256: crypto.SHA256, types.SigningAlgorithmSpecRsassaPssSha384: crypto.SHA384,
	types.SigningAlgorithmSpecRsassaPssSha512: crypto.SHA512, types.SigningAlgorithmSpecRsassaPkcs1V15Sha256: crypto.SHA256,
	types.SigningAlgorithmSpecRsassaPkcs1V15Sha384: crypto.SHA384, types.SigningAlgorithmSpecRsassaPkcs1V15Sha512: crypto.SHA512,
	types.SigningAlgorithmSpecEcdsaSha256: crypto.SHA256, types.SigningAlgorithmSpecEcdsaSha384: crypto.SHA384,
	types.SigningAlgorithmSpecEcdsaSha512: crypto.SHA512,
}

func hashOf(h crypto.Hash, m []byte) []byte {
	w := h.New()
	w.Write(m)
	return w.Sum(nil)
}

func isPSS(alg types.SigningAlgorithmSpec) bool {
	return strings.HasPrefix(string(alg), "RSASSA_PSS_")
}

// messageTypes are the message types AWS takes with an algorithm (API
// Reference, Sign MessageType; spec digest §4).
func messageTypes(alg types.SigningAlgorithmSpec) []types.MessageType {
	switch alg {
	case types.SigningAlgorithmSpecEd25519Sha512:
		return []types.MessageType{types.MessageTypeRaw}
	case types.SigningAlgorithmSpecEd25519PhSha512:
		return []types.MessageType{types.MessageTypeDigest}
	case types.SigningAlgorithmSpecMlDsaShake256:
		return []types.MessageType{types.MessageTypeRaw, types.MessageTypeExternalMu}
	}
	return []types.MessageType{types.MessageTypeRaw, types.MessageTypeDigest}
}

// externalMu is ML-DSA's message representative μ for message m under the
// public key pk with the empty context (FIPS 204 Algorithm 2 and 7):
// SHAKE256(SHAKE256(pk, 64) || 0x00 || 0x00 || m, 64).
func externalMu(pk, m []byte) []byte {
	tr := sha3.SumSHAKE256(pk, 64)
	h := sha3.NewSHAKE256()
	h.Write(tr)
	h.Write([]byte{0, 0})
	h.Write(m)
	mu := make([]byte, 64)
	h.Read(mu)
	return mu
}

// signInput is what a caller sends as Message to sign m with alg and
// message type mt: m itself, its digest, or μ.
func signInput(t *testing.T, spec types.KeySpec, alg types.SigningAlgorithmSpec, mt types.MessageType, der, m []byte) []byte {
	t.Helper()
	switch {
	case mt == types.MessageTypeRaw:
		return m
	case mt == types.MessageTypeExternalMu:
		return externalMu(pqPublicKey(t, spec, der), m)
	case alg == types.SigningAlgorithmSpecEd25519PhSha512:
		d := sha512.Sum512(m)
		return d[:]
	}
	return hashOf(signingHash[alg], m)
}

// offlineVerify checks sig as a signature by the key whose public key is
// der over message, sent to Sign with message type mt (RAW or DIGEST), by
// an implementation other than Trent's. A nil error means it verifies.
func offlineVerify(t *testing.T, spec types.KeySpec, alg types.SigningAlgorithmSpec, mt types.MessageType, der, message, sig []byte) error {
	t.Helper()
	if h, ok := signingHash[alg]; ok {
		digest := message
		if mt == types.MessageTypeRaw {
			digest = hashOf(h, message)
		}
		switch {
		case strings.HasPrefix(string(alg), "RSASSA_"):
			pub := stdlibPublicKey(t, der).(*rsa.PublicKey)
			if isPSS(alg) {
				// AWS's PSS salt is as long as the digest.
				return rsa.VerifyPSS(pub, h, digest, sig, &rsa.PSSOptions{SaltLength: h.Size(), Hash: h})
			}
			return rsa.VerifyPKCS1v15(pub, h, digest, sig)
		case spec == types.KeySpecEccSecgP256k1:
			s, err := decredecdsa.ParseDERSignature(sig)
			if err != nil {
				return err
			}
			if !s.Verify(digest, secp256k1PublicKey(t, der)) {
				return errors.New("secp256k1 ECDSA signature does not verify")
			}
			return nil
		default:
			// ECDSA signatures are DER (spec digest §4).
			if !ecdsa.VerifyASN1(stdlibPublicKey(t, der).(*ecdsa.PublicKey), digest, sig) {
				return errors.New("ECDSA signature does not verify")
			}
			return nil
		}
	}
	switch alg {
	case types.SigningAlgorithmSpecEd25519Sha512:
		if mt != types.MessageTypeRaw || !ed25519.Verify(stdlibPublicKey(t, der).(ed25519.PublicKey), message, sig) {
			return errors.New("Ed25519 signature does not verify")
		}
		return nil
	case types.SigningAlgorithmSpecEd25519PhSha512:
		// The caller sent d = SHA-512(m) as DIGEST and KMS still
		// applies Ed25519ph's SHA-512 prehash (API Reference, Sign
		// MessageType): the signature is Ed25519ph over d, whose
		// prehash is SHA-512(d).
		if mt != types.MessageTypeDigest {
			return errors.New("ED25519_PH_SHA_512 signs digests only")
		}
		ph := sha512.Sum512(message)
		return ed25519.VerifyWithOptions(stdlibPublicKey(t, der).(ed25519.PublicKey), ph[:], sig, &ed25519.Options{Hash: crypto.SHA512})
	case types.SigningAlgorithmSpecMlDsaShake256:
		scheme := mldsaSchemes[spec]
		pk, err := scheme.UnmarshalBinaryPublicKey(pqPublicKey(t, spec, der))
		if err != nil {
			return err
		}
		// AWS signs with the empty context string.
		if mt != types.MessageTypeRaw || !scheme.Verify(pk, message, sig, nil) {
			return errors.New("ML-DSA signature does not verify")
		}
		return nil
	}
	return fmt.Errorf("no offline verification for %s", alg)
}

// wantValid asserts that Verify accepts the signature, echoing the
// algorithm and naming the key by ARN.
func wantValid(t *testing.T, c *kms.Client, what string, md *types.KeyMetadata, in *kms.VerifyInput) {
	t.Helper()
	out, err := c.Verify(ctx, in)
	if err != nil {
		t.Fatalf("%s: Verify: %v", what, err)
	}
	if !out.SignatureValid || out.SigningAlgorithm != in.SigningAlgorithm || aws.ToString(out.KeyId) != *md.Arn {
		t.Errorf("%s: Verify SignatureValid %v, SigningAlgorithm %s, KeyId %s", what, out.SignatureValid, out.SigningAlgorithm, aws.ToString(out.KeyId))
	}
}

// wantInvalid asserts that Verify refuses the signature as AWS does: with
// KMSInvalidSignatureException and an empty message (recorded), not with
// SignatureValid false.
func wantInvalid(t *testing.T, c *kms.Client, what string, in *kms.VerifyInput) {
	t.Helper()
	_, err := c.Verify(ctx, in)
	if err == nil {
		t.Fatalf("%s: Verify accepted it", what)
	}
	wantError(t, err, "KMSInvalidSignatureException", "")
}

func withBitFlipped(b []byte, i int) []byte {
	b = bytes.Clone(b)
	b[i%len(b)] ^= 0x01
	return b
}

func TestSignVerifyEverySpec(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	for _, p := range awsSpecUsages {
		if p.usage != types.KeyUsageTypeSignVerify {
			continue
		}
		t.Run(string(p.spec), func(t *testing.T) {
			t.Parallel()
			md := createKeyOfType(t, c, p.spec, p.usage)
			der := publicKeyDER(t, c, *md.KeyId)
			for _, a := range p.algs {
				alg := types.SigningAlgorithmSpec(a)
				for _, mt := range messageTypes(alg) {
					signAndVerify(t, c, p.spec, md, der, alg, mt)
				}
			}
		})
	}
}

// signAndVerify signs a message of alg and mt and checks the signature
// every way it should and should not verify.
func signAndVerify(t *testing.T, c *kms.Client, spec types.KeySpec, md *types.KeyMetadata, der []byte, alg types.SigningAlgorithmSpec, mt types.MessageType) {
	what := fmt.Sprintf("%s %s %s", spec, alg, mt)
	m := randomBytes(300)
	if mt == types.MessageTypeExternalMu {
		// μ is how ML-DSA signs messages over the 4096-byte limit.
		m = randomBytes(10000)
	}
	input := signInput(t, spec, alg, mt, der, m)
	out := must[*kms.SignOutput](t)(c.Sign(ctx, &kms.SignInput{KeyId: md.KeyId, Message: input, MessageType: mt, SigningAlgorithm: alg}))
	if aws.ToString(out.KeyId) != *md.Arn || out.SigningAlgorithm != alg {
		t.Errorf("%s: Sign KeyId %s, SigningAlgorithm %s", what, aws.ToString(out.KeyId), out.SigningAlgorithm)
	}
	sig := out.Signature

	// Independently: μ is checked by verifying the message it stands for.
	offlineType, offlineMessage := mt, input
	if mt == types.MessageTypeExternalMu {
		offlineType, offlineMessage = types.MessageTypeRaw, m
	}
	if err := offlineVerify(t, spec, alg, offlineType, der, offlineMessage, sig); err != nil {
		t.Errorf("%s: the signature does not verify independently: %v", what, err)
	}
	if alg == types.SigningAlgorithmSpecEd25519PhSha512 {
		// KMS hashes the digest again: the signature is not Ed25519ph
		// of m, whose prehash is the digest itself.
		if ed25519.VerifyWithOptions(stdlibPublicKey(t, der).(ed25519.PublicKey), input, sig, &ed25519.Options{Hash: crypto.SHA512}) == nil {
			t.Errorf("%s: the signature verifies as Ed25519ph over the message, without the second SHA-512", what)
		}
	}

	valid := &kms.VerifyInput{KeyId: md.KeyId, Message: input, MessageType: mt, Signature: sig, SigningAlgorithm: alg}
	wantValid(t, c, what, md, valid)
	wantInvalid(t, c, what+" tampered signature", &kms.VerifyInput{KeyId: md.KeyId, Message: input, MessageType: mt,
		Signature: withBitFlipped(sig, len(sig)/2), SigningAlgorithm: alg})
	wantInvalid(t, c, what+" tampered message", &kms.VerifyInput{KeyId: md.KeyId, Message: withBitFlipped(input, 3), MessageType: mt,
		Signature: sig, SigningAlgorithm: alg})

	switch {
	case mt == types.MessageTypeDigest && signingHash[alg] != 0:
		// A signature of the digest is a signature of the message.
		wantValid(t, c, what+" verified as RAW", md, &kms.VerifyInput{KeyId: md.KeyId, Message: m, Signature: sig, SigningAlgorithm: alg})
		raw := must[*kms.SignOutput](t)(c.Sign(ctx, &kms.SignInput{KeyId: md.KeyId, Message: m, SigningAlgorithm: alg})).Signature
		wantValid(t, c, what+" RAW signature verified as DIGEST", md, &kms.VerifyInput{KeyId: md.KeyId, Message: input,
			MessageType: types.MessageTypeDigest, Signature: raw, SigningAlgorithm: alg})
		if strings.HasPrefix(string(alg), "RSASSA_PKCS1_V1_5_") && !bytes.Equal(raw, sig) {
			// PKCS#1 v1.5 is deterministic.
			t.Errorf("%s: PKCS#1 v1.5 signatures of a message and of its digest differ", what)
		}
		// The digest sent as RAW is hashed again, so the signature is
		// not one of it.
		wantInvalid(t, c, what+" verified as RAW of the digest", &kms.VerifyInput{KeyId: md.KeyId, Message: input,
			MessageType: types.MessageTypeRaw, Signature: sig, SigningAlgorithm: alg})
	case mt == types.MessageTypeExternalMu:
		// Signatures over μ are ML-DSA signatures of the message, and
		// signatures of the message verify over μ (docs "ML-DSA keys in
		// AWS KMS").
		short := m[:4096]
		mu := externalMu(pqPublicKey(t, spec, der), short)
		wantValid(t, c, what+" verified as RAW", md, &kms.VerifyInput{KeyId: md.KeyId, Message: short, MessageType: types.MessageTypeRaw,
			Signature: mustSign(t, c, md, alg, types.MessageTypeExternalMu, mu), SigningAlgorithm: alg})
		wantValid(t, c, what+" RAW signature verified over μ", md, &kms.VerifyInput{KeyId: md.KeyId, Message: mu, MessageType: types.MessageTypeExternalMu,
			Signature: mustSign(t, c, md, alg, types.MessageTypeRaw, short), SigningAlgorithm: alg})
	}
	if strings.HasPrefix(string(alg), "RSASSA_") {
		// The same key and hash with the other padding is another
		// signature.
		other := "RSASSA_PSS_" + strings.TrimPrefix(string(alg), "RSASSA_PKCS1_V1_5_")
		if isPSS(alg) {
			other = "RSASSA_PKCS1_V1_5_" + strings.TrimPrefix(string(alg), "RSASSA_PSS_")
		}
		wantInvalid(t, c, what+" verified as "+other, &kms.VerifyInput{KeyId: md.KeyId, Message: input, MessageType: mt,
			Signature: sig, SigningAlgorithm: types.SigningAlgorithmSpec(other)})
	}
}

func mustSign(t *testing.T, c *kms.Client, md *types.KeyMetadata, alg types.SigningAlgorithmSpec, mt types.MessageType, message []byte) []byte {
	t.Helper()
	return must[*kms.SignOutput](t)(c.Sign(ctx, &kms.SignInput{KeyId: md.KeyId, Message: message, MessageType: mt, SigningAlgorithm: alg})).Signature
}

// TestSignMessageSizes: RAW messages of 1 and 4096 bytes, the model's
// range, sign and verify; MessageType left out means RAW.
func TestSignMessageSizes(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	for _, p := range []struct {
		spec types.KeySpec
		alg  types.SigningAlgorithmSpec
	}{{types.KeySpecEccNistP256, types.SigningAlgorithmSpecEcdsaSha256}, {types.KeySpecEccNistEdwards25519, types.SigningAlgorithmSpecEd25519Sha512},
		{types.KeySpecMlDsa44, types.SigningAlgorithmSpecMlDsaShake256}} {
		md := createKeyOfType(t, c, p.spec, types.KeyUsageTypeSignVerify)
		der := publicKeyDER(t, c, *md.KeyId)
		for _, n := range []int{1, 4096} {
			m := randomBytes(n)
			sig := must[*kms.SignOutput](t)(c.Sign(ctx, &kms.SignInput{KeyId: md.KeyId, Message: m, SigningAlgorithm: p.alg})).Signature
			if err := offlineVerify(t, p.spec, p.alg, types.MessageTypeRaw, der, m, sig); err != nil {
				t.Errorf("%s %d bytes: %v", p.spec, n, err)
			}
			wantValid(t, c, fmt.Sprintf("%s %d bytes", p.spec, n), md, &kms.VerifyInput{KeyId: md.KeyId, Message: m, Signature: sig, SigningAlgorithm: p.alg})
		}
	}
}

// TestSignKeyIdentifiers: Sign and Verify take the key ID, key ARN, alias
// name and alias ARN, and answer with the key ARN.
func TestSignKeyIdentifiers(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	md := createKeyOfType(t, c, types.KeySpecEccNistP256, types.KeyUsageTypeSignVerify)
	must[*kms.CreateAliasOutput](t)(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/signer"), TargetKeyId: md.KeyId}))
	der := publicKeyDER(t, c, *md.KeyId)
	ids := []string{*md.KeyId, *md.Arn, "alias/signer", "arn:aws:kms:us-east-1:111122223333:alias/signer"}
	for i, id := range ids {
		m := []byte("signed by " + id)
		out := must[*kms.SignOutput](t)(c.Sign(ctx, &kms.SignInput{KeyId: aws.String(id), Message: m, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256}))
		if aws.ToString(out.KeyId) != *md.Arn {
			t.Errorf("Sign(%s): KeyId %s, want the key ARN", id, aws.ToString(out.KeyId))
		}
		if err := offlineVerify(t, md.KeySpec, types.SigningAlgorithmSpecEcdsaSha256, types.MessageTypeRaw, der, m, out.Signature); err != nil {
			t.Errorf("Sign(%s): %v", id, err)
		}
		// Verified through another identifier of the same key.
		other := ids[(i+1)%len(ids)]
		wantValid(t, c, "Verify("+other+")", md, &kms.VerifyInput{KeyId: aws.String(other), Message: m, Signature: out.Signature,
			SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
	}
}
