package e2e

import (
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/seal"
)

// TestKeyPolicyPrincipalsMustExist: with an identities file, a key policy
// may name only accounts, users and roles the file holds, as AWS refuses
// principals that do not exist.
func TestKeyPolicyPrincipalsMustExist(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rootKey := filepath.Join(t.TempDir(), "root.key")
	if err := seal.CreateKeyFile(rootKey, nil); err != nil {
		t.Fatal(err)
	}
	files := []string{"--data-dir", dir, "--root-key-file", rootKey}
	rootID, rootSecret := createAccount(t, dir, rootKey, testAccount)
	createAccount(t, dir, rootKey, otherAccount)
	trentCLI(t, nil, append([]string{"user", "create", "--account", testAccount, "--name", "alice"}, files...)...)
	trentCLI(t, nil, append([]string{"role", "create", "--account", otherAccount, "--name", "Auditor"}, files...)...)
	keyring, err := seal.LoadKeyFile(rootKey)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := identity.OpenFile(filepath.Join(dir, "identities.json"), keyring, clock.Real{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	tn := startVerifyingNode(t, ids, clock.Real{}, nil)
	c := kms.New(kms.Options{Region: testRegion, BaseEndpoint: aws.String(tn.srv.URL), HTTPClient: tn.srv.Client(), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(rootID, rootSecret, "")})
	key := must[*kms.CreateKeyOutput](t)(c.CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata

	naming := func(principal string) *string {
		return aws.String(keyPolicy(`{"Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":"kms:Decrypt","Resource":"*"}`))
	}
	for _, p := range []string{"arn:aws:iam::111122223333:user/alice", otherAccount, "arn:aws:iam::444455556666:role/Auditor", "*"} {
		must[*kms.PutKeyPolicyOutput](t)(c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: key.KeyId, Policy: naming(p)}))
	}
	for _, p := range []string{"arn:aws:iam::111122223333:user/nobody", "999988887777", "arn:aws:iam::999988887777:root",
		"arn:aws:iam::444455556666:role/Admin"} {
		_, err := c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: key.KeyId, Policy: naming(p)})
		wantError(t, err, "MalformedPolicyDocumentException", "Policy contains a statement with one or more invalid principals.")
		_, err = c.CreateKey(ctx, &kms.CreateKeyInput{Policy: naming(p)})
		wantError(t, err, "MalformedPolicyDocumentException", "Policy contains a statement with one or more invalid principals.")
	}
}
