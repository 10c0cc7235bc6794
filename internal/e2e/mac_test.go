package e2e

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go/middleware"
)

// End-to-end tests of GenerateMac and VerifyMac. An HMAC key's material
// never leaves Trent (and Trent does not import material yet), so these
// tests cannot recompute a MAC with crypto/hmac: the cipher package's unit
// tests compare Trent's HMAC with the standard library and RFC 4231's
// vectors. Here: a MAC is deterministic, as long as its hash, specific to
// its key, and verifies exactly when nothing was changed.

var hmacSpecs = []struct {
	spec types.KeySpec
	alg  types.MacAlgorithmSpec
	size int
}{
	{types.KeySpecHmac224, types.MacAlgorithmSpecHmacSha224, 28},
	{types.KeySpecHmac256, types.MacAlgorithmSpecHmacSha256, 32},
	{types.KeySpecHmac384, types.MacAlgorithmSpecHmacSha384, 48},
	{types.KeySpecHmac512, types.MacAlgorithmSpecHmacSha512, 64},
}

// skipClientValidation removes the SDK's check of required members, so
// that a request without them reaches the server, as one from a client
// that does not check would.
func skipClientValidation(o *kms.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		_, err := s.Initialize.Remove("OperationInputValidation")
		return err
	})
}

func generateMac(t *testing.T, c *kms.Client, keyID string, alg types.MacAlgorithmSpec, msg []byte) []byte {
	t.Helper()
	return must[*kms.GenerateMacOutput](t)(c.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: aws.String(keyID), MacAlgorithm: alg, Message: msg})).Mac
}

func TestGenerateVerifyMac(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	for _, tc := range hmacSpecs {
		t.Run(string(tc.spec), func(t *testing.T) {
			t.Parallel()
			md := createKeyOfType(t, c, tc.spec, types.KeyUsageTypeGenerateVerifyMac)
			if len(md.MacAlgorithms) != 1 || md.MacAlgorithms[0] != tc.alg {
				t.Fatalf("MacAlgorithms %v, want [%s]", md.MacAlgorithms, tc.alg)
			}
			for _, size := range []int{1, 4096} {
				msg := randomBytes(size)
				out := must[*kms.GenerateMacOutput](t)(c.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: md.KeyId, MacAlgorithm: tc.alg, Message: msg}))
				if len(out.Mac) != tc.size || out.MacAlgorithm != tc.alg || aws.ToString(out.KeyId) != *md.Arn {
					t.Fatalf("GenerateMac(%d bytes): %d-byte MAC, algorithm %s, KeyId %s", size, len(out.Mac), out.MacAlgorithm, aws.ToString(out.KeyId))
				}
				// HMAC is deterministic.
				if again := generateMac(t, c, *md.Arn, tc.alg, msg); !bytes.Equal(again, out.Mac) {
					t.Fatal("two MACs of the same message differ")
				}
				v := must[*kms.VerifyMacOutput](t)(c.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: md.KeyId, MacAlgorithm: tc.alg, Message: msg, Mac: out.Mac}))
				if !v.MacValid || v.MacAlgorithm != tc.alg || aws.ToString(v.KeyId) != *md.Arn {
					t.Fatalf("VerifyMac: MacValid %v, algorithm %s, KeyId %s", v.MacValid, v.MacAlgorithm, aws.ToString(v.KeyId))
				}

				// Anything changed: KMSInvalidMacException with an empty
				// message (recorded), never MacValid false.
				changed := bytes.Clone(msg)
				changed[len(changed)-1] ^= 0x01
				flipped := bytes.Clone(out.Mac)
				flipped[0] ^= 0x80
				cases := map[string]kms.VerifyMacInput{
					"changed message": {Message: changed, Mac: out.Mac},
					"flipped bit":     {Message: msg, Mac: flipped},
					"truncated MAC":   {Message: msg, Mac: out.Mac[:tc.size-1]},
					"half MAC":        {Message: msg, Mac: out.Mac[:tc.size/2]},
					"extended MAC":    {Message: msg, Mac: append(bytes.Clone(out.Mac), 0)},
				}
				// A message one byte longer, or shorter at the 4096-byte
				// limit. (Replacing the last byte by 0 was the same message
				// when that byte was 0 already, one run in 256.)
				if len(msg) < 4096 {
					cases["longer message"] = kms.VerifyMacInput{Message: append(bytes.Clone(msg), 0), Mac: out.Mac}
				} else {
					cases["shorter message"] = kms.VerifyMacInput{Message: msg[:len(msg)-1], Mac: out.Mac}
				}
				for name, in := range cases {
					in.KeyId, in.MacAlgorithm = md.KeyId, tc.alg
					_, err := c.VerifyMac(ctx, &in)
					if err == nil {
						t.Fatalf("%s: VerifyMac succeeded", name)
					}
					wantError(t, err, "KMSInvalidMacException", "")
				}
			}
			// Another message, another MAC.
			a, b := generateMac(t, c, *md.KeyId, tc.alg, []byte("a")), generateMac(t, c, *md.KeyId, tc.alg, []byte("b"))
			if bytes.Equal(a, b) {
				t.Fatal("two messages have the same MAC")
			}
			// Another key of the same spec: another MAC, which this key
			// refuses.
			other := createKeyOfType(t, c, tc.spec, types.KeyUsageTypeGenerateVerifyMac)
			theirs := generateMac(t, c, *other.KeyId, tc.alg, []byte("a"))
			if bytes.Equal(theirs, a) {
				t.Fatal("two keys gave the same MAC")
			}
			_, err := c.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: md.KeyId, MacAlgorithm: tc.alg, Message: []byte("a"), Mac: theirs})
			wantError(t, err, "KMSInvalidMacException", "")

			// Every other MAC algorithm is refused for this spec, with
			// AWS's recorded message.
			for _, wrong := range hmacSpecs {
				if wrong.alg == tc.alg {
					continue
				}
				msg := fmt.Sprintf("Algorithm %s is incompatible with key spec %s.", wrong.alg, tc.spec)
				_, err := c.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: md.KeyId, MacAlgorithm: wrong.alg, Message: []byte("a")})
				wantError(t, err, "InvalidKeyUsageException", msg)
				_, err = c.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: md.KeyId, MacAlgorithm: wrong.alg, Message: []byte("a"), Mac: a})
				wantError(t, err, "InvalidKeyUsageException", msg)
			}
		})
	}
}

