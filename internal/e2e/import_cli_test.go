package e2e

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// AWS's own workflow for imported key material, with the AWS CLI and
// OpenSSL as AWS's developer guide writes it ("Importing key material":
// get the parameters, wrap with openssl enc -id-aes256-wrap-pad and
// openssl pkeyutl, import), run by sh against a test node: import, encrypt,
// delete the material (encrypt is refused), import the same material again
// with fresh parameters, decrypt the old ciphertext.
//
// The shell text is in the constants below so that documentation can
// quote it: the endpoint is the README's, replaced by the test node's
// address when the test runs it, and nothing else is changed.

// importCLIParamsAndImport gets fresh parameters for $KEY_ID, wraps the
// 32-byte material file with them and imports it. It runs twice.
const importCLIParamsAndImport = `aws --endpoint-url http://127.0.0.1:4599 kms get-parameters-for-import --key-id "$KEY_ID" \
    --wrapping-algorithm RSA_AES_KEY_WRAP_SHA_256 --wrapping-key-spec RSA_2048 \
    --query '[PublicKey, ImportToken]' --output text > parameters.txt
cut -f1 parameters.txt | base64 -d > public.der
cut -f2 parameters.txt | base64 -d > token.bin
openssl rand -out aes 32
openssl enc -id-aes256-wrap-pad -K $(xxd -p aes | tr -d '\n') -iv A65959A6 \
    -in material -out wrapped-material
openssl pkeyutl -encrypt -in aes -inkey public.der -keyform DER -pubin \
    -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256 \
    -out wrapped-aes
cat wrapped-aes wrapped-material > encrypted-material
aws --endpoint-url http://127.0.0.1:4599 kms import-key-material --key-id "$KEY_ID" \
    --import-token fileb://token.bin --encrypted-key-material fileb://encrypted-material \
    --expiration-model KEY_MATERIAL_DOES_NOT_EXPIRE
`

// importCLIWorkflow is the whole workflow. It prints "hello, Trent",
// "encrypt refused" and "hello, Trent" again.
const importCLIWorkflow = `export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
KEY_ID=$(aws --endpoint-url http://127.0.0.1:4599 kms create-key --origin EXTERNAL \
    --query KeyMetadata.KeyId --output text)
openssl rand -out material 32
` + importCLIParamsAndImport + `echo "hello, Trent" > secret.txt
aws --endpoint-url http://127.0.0.1:4599 kms encrypt --key-id "$KEY_ID" \
    --plaintext fileb://secret.txt --query CiphertextBlob --output text | base64 -d > secret.enc
aws --endpoint-url http://127.0.0.1:4599 kms decrypt --ciphertext-blob fileb://secret.enc \
    --query Plaintext --output text | base64 -d
aws --endpoint-url http://127.0.0.1:4599 kms delete-imported-key-material --key-id "$KEY_ID"
aws --endpoint-url http://127.0.0.1:4599 kms encrypt --key-id "$KEY_ID" \
    --plaintext fileb://secret.txt || echo "encrypt refused"
` + importCLIParamsAndImport + `aws --endpoint-url http://127.0.0.1:4599 kms decrypt --ciphertext-blob fileb://secret.enc \
    --query Plaintext --output text | base64 -d
`

var xxdInstall struct {
	once sync.Once
	err  error
}

// ensureXXD installs Debian's xxd, which AWS's wrapping commands use to
// hex-encode the AES key, if /usr/bin/xxd is missing.
func ensureXXD(t *testing.T) {
	t.Helper()
	xxdInstall.once.Do(func() {
		if _, err := os.Stat("/usr/bin/xxd"); err == nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), installTimeout)
		defer cancel()
		for _, args := range [][]string{{"update"}, {"install", "-y", "xxd"}} {
			if err := aptGet(ctx, args...); err != nil {
				xxdInstall.err = err
				return
			}
		}
	})
	if xxdInstall.err != nil {
		t.Fatal(xxdInstall.err)
	}
}

func TestImportCLIWorkflow(t *testing.T) {
	t.Parallel()
	ensureOpenSSL(t)
	ensureXXD(t)
	tn := startNode(t)
	cli := newAWSCLI(t, tn.srv.URL)
	dir := t.TempDir()
	script := strings.ReplaceAll(importCLIWorkflow, readmeEndpoint, tn.srv.URL)
	runCtx, cancel := context.WithTimeout(context.Background(), snippetTimeout)
	defer cancel()
	stdout, stderr, err := runBounded(runCtx, dir, cli.env, "/bin/sh", "-ec", script)
	if err != nil {
		t.Fatalf("the workflow failed: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
	}
	if want := "hello, Trent\nencrypt refused\nhello, Trent\n"; stdout != want {
		t.Fatalf("the workflow printed %q, want %q\nstderr:\n%s", stdout, want, stderr)
	}

	c := tn.kms()
	ids := walkKeyIDs(t, c, 0)
	if len(ids) != 1 {
		t.Fatalf("keys %v, want the workflow's one", ids)
	}
	md := describeKeyMetadata(t, c, ids[0])
	if md.KeyState != types.KeyStateEnabled || md.Origin != types.OriginTypeExternal || md.ExpirationModel != types.ExpirationModelTypeKeyMaterialDoesNotExpire {
		t.Errorf("the key: %s %s %s, want Enabled EXTERNAL KEY_MATERIAL_DOES_NOT_EXPIRE", md.KeyState, md.Origin, md.ExpirationModel)
	}
	// The encrypt after the deletion was refused as AWS refuses it.
	refusal := regexp.MustCompile(`(?m)^An error occurred \(KMSInvalidStateException\) when calling the Encrypt operation( \(reached max retries: \d+\))?: ` +
		regexp.QuoteMeta(*md.Arn+" is pending import.") + `$`)
	if !refusal.MatchString(stderr) {
		t.Errorf("stderr does not match %s:\n%s", refusal, stderr)
	}
	// Trent encrypted under the material openssl made: the ciphertext
	// opens with it outside Trent.
	material := readFileBytes(t, filepath.Join(dir, "material"))
	opened, err := openTrentBlob(t, material, *md.KeyId, readFileBytes(t, filepath.Join(dir, "secret.enc")))
	if err != nil || string(opened) != "hello, Trent\n" {
		t.Errorf("secret.enc does not open with openssl's material: %q %v", opened, err)
	}
	decryptsTo(t, c, sealTrentBlob(t, material, readFileBytes(t, filepath.Join(dir, "secret.enc")), []byte("x")), []byte("x"))

	// Every call of the workflow reached Trent, the refused one included.
	var got []string
	for _, r := range tn.auditRecords() {
		if strings.HasPrefix(r.UserAgent, "aws-cli/") {
			got = append(got, strings.TrimSuffix(r.EventName+" "+r.ErrorCode, " "))
		}
	}
	want := []string{"CreateKey", "GetParametersForImport", "ImportKeyMaterial", "Encrypt", "Decrypt", "DeleteImportedKeyMaterial",
		"Encrypt KMSInvalidStateException", "GetParametersForImport", "ImportKeyMaterial", "Decrypt"}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("audit records of the workflow's calls:\n got %q\nwant %q", got, want)
	}
}
