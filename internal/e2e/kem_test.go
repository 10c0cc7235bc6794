package e2e

import (
	"bytes"
	"crypto/mlkem"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/cloudflare/circl/kem/mlkem/mlkem512"
)

// End-to-end tests of Encapsulate and Decapsulate with ML-KEM keys (FIPS
// 203). The independent encapsulator is Go's crypto/mlkem for ML_KEM_768
// and ML_KEM_1024; the standard library has no ML-KEM-512, so for
// ML_KEM_512 it is circl's mlkem512 (the library Trent's own ML-KEM is
// built on, so for that spec the check is of the wiring, not of an
// independent implementation).

const algMLKEM = types.EncapsulationAlgorithmSpecMlKem

// mlkemSpecs are the ML-KEM key specs and their ciphertext lengths (API
// Reference, Encapsulate: 768, 1088 and 1568 bytes).
var mlkemSpecs = []struct {
	spec       types.KeySpec
	ciphertext int
}{
	{types.KeySpecMlKem512, 768},
	{types.KeySpecMlKem768, 1088},
	{types.KeySpecMlKem1024, 1568},
}

// encapsulateOffline encapsulates a fresh secret to an ML-KEM public key
// (DER SPKI) of spec with an implementation other than Trent's.
func encapsulateOffline(t *testing.T, spec types.KeySpec, spki []byte) (shared, ciphertext []byte) {
	t.Helper()
	var info subjectPublicKeyInfo
	strictUnmarshal(t, "SPKI", spki, &info)
	if !info.Algorithm.Algorithm.Equal(oidMLKEM[types.DataKeyPairSpec(spec)]) || len(info.Algorithm.Parameters.FullBytes) != 0 {
		t.Fatalf("SPKI algorithm %v, parameters %x", info.Algorithm.Algorithm, info.Algorithm.Parameters.FullBytes)
	}
	raw := info.PublicKey.RightAlign()
	switch spec {
	case types.KeySpecMlKem512:
		var pk mlkem512.PublicKey
		if err := pk.Unpack(raw); err != nil {
			t.Fatalf("circl reads the ML-KEM-512 key: %v", err)
		}
		shared, ciphertext = make([]byte, mlkem512.SharedKeySize), make([]byte, mlkem512.CiphertextSize)
		pk.EncapsulateTo(ciphertext, shared, nil)
		return shared, ciphertext
	case types.KeySpecMlKem768:
		ek, err := mlkem.NewEncapsulationKey768(raw)
		if err != nil {
			t.Fatalf("crypto/mlkem reads the ML-KEM-768 key: %v", err)
		}
		return ek.Encapsulate()
	case types.KeySpecMlKem1024:
		ek, err := mlkem.NewEncapsulationKey1024(raw)
		if err != nil {
			t.Fatalf("crypto/mlkem reads the ML-KEM-1024 key: %v", err)
		}
		return ek.Encapsulate()
	}
	t.Fatalf("no encapsulator for %s", spec)
	return nil, nil
}

func decapsulate(t *testing.T, c *kms.Client, md *types.KeyMetadata, ciphertext []byte) []byte {
	t.Helper()
	out := must[*kms.DecapsulateOutput](t)(c.Decapsulate(ctx, &kms.DecapsulateInput{KeyId: md.KeyId, EncapsulationAlgorithm: algMLKEM, SharedSecretCiphertextBlob: ciphertext}))
	if aws.ToString(out.KeyId) != *md.Arn || out.EncapsulationAlgorithm != algMLKEM || len(out.SharedSecret) != 32 {
		t.Fatalf("Decapsulate: KeyId %s, algorithm %s, %d-byte secret", aws.ToString(out.KeyId), out.EncapsulationAlgorithm, len(out.SharedSecret))
	}
	return out.SharedSecret
}