func TestMacRefusals(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	md := createKeyOfType(t, c, types.KeySpecHmac224, types.KeyUsageTypeGenerateVerifyMac)
	alg := types.MacAlgorithmSpecHmacSha224
	msg := []byte("message")
	mac := generateMac(t, c, *md.KeyId, alg, msg)
	before := keyUsageMark(t, c, *md.KeyId)

	// Keys of other usages: AWS's recorded key-usage message, for both
	// operations.
	for _, shape := range []keyShape{{}, {spec: types.KeySpecRsa2048, usage: types.KeyUsageTypeSignVerify}, {spec: types.KeySpecEccNistP256, usage: types.KeyUsageTypeSignVerify}} {
		name := "symmetric key"
		if shape.spec != "" {
			name = fmt.Sprintf("%s %s key", shape.spec, shape.usage)
		}
		t.Run(name, func(t *testing.T) {
			k := createKeyOfType(t, c, shape.spec, shape.usage)
			_, err := c.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: k.KeyId, MacAlgorithm: alg, Message: msg})
			wantError(t, err, "InvalidKeyUsageException", fmt.Sprintf("%s key usage is %s which is not valid for GenerateMac.", *k.Arn, k.KeyUsage))
			_, err = c.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: k.KeyId, MacAlgorithm: alg, Message: msg, Mac: mac})
			wantError(t, err, "InvalidKeyUsageException", fmt.Sprintf("%s key usage is %s which is not valid for VerifyMac.", *k.Arn, k.KeyUsage))
		})
	}

	// Members: the model's constraints, checked by the server when the
	// client does not. (The texts of missing members are not recorded.)
	for name, tc := range map[string]struct {
		gen    *kms.GenerateMacInput
		verify *kms.VerifyMacInput
		member string
	}{
		"no algorithm": {&kms.GenerateMacInput{KeyId: md.KeyId, Message: msg}, &kms.VerifyMacInput{KeyId: md.KeyId, Message: msg, Mac: mac}, "'macAlgorithm'"},
		"no message":   {&kms.GenerateMacInput{KeyId: md.KeyId, MacAlgorithm: alg}, &kms.VerifyMacInput{KeyId: md.KeyId, MacAlgorithm: alg, Mac: mac}, "'message'"},
		"no MAC":       {nil, &kms.VerifyMacInput{KeyId: md.KeyId, MacAlgorithm: alg, Message: msg}, "'mac'"},
	} {
		errs := []error{errOf(c.VerifyMac(ctx, tc.verify, skipClientValidation))}
		if tc.gen != nil {
			errs = append(errs, errOf(c.GenerateMac(ctx, tc.gen, skipClientValidation)))
		}
		for _, err := range errs {
			t.Run(name, func(t *testing.T) { wantNamedValidation(t, err, tc.member) })
		}
	}
	// The recorded Coral forms: a sensitive member's value is left out.
	long := randomBytes(4097)
	tooLong := "1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length less than or equal to 4096"
	_, err := c.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: md.KeyId, MacAlgorithm: alg, Message: long})
	wantError(t, err, "ValidationException", tooLong)
	_, err = c.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: md.KeyId, MacAlgorithm: alg, Message: long, Mac: mac})
	wantError(t, err, "ValidationException", tooLong)
	_, err = c.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: md.KeyId, MacAlgorithm: "HMAC_SHA_1", Message: msg})
	wantError(t, err, "ValidationException", coralEnumMessage("HMAC_SHA_1", "macAlgorithm", types.MacAlgorithmSpec("").Values()))

	// Dry runs answer after the checks.
	const dryRunMsg = "The request would have succeeded, but the DryRun option is set."
	_, err = c.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: md.KeyId, MacAlgorithm: alg, Message: msg, DryRun: aws.Bool(true)})
	wantError(t, err, "DryRunOperationException", dryRunMsg)
	_, err = c.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: md.KeyId, MacAlgorithm: alg, Message: msg, Mac: mac, DryRun: aws.Bool(true)})
	wantError(t, err, "DryRunOperationException", dryRunMsg)
	_, err = c.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: md.KeyId, MacAlgorithm: types.MacAlgorithmSpecHmacSha256, Message: msg, DryRun: aws.Bool(true)})
	wantError(t, err, "InvalidKeyUsageException", "Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224.")

	if after := keyUsageMark(t, c, *md.KeyId); after != before {
		t.Errorf("refused calls and dry runs changed GetKeyLastUsage: %s -> %s", before, after)
	}
}
