package e2e

import (
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/seal"
	"github.com/trent-kms/trent/internal/server"
)

// BenchmarkEncryptAccess prices authentication and authorisation on the
// Encrypt path, in one run: auth=dev is `trent serve --dev` (signature not
// verified; the root user under the default key policy, which is still
// evaluated); auth=verified verifies every signature and authorises an IAM
// user through the default key policy and the user's identity-based
// policy. layer=handler calls the server in-process with one signed
// request (no TCP, no SDK); clients=N goes through the SDK over loopback as
// BenchmarkEncrypt does. The policy evaluator alone is in
// internal/policy's benchmarks, signature verification alone in
// internal/sigv4's.
//
//	go test -run '^$' -bench EncryptAccess -benchtime 2s -count 6 ./internal/e2e/
func BenchmarkEncryptAccess(b *testing.B) {
	nodes := map[string]func(b *testing.B) *benchNode{
		"auth=dev":      startBenchNode,
		"auth=verified": startVerifyingBenchNode,
	}
	for _, name := range []string{"auth=dev", "auth=verified"} {
		b.Run(name, func(b *testing.B) {
			bn := nodes[name](b)
			b.Run("layer=handler", func(b *testing.B) { benchHandlerEncrypt(b, bn) })
			in := &kms.EncryptInput{KeyId: &bn.keyID, Plaintext: benchPlaintext, EncryptionContext: benchContext}
			benchConcurrency(b, bn, func(c *kms.Client) error {
				_, err := c.Encrypt(ctx, in)
				return err
			})
		})
	}
}

// startVerifyingBenchNode is a node without --dev: a root key file, and one
// IAM user whose identity-based policy allows CreateKey and Encrypt.
func startVerifyingBenchNode(b *testing.B) *benchNode {
	b.Helper()
	rootKey := filepath.Join(b.TempDir(), "root.key")
	if err := seal.CreateKeyFile(rootKey, nil); err != nil {
		b.Fatal(err)
	}
	user := iamUser(testAccount, "bench", allowKMS("kms:CreateKey", "kms:Encrypt"))
	user.Secret = "bench-secret-access-key"
	ids := credentialMap{user.Caller.AccessKeyID: user}
	return startBenchNodeWith(b, server.Config{DataDir: b.TempDir(), RootKeyFile: rootKey, Identity: identity.Resolver(ids)},
		aws.Credentials{AccessKeyID: user.Caller.AccessKeyID, SecretAccessKey: user.Secret})
}
