package e2e

import (
	"bytes"
	"context"
	"crypto/x509/pkix"
	_ "embed"
	"encoding/asn1"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// Interoperability of the post-quantum key types with an independent
// implementation: @noble/post-quantum, pure JavaScript, run by Debian's
// Node. Openssl 3.0 has neither ML-DSA nor ML-KEM, and Go's crypto/mlkem
// has no ML-KEM-512. The test drives interop_node/noble.mjs, which reads
// its jobs from a JSON file and prints JSON.

// noblePackage is the version the checks were written against; pinned so
// that a new release cannot change what the test runs.
const noblePackage = "@noble/post-quantum@0.7.1"

// nobleTimeout bounds one run of the script: Node's start and a few
// operations.
const nobleTimeout = time.Minute

//go:embed interop_node/noble.mjs
var nobleScript []byte

// nobleJob is one operation of noble.mjs; the fields an op does not use
// stay empty.
type nobleJob struct {
	Op        string `json:"op"`
	Param     string `json:"param"`
	PublicKey []byte `json:"publicKey,omitempty"`
	Message   []byte `json:"message,omitempty"`
	Signature []byte `json:"signature,omitempty"`
	Seed      []byte `json:"seed,omitempty"`
}

// nobleResult is a job's answer.
type nobleResult struct {
	Valid        bool   `json:"valid"`
	CipherText   []byte `json:"cipherText"`
	SharedSecret []byte `json:"sharedSecret"`
	PublicKey    []byte `json:"publicKey"`
}

// runNoble runs jobs in one Node process inside the npm install directory,
// where Node finds node_modules.
func runNoble(t *testing.T, npm *npmInstall, jobs []nobleJob) []nobleResult {
	t.Helper()
	modules := npm.install(t)
	dir, err := os.MkdirTemp(modules, "run-")
	if err != nil {
		t.Fatal(err)
	}
	in := must[[]byte](t)(json.Marshal(jobs))
	writeFileBytes(t, filepath.Join(dir, "noble.mjs"), nobleScript)
	writeFileBytes(t, filepath.Join(dir, "jobs.json"), in)
	ctx, cancel := context.WithTimeout(context.Background(), nobleTimeout)
	defer cancel()
	env := []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), "LANG=C.UTF-8"}
	stdout, stderr, err := runBounded(ctx, dir, env, "/usr/bin/node", "noble.mjs", "jobs.json")
	if err != nil {
		t.Fatalf("node noble.mjs: %v\n%s", err, stderr)
	}
	var out []nobleResult
	if err := json.Unmarshal([]byte(stdout), &out); err != nil || len(out) != len(jobs) {
		t.Fatalf("node noble.mjs printed %q (%v), want %d results", stdout, err, len(jobs))
	}
	return out
}

// id-ml-dsa-44/65/87 (NIST CSOR, RFC 9881), without parameters in a
// SubjectPublicKeyInfo. (The ML-KEM identifiers, oidMLKEM, are in
// datakeypair_test.go.)
var oidMLDSA = map[types.KeySpec]asn1.ObjectIdentifier{
	types.KeySpecMlDsa44: {2, 16, 840, 1, 101, 3, 4, 3, 17},
	types.KeySpecMlDsa65: {2, 16, 840, 1, 101, 3, 4, 3, 18},
	types.KeySpecMlDsa87: {2, 16, 840, 1, 101, 3, 4, 3, 19},
}

// rawPublicKey returns the key of a DER SubjectPublicKeyInfo, checking that
// its algorithm is oid, without parameters.
func rawPublicKey(t *testing.T, der []byte, oid asn1.ObjectIdentifier) []byte {
	t.Helper()
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if rest, err := asn1.Unmarshal(der, &spki); err != nil || len(rest) != 0 {
		t.Fatalf("public key is not a DER SubjectPublicKeyInfo: %v (%d trailing bytes)", err, len(rest))
	}
	if !spki.Algorithm.Algorithm.Equal(oid) || len(spki.Algorithm.Parameters.FullBytes) != 0 || spki.PublicKey.BitLength%8 != 0 {
		t.Fatalf("SubjectPublicKeyInfo algorithm %v (parameters %x), want %v without parameters",
			spki.Algorithm.Algorithm, spki.Algorithm.Parameters.FullBytes, oid)
	}
	return spki.PublicKey.Bytes
}

