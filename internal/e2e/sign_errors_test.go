package e2e

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go/middleware"
)

// End-to-end tests of the ways Sign and Verify fail, each with AWS's error
// type, and AWS's exact message where it is recorded.

// signErrorKeys are the keys the error cases use.
type signErrorKeys struct {
	symmetric, rsaEncryption, hmac, agreement *types.KeyMetadata
	p256, secp256k1, rsa, ed25519, mldsa      *types.KeyMetadata
}

// signBoth calls Sign and Verify with the same members (Verify with a
// dummy signature: every case here fails before a signature is checked).
func signBoth(c *kms.Client, keyID *string, alg types.SigningAlgorithmSpec, mt types.MessageType, message []byte) (signErr, verifyErr error) {
	_, signErr = c.Sign(ctx, &kms.SignInput{KeyId: keyID, Message: message, MessageType: mt, SigningAlgorithm: alg})
	_, verifyErr = c.Verify(ctx, &kms.VerifyInput{KeyId: keyID, Message: message, MessageType: mt, SigningAlgorithm: alg, Signature: make([]byte, 64)})
	return signErr, verifyErr
}

// keyLastUsage describes a key's last use, to show that failed calls
// left it alone.
func keyLastUsage(t *testing.T, c *kms.Client, keyID *string) string {
	t.Helper()
	u := must[*kms.GetKeyLastUsageOutput](t)(c.GetKeyLastUsage(ctx, &kms.GetKeyLastUsageInput{KeyId: keyID})).KeyLastUsage
	if u == nil {
		return "never used"
	}
	return string(u.Operation) + " " + aws.ToTime(u.Timestamp).String() + " " + aws.ToString(u.KmsRequestId)
}