func TestEncapsulateDecapsulate(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	for _, tc := range mlkemSpecs {
		t.Run(string(tc.spec), func(t *testing.T) {
			t.Parallel()
			md := createKeyOfType(t, c, tc.spec, types.KeyUsageTypeEncapsulateDecapsulate)
			if len(md.EncapsulationAlgorithms) != 1 || md.EncapsulationAlgorithms[0] != algMLKEM {
				t.Fatalf("EncapsulationAlgorithms %v", md.EncapsulationAlgorithms)
			}

			// Trent to Trent.
			enc := must[*kms.EncapsulateOutput](t)(c.Encapsulate(ctx, &kms.EncapsulateInput{KeyId: md.KeyId, EncapsulationAlgorithm: algMLKEM}))
			if aws.ToString(enc.KeyId) != *md.Arn || enc.EncapsulationAlgorithm != algMLKEM || len(enc.SharedSecret) != 32 ||
				len(enc.SharedSecretCiphertextBlob) != tc.ciphertext {
				t.Fatalf("Encapsulate: KeyId %s, algorithm %s, %d-byte secret, %d-byte ciphertext", aws.ToString(enc.KeyId),
					enc.EncapsulationAlgorithm, len(enc.SharedSecret), len(enc.SharedSecretCiphertextBlob))
			}
			if got := decapsulate(t, c, md, enc.SharedSecretCiphertextBlob); !bytes.Equal(got, enc.SharedSecret) {
				t.Fatal("Decapsulate gave another secret than Encapsulate")
			}
			again := must[*kms.EncapsulateOutput](t)(c.Encapsulate(ctx, &kms.EncapsulateInput{KeyId: md.Arn, EncapsulationAlgorithm: algMLKEM}))
			if bytes.Equal(again.SharedSecret, enc.SharedSecret) || bytes.Equal(again.SharedSecretCiphertextBlob, enc.SharedSecretCiphertextBlob) {
				t.Fatal("two encapsulations gave the same secret or ciphertext")
			}

			// An independent encapsulator, to the public key GetPublicKey
			// returns; Trent decapsulates the same secret.
			shared, ct := encapsulateOffline(t, tc.spec, publicKeyDER(t, c, *md.KeyId))
			if len(ct) != tc.ciphertext {
				t.Fatalf("the offline ciphertext has %d bytes", len(ct))
			}
			if got := decapsulate(t, c, md, ct); !bytes.Equal(got, shared) {
				t.Fatal("Trent decapsulates another secret than the offline encapsulator made")
			}

			// Implicit rejection (API Reference, Decapsulate): an altered
			// ciphertext of the right length gives a 32-byte pseudo-random
			// secret, the same each time (FIPS 203 derives it from the
			// ciphertext), not an error.
			for _, i := range []int{0, len(ct) / 2, len(ct) - 1} {
				tampered := bytes.Clone(ct)
				tampered[i] ^= 0x01
				got := decapsulate(t, c, md, tampered)
				if bytes.Equal(got, shared) {
					t.Fatalf("byte %d altered: the same secret", i)
				}
				if again := decapsulate(t, c, md, tampered); !bytes.Equal(again, got) {
					t.Fatalf("byte %d altered: two decapsulations differ", i)
				}
			}
			// So does a ciphertext made for another key of the spec.
			other := createKeyOfType(t, c, tc.spec, types.KeyUsageTypeEncapsulateDecapsulate)
			theirs := must[*kms.EncapsulateOutput](t)(c.Encapsulate(ctx, &kms.EncapsulateInput{KeyId: other.KeyId, EncapsulationAlgorithm: algMLKEM}))
			if got := decapsulate(t, c, md, theirs.SharedSecretCiphertextBlob); bytes.Equal(got, theirs.SharedSecret) {
				t.Fatal("another key's ciphertext decapsulates to its secret")
			}

			// Only the wrong length is refused.
			for name, blob := range map[string][]byte{
				"one byte short": ct[:len(ct)-1],
				"one byte long":  append(bytes.Clone(ct), 0),
				"one byte":       ct[:1],
			} {
				_, err := c.Decapsulate(ctx, &kms.DecapsulateInput{KeyId: md.KeyId, EncapsulationAlgorithm: algMLKEM, SharedSecretCiphertextBlob: blob})
				if err == nil {
					t.Fatalf("%s: Decapsulate succeeded", name)
				}
				wantError(t, err, "InvalidCiphertextException", "")
			}
			for _, o := range mlkemSpecs {
				if o.spec == tc.spec {
					continue
				}
				_, err := c.Decapsulate(ctx, &kms.DecapsulateInput{KeyId: md.KeyId, EncapsulationAlgorithm: algMLKEM, SharedSecretCiphertextBlob: make([]byte, o.ciphertext)})
				if err == nil {
					t.Fatalf("a %s-sized ciphertext decapsulated", o.spec)
				}
				wantError(t, err, "InvalidCiphertextException", "")
			}
		})
	}
}