// TestInteropNoble checks Trent's ML-DSA and ML-KEM against
// @noble/post-quantum.
func TestInteropNoble(t *testing.T) {
	t.Parallel()
	npm := &npmInstall{dir: filepath.Join(t.TempDir(), "js"), packages: []string{noblePackage}}
	c := startNode(t).kms()

	// Signatures Trent makes with ML_DSA_SHAKE_256, of a RAW message and
	// of the μ the test computed from it, are pure ML-DSA signatures of
	// the message (AWS, "ML-DSA keys in AWS KMS": signatures of an
	// external μ are the same as RAW ones of the message): noble
	// verifies both against the raw public key of GetPublicKey's SPKI,
	// and refuses them for another message.
	for spec, param := range map[types.KeySpec]string{types.KeySpecMlDsa44: "44", types.KeySpecMlDsa65: "65", types.KeySpecMlDsa87: "87"} {
		t.Run(string(spec), func(t *testing.T) {
			t.Parallel()
			md := createKeyOfType(t, c, spec, types.KeyUsageTypeSignVerify)
			pk := rawPublicKey(t, publicKeyDER(t, c, *md.KeyId), oidMLDSA[spec])
			msg := []byte("signed by Trent with " + string(spec) + ", verified by noble")
			raw := trentSign(t, c, *md.KeyId, types.SigningAlgorithmSpecMlDsaShake256, types.MessageTypeRaw, msg)
			// externalMu (sign_test.go) computes μ in Go, as a caller would.
			mu := trentSign(t, c, *md.KeyId, types.SigningAlgorithmSpecMlDsaShake256, types.MessageTypeExternalMu, externalMu(pk, msg))
			other := append(bytes.Clone(msg), '!')
			res := runNoble(t, npm, []nobleJob{
				{Op: "ml-dsa-verify", Param: param, PublicKey: pk, Message: msg, Signature: raw},
				{Op: "ml-dsa-verify", Param: param, PublicKey: pk, Message: msg, Signature: mu},
				{Op: "ml-dsa-verify", Param: param, PublicKey: pk, Message: other, Signature: raw},
				{Op: "ml-dsa-verify", Param: param, PublicKey: pk, Message: other, Signature: mu},
			})
			if !res[0].Valid {
				t.Error("noble does not verify the signature of a RAW message")
			}
			if !res[1].Valid {
				t.Error("noble does not verify, as a signature of the message, the signature of its EXTERNAL_MU")
			}
			if res[2].Valid || res[3].Valid {
				t.Error("noble verified a signature against another message")
			}
		})
	}

	// Noble encapsulates to the raw public key of an ML_KEM key's SPKI;
	// Trent's Decapsulate of noble's ciphertext gives noble's secret.
	for spec, param := range map[types.KeySpec]string{types.KeySpecMlKem512: "512", types.KeySpecMlKem768: "768", types.KeySpecMlKem1024: "1024"} {
		t.Run(string(spec), func(t *testing.T) {
			t.Parallel()
			md := createKeyOfType(t, c, spec, types.KeyUsageTypeEncapsulateDecapsulate)
			pk := rawPublicKey(t, publicKeyDER(t, c, *md.KeyId), oidMLKEM[types.DataKeyPairSpec(spec)])
			res := runNoble(t, npm, []nobleJob{{Op: "ml-kem-encapsulate", Param: param, PublicKey: pk}})[0]
			out := must[*kms.DecapsulateOutput](t)(c.Decapsulate(ctx, &kms.DecapsulateInput{KeyId: md.KeyId,
				EncapsulationAlgorithm: types.EncapsulationAlgorithmSpecMlKem, SharedSecretCiphertextBlob: res.CipherText}))
			if len(res.SharedSecret) != 32 || !bytes.Equal(out.SharedSecret, res.SharedSecret) {
				t.Errorf("Decapsulate of noble's ciphertext: %x\nnoble's shared secret: %x", out.SharedSecret, res.SharedSecret)
			}
		})
	}

	// The private key of an ML_KEM data key pair is a PKCS#8 in seed form
	// (RFC 9935 §6, as AWS documents): noble derives from that seed the
	// pair's PublicKey.
	t.Run("GenerateDataKeyPair", func(t *testing.T) {
		t.Parallel()
		sym := createKeyOfType(t, c, types.KeySpecSymmetricDefault, types.KeyUsageTypeEncryptDecrypt)
		var jobs []nobleJob
		var want [][]byte
		for spec, param := range map[types.DataKeyPairSpec]string{types.DataKeyPairSpecMlKem512: "512",
			types.DataKeyPairSpecMlKem768: "768", types.DataKeyPairSpecMlKem1024: "1024"} {
			pair := must[*kms.GenerateDataKeyPairOutput](t)(c.GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{
				KeyId: sym.KeyId, KeyPairSpec: spec}))
			jobs = append(jobs, nobleJob{Op: "ml-kem-keygen", Param: param, Seed: mlkemSeed(t, pair.PrivateKeyPlaintext, oidMLKEM[spec])})
			want = append(want, rawPublicKey(t, pair.PublicKey, oidMLKEM[spec]))
		}
		for i, res := range runNoble(t, npm, jobs) {
			if !bytes.Equal(res.PublicKey, want[i]) {
				t.Errorf("ML-KEM-%s: noble's public key of the PKCS#8 seed differs from PublicKey", jobs[i].Param)
			}
		}
	})
}

// mlkemSeed returns the seed d ‖ z of an ML-KEM PKCS#8 private key in seed
// form: OneAsymmetricKey whose privateKey is seed [0] IMPLICIT OCTET
// STRING (SIZE (64)).
func mlkemSeed(t *testing.T, der []byte, oid asn1.ObjectIdentifier) []byte {
	t.Helper()
	var p8 struct {
		Version    int
		Algorithm  pkix.AlgorithmIdentifier
		PrivateKey []byte
		Attributes asn1.RawValue `asn1:"optional,tag:0"`
	}
	if rest, err := asn1.Unmarshal(der, &p8); err != nil || len(rest) != 0 {
		t.Fatalf("PrivateKeyPlaintext is not a DER PKCS#8: %v (%d trailing bytes)", err, len(rest))
	}
	if !p8.Algorithm.Algorithm.Equal(oid) || len(p8.Algorithm.Parameters.FullBytes) != 0 {
		t.Fatalf("PKCS#8 algorithm %v, want %v without parameters", p8.Algorithm.Algorithm, oid)
	}
	var seed asn1.RawValue
	if rest, err := asn1.Unmarshal(p8.PrivateKey, &seed); err != nil || len(rest) != 0 {
		t.Fatalf("PKCS#8 privateKey is not one DER value: %v", err)
	}
	if seed.Class != asn1.ClassContextSpecific || seed.Tag != 0 || seed.IsCompound || len(seed.Bytes) != 64 {
		t.Fatalf("PKCS#8 privateKey is not the seed form [0] of 64 bytes: class %d tag %d, %d bytes", seed.Class, seed.Tag, len(seed.Bytes))
	}
	return seed.Bytes
}