func TestSignVerifyErrors(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	k := signErrorKeys{
		symmetric:     createSymmetricKey(t, c, nil),
		rsaEncryption: createKeyOfType(t, c, types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt),
		hmac:          createKeyOfType(t, c, types.KeySpecHmac256, types.KeyUsageTypeGenerateVerifyMac),
		agreement:     createKeyOfType(t, c, types.KeySpecEccNistP256, types.KeyUsageTypeKeyAgreement),
		p256:          createKeyOfType(t, c, types.KeySpecEccNistP256, types.KeyUsageTypeSignVerify),
		secp256k1:     createKeyOfType(t, c, types.KeySpecEccSecgP256k1, types.KeyUsageTypeSignVerify),
		rsa:           createKeyOfType(t, c, types.KeySpecRsa2048, types.KeyUsageTypeSignVerify),
		ed25519:       createKeyOfType(t, c, types.KeySpecEccNistEdwards25519, types.KeyUsageTypeSignVerify),
		mldsa:         createKeyOfType(t, c, types.KeySpecMlDsa44, types.KeyUsageTypeSignVerify),
	}
	message := []byte("to sign")
	sig := must[*kms.SignOutput](t)(c.Sign(ctx, &kms.SignInput{KeyId: k.p256.KeyId, Message: message, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})).Signature
	used := keyLastUsage(t, c, k.p256.KeyId)
	tn.clock.Advance(time.Minute)

	t.Run("key usage", func(t *testing.T) {
		// Recorded form: "<key ARN> key usage is SIGN_VERIFY which is
		// not valid for Encrypt."; the usage is checked before the
		// algorithm, so the algorithm does not matter.
		for _, tc := range []struct {
			key *types.KeyMetadata
			alg types.SigningAlgorithmSpec
		}{
			{k.symmetric, types.SigningAlgorithmSpecEcdsaSha256},
			{k.rsaEncryption, types.SigningAlgorithmSpecRsassaPssSha256},
			{k.hmac, types.SigningAlgorithmSpecEcdsaSha256},
			{k.agreement, types.SigningAlgorithmSpecEcdsaSha256},
		} {
			for _, id := range []*string{tc.key.KeyId, tc.key.Arn} {
				signErr, verifyErr := signBoth(c, id, tc.alg, "", message)
				prefix := *tc.key.Arn + " key usage is " + string(tc.key.KeyUsage) + " which is not valid for "
				wantError(t, signErr, "InvalidKeyUsageException", prefix+"Sign.")
				wantError(t, verifyErr, "InvalidKeyUsageException", prefix+"Verify.")
			}
		}
	})

	t.Run("algorithm not offered by the key", func(t *testing.T) {
		// Recorded form (VerifyMac): "Algorithm HMAC_SHA_256 is
		// incompatible with key spec HMAC_224."
		for _, tc := range []struct {
			key *types.KeyMetadata
			alg types.SigningAlgorithmSpec
		}{
			{k.p256, types.SigningAlgorithmSpecEcdsaSha384},
			{k.p256, types.SigningAlgorithmSpecEcdsaSha512},
			{k.p256, types.SigningAlgorithmSpecRsassaPssSha256},
			{k.p256, types.SigningAlgorithmSpecEd25519Sha512},
			{k.secp256k1, types.SigningAlgorithmSpecEcdsaSha384},
			{k.rsa, types.SigningAlgorithmSpecMlDsaShake256},
			{k.rsa, types.SigningAlgorithmSpecEcdsaSha256},
			{k.ed25519, types.SigningAlgorithmSpecEcdsaSha512},
			{k.mldsa, types.SigningAlgorithmSpecRsassaPssSha256},
			{k.mldsa, types.SigningAlgorithmSpecEd25519Sha512},
			// SM2DSA is SM2's, which AWS offers only in China.
			{k.p256, types.SigningAlgorithmSpecSm2dsa},
			{k.secp256k1, types.SigningAlgorithmSpecSm2dsa},
			{k.rsa, types.SigningAlgorithmSpecSm2dsa},
			{k.ed25519, types.SigningAlgorithmSpecSm2dsa},
			{k.mldsa, types.SigningAlgorithmSpecSm2dsa},
		} {
			signErr, verifyErr := signBoth(c, tc.key.KeyId, tc.alg, types.MessageTypeRaw, message)
			want := "Algorithm " + string(tc.alg) + " is incompatible with key spec " + string(tc.key.KeySpec) + "."
			wantError(t, signErr, "InvalidKeyUsageException", want)
			wantError(t, verifyErr, "InvalidKeyUsageException", want)
		}
	})

	t.Run("digest length", func(t *testing.T) {
		// Recorded: "Digest is invalid length for algorithm
		// RSASSA_PSS_SHA_256."
		for _, tc := range []struct {
			key *types.KeyMetadata
			alg types.SigningAlgorithmSpec
			n   int
		}{
			{k.rsa, types.SigningAlgorithmSpecRsassaPssSha256, 48},
			{k.rsa, types.SigningAlgorithmSpecRsassaPssSha256, 31},
			{k.rsa, types.SigningAlgorithmSpecRsassaPkcs1V15Sha512, 32},
			{k.rsa, types.SigningAlgorithmSpecRsassaPkcs1V15Sha384, 64},
			{k.p256, types.SigningAlgorithmSpecEcdsaSha256, 33},
			{k.p256, types.SigningAlgorithmSpecEcdsaSha256, 64},
			{k.secp256k1, types.SigningAlgorithmSpecEcdsaSha256, 1},
			{k.ed25519, types.SigningAlgorithmSpecEd25519PhSha512, 32},
		} {
			signErr, verifyErr := signBoth(c, tc.key.KeyId, tc.alg, types.MessageTypeDigest, make([]byte, tc.n))
			want := "Digest is invalid length for algorithm " + string(tc.alg) + "."
			wantError(t, signErr, "ValidationException", want)
			wantError(t, verifyErr, "ValidationException", want)
		}
	})

	t.Run("message type not taken by the algorithm", func(t *testing.T) {
		// ED25519_SHA_512 requires RAW, ED25519_PH_SHA_512 DIGEST, and
		// EXTERNAL_MU is ML-DSA's (API Reference, Sign MessageType);
		// AWS's text is not recorded.
		for _, tc := range []struct {
			key *types.KeyMetadata
			alg types.SigningAlgorithmSpec
			mt  types.MessageType
		}{
			{k.ed25519, types.SigningAlgorithmSpecEd25519Sha512, types.MessageTypeDigest},
			{k.ed25519, types.SigningAlgorithmSpecEd25519Sha512, types.MessageTypeExternalMu},
			{k.ed25519, types.SigningAlgorithmSpecEd25519PhSha512, types.MessageTypeRaw},
			{k.ed25519, types.SigningAlgorithmSpecEd25519PhSha512, ""}, // RAW by default
			{k.ed25519, types.SigningAlgorithmSpecEd25519PhSha512, types.MessageTypeExternalMu},
			{k.p256, types.SigningAlgorithmSpecEcdsaSha256, types.MessageTypeExternalMu},
			{k.secp256k1, types.SigningAlgorithmSpecEcdsaSha256, types.MessageTypeExternalMu},
			{k.rsa, types.SigningAlgorithmSpecRsassaPssSha256, types.MessageTypeExternalMu},
			{k.rsa, types.SigningAlgorithmSpecRsassaPkcs1V15Sha512, types.MessageTypeExternalMu},
		} {
			// 64 bytes: the right length for a SHA-512 digest and for μ.
			signErr, verifyErr := signBoth(c, tc.key.KeyId, tc.alg, tc.mt, make([]byte, 64))
			wantOwnError(t, signErr, "ValidationException")
			wantOwnError(t, verifyErr, "ValidationException")
		}
		// μ is 64 bytes (FIPS 204 §6.2).
		for _, n := range []int{1, 32, 63, 65} {
			signErr, verifyErr := signBoth(c, k.mldsa.KeyId, types.SigningAlgorithmSpecMlDsaShake256, types.MessageTypeExternalMu, make([]byte, n))
			wantOwnError(t, signErr, "ValidationException")
			wantOwnError(t, verifyErr, "ValidationException")
		}
	})

	t.Run("model validation", func(t *testing.T) {
		// The SDK refuses a request without a required member before
		// sending it; this client sends it, to see the server's answer.
		unchecked := func(o *kms.Options) {
			o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
				_, err := s.Initialize.Remove("OperationInputValidation")
				return err
			})
		}
		alg := types.SigningAlgorithmSpecEcdsaSha256
		null := func(member string) string {
			return "1 validation error detected: Value null at '" + member + "' failed to satisfy constraint: Member must not be null"
		}
		_, err := c.Sign(ctx, &kms.SignInput{KeyId: k.p256.KeyId, Message: message}, unchecked)
		wantError(t, err, "ValidationException", null("signingAlgorithm"))
		_, err = c.Verify(ctx, &kms.VerifyInput{KeyId: k.p256.KeyId, Message: message, Signature: sig}, unchecked)
		wantError(t, err, "ValidationException", null("signingAlgorithm"))
		_, err = c.Sign(ctx, &kms.SignInput{KeyId: k.p256.KeyId, SigningAlgorithm: alg}, unchecked)
		wantError(t, err, "ValidationException", null("message"))
		_, err = c.Verify(ctx, &kms.VerifyInput{KeyId: k.p256.KeyId, SigningAlgorithm: alg, Signature: sig}, unchecked)
		wantError(t, err, "ValidationException", null("message"))
		_, err = c.Verify(ctx, &kms.VerifyInput{KeyId: k.p256.KeyId, SigningAlgorithm: alg, Message: message}, unchecked)
		wantError(t, err, "ValidationException", null("signature"))
		_, err = c.Sign(ctx, &kms.SignInput{Message: message, SigningAlgorithm: alg}, unchecked)
		wantError(t, err, "ValidationException", null("keyId"))

		_, err = c.Sign(ctx, &kms.SignInput{KeyId: k.p256.KeyId, Message: message, SigningAlgorithm: "ECDSA_SHA_1"})
		wantError(t, err, "ValidationException", coralEnumMessage("ECDSA_SHA_1", "signingAlgorithm", types.SigningAlgorithmSpec("").Values()))
		_, err = c.Verify(ctx, &kms.VerifyInput{KeyId: k.p256.KeyId, Message: message, Signature: sig, SigningAlgorithm: "ecdsa_sha_256"})
		wantError(t, err, "ValidationException", coralEnumMessage("ecdsa_sha_256", "signingAlgorithm", types.SigningAlgorithmSpec("").Values()))
		for _, mt := range []types.MessageType{"HASH", "raw"} {
			_, err = c.Sign(ctx, &kms.SignInput{KeyId: k.p256.KeyId, Message: message, SigningAlgorithm: alg, MessageType: mt})
			wantError(t, err, "ValidationException", coralEnumMessage(string(mt), "messageType", types.MessageType("").Values()))
			_, err = c.Verify(ctx, &kms.VerifyInput{KeyId: k.p256.KeyId, Message: message, Signature: sig, SigningAlgorithm: alg, MessageType: mt})
			wantError(t, err, "ValidationException", coralEnumMessage(string(mt), "messageType", types.MessageType("").Values()))
		}

		// Message is sensitive, so the value is not echoed (as recorded
		// for Encrypt's plaintext).
		tooLong := "1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length less than or equal to 4096"
		for _, mt := range []types.MessageType{types.MessageTypeRaw, types.MessageTypeDigest} {
			_, err = c.Sign(ctx, &kms.SignInput{KeyId: k.p256.KeyId, Message: make([]byte, 4097), SigningAlgorithm: alg, MessageType: mt})
			wantError(t, err, "ValidationException", tooLong)
			_, err = c.Verify(ctx, &kms.VerifyInput{KeyId: k.p256.KeyId, Message: make([]byte, 4097), Signature: sig, SigningAlgorithm: alg, MessageType: mt})
			wantError(t, err, "ValidationException", tooLong)
		}
		_, err = c.Sign(ctx, &kms.SignInput{KeyId: k.mldsa.KeyId, Message: make([]byte, 4097), SigningAlgorithm: types.SigningAlgorithmSpecMlDsaShake256})
		wantError(t, err, "ValidationException", tooLong)
	})

	t.Run("dry run", func(t *testing.T) {
		const dry = "The request would have succeeded, but the DryRun option is set."
		_, err := c.Sign(ctx, &kms.SignInput{KeyId: k.p256.KeyId, Message: message, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256, DryRun: aws.Bool(true)})
		wantError(t, err, "DryRunOperationException", dry)
		_, err = c.Verify(ctx, &kms.VerifyInput{KeyId: k.p256.KeyId, Message: message, Signature: sig,
			SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256, DryRun: aws.Bool(true)})
		wantError(t, err, "DryRunOperationException", dry)
		// A dry run still runs every check before answering.
		_, err = c.Sign(ctx, &kms.SignInput{KeyId: k.p256.KeyId, Message: message, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha384, DryRun: aws.Bool(true)})
		wantError(t, err, "InvalidKeyUsageException", "Algorithm ECDSA_SHA_384 is incompatible with key spec ECC_NIST_P256.")
		_, err = c.Sign(ctx, &kms.SignInput{KeyId: k.hmac.KeyId, Message: message, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256, DryRun: aws.Bool(true)})
		wantError(t, err, "InvalidKeyUsageException", *k.hmac.Arn+" key usage is GENERATE_VERIFY_MAC which is not valid for Sign.")
	})

	// None of the failed calls above counted as a use of the key.
	if after := keyLastUsage(t, c, k.p256.KeyId); after != used {
		t.Errorf("failed and dry-run calls changed the key's last usage: %s -> %s", used, after)
	}

	t.Run("disabled key", func(t *testing.T) {
		// The state table test covers every state; one case here.
		must[*kms.DisableKeyOutput](t)(c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: k.p256.KeyId}))
		_, err := c.Sign(ctx, &kms.SignInput{KeyId: k.p256.KeyId, Message: message, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
		wantError(t, err, "DisabledException", *k.p256.Arn+" is disabled.")
		_, err = c.Verify(ctx, &kms.VerifyInput{KeyId: k.p256.KeyId, Message: message, Signature: sig, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
		wantError(t, err, "DisabledException", *k.p256.Arn+" is disabled.")
		must[*kms.EnableKeyOutput](t)(c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: k.p256.KeyId}))
		wantValid(t, c, "Verify after EnableKey", k.p256, &kms.VerifyInput{KeyId: k.p256.KeyId, Message: message, Signature: sig,
			SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
	})
}