func TestKEMRefusals(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	md := createKeyOfType(t, c, types.KeySpecMlKem768, types.KeyUsageTypeEncapsulateDecapsulate)
	enc := must[*kms.EncapsulateOutput](t)(c.Encapsulate(ctx, &kms.EncapsulateInput{KeyId: md.KeyId, EncapsulationAlgorithm: algMLKEM}))
	ct := enc.SharedSecretCiphertextBlob
	before := keyUsageMark(t, c, *md.KeyId)

	// Keys of other usages: AWS's recorded key-usage message.
	for _, shape := range []keyShape{{}, {spec: types.KeySpecHmac256, usage: types.KeyUsageTypeGenerateVerifyMac}, {spec: types.KeySpecEccNistP256, usage: types.KeyUsageTypeKeyAgreement}} {
		name := "symmetric key"
		if shape.spec != "" {
			name = fmt.Sprintf("%s %s key", shape.spec, shape.usage)
		}
		t.Run(name, func(t *testing.T) {
			k := createKeyOfType(t, c, shape.spec, shape.usage)
			_, err := c.Encapsulate(ctx, &kms.EncapsulateInput{KeyId: k.KeyId, EncapsulationAlgorithm: algMLKEM})
			wantError(t, err, "InvalidKeyUsageException", fmt.Sprintf("%s key usage is %s which is not valid for Encapsulate.", *k.Arn, k.KeyUsage))
			_, err = c.Decapsulate(ctx, &kms.DecapsulateInput{KeyId: k.KeyId, EncapsulationAlgorithm: algMLKEM, SharedSecretCiphertextBlob: ct})
			wantError(t, err, "InvalidKeyUsageException", fmt.Sprintf("%s key usage is %s which is not valid for Decapsulate.", *k.Arn, k.KeyUsage))
		})
	}

	t.Run("members", func(t *testing.T) {
		// Required members the SDK would otherwise check itself.
		_, err := c.Encapsulate(ctx, &kms.EncapsulateInput{KeyId: md.KeyId}, skipClientValidation)
		wantNamedValidation(t, err, "'encapsulationAlgorithm'")
		_, err = c.Decapsulate(ctx, &kms.DecapsulateInput{KeyId: md.KeyId, SharedSecretCiphertextBlob: ct}, skipClientValidation)
		wantNamedValidation(t, err, "'encapsulationAlgorithm'")
		_, err = c.Decapsulate(ctx, &kms.DecapsulateInput{KeyId: md.KeyId, EncapsulationAlgorithm: algMLKEM}, skipClientValidation)
		wantNamedValidation(t, err, "'sharedSecretCiphertextBlob'")
		_, err = c.Encapsulate(ctx, &kms.EncapsulateInput{KeyId: md.KeyId, EncapsulationAlgorithm: "ML_KEM_768"})
		wantError(t, err, "ValidationException", coralEnumMessage("ML_KEM_768", "encapsulationAlgorithm", types.EncapsulationAlgorithmSpec("").Values()))
	})

	t.Run("dry runs", func(t *testing.T) {
		const dryRunMsg = "The request would have succeeded, but the DryRun option is set."
		_, err := c.Encapsulate(ctx, &kms.EncapsulateInput{KeyId: md.KeyId, EncapsulationAlgorithm: algMLKEM, DryRun: aws.Bool(true)})
		wantError(t, err, "DryRunOperationException", dryRunMsg)
		_, err = c.Decapsulate(ctx, &kms.DecapsulateInput{KeyId: md.KeyId, EncapsulationAlgorithm: algMLKEM, SharedSecretCiphertextBlob: ct, DryRun: aws.Bool(true)})
		wantError(t, err, "DryRunOperationException", dryRunMsg)
		// The ciphertext's length is still checked.
		_, err = c.Decapsulate(ctx, &kms.DecapsulateInput{KeyId: md.KeyId, EncapsulationAlgorithm: algMLKEM, SharedSecretCiphertextBlob: ct[1:], DryRun: aws.Bool(true)})
		wantError(t, err, "InvalidCiphertextException", "")
	})

	if after := keyUsageMark(t, c, *md.KeyId); after != before {
		t.Errorf("refused calls and dry runs changed GetKeyLastUsage: %s -> %s", before, after)
	}
}

// wantNamedValidation asserts a ValidationException whose message names
// member (AWS's text for a missing member is not recorded).
func wantNamedValidation(t *testing.T, err error, member string) {
	t.Helper()
	if ae := apiError(t, err, "ValidationException"); !strings.Contains(ae.ErrorMessage(), member) {
		t.Errorf("message %q does not name %s", ae.ErrorMessage(), member)
	}
}
