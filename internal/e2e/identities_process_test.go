package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/seal"
	"github.com/trent-kms/trent/internal/server"
)

// The identities file as an operator meets it: made with the trent
// subcommands, served by trent serve without --dev.
//
// Signatures are not verified by the wire yet, so these tests assert what
// holds without verification: which access keys are known, and which
// principal each acts as. Once verification lands, a wrong secret or a
// missing session token must be refused as well (see the report).

// trentCLI runs `trent args...` (a subcommand that edits the identities
// file) and decodes its JSON output into out, if out is not nil.
func trentCLI(t *testing.T, out any, args ...string) {
	t.Helper()
	cmd := exec.Command(trentBinary(t), args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TRENT_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("trent %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	if out != nil {
		if err := json.Unmarshal(stdout, out); err != nil {
			t.Fatalf("trent %s: output is not JSON: %v\n%s", strings.Join(args, " "), err, stdout)
		}
	}
}

// createAccount makes account id in the identities file of dataDir and
// returns its root access key and secret.
func createAccount(t *testing.T, dataDir, rootKey, id string) (keyID, secretKey string) {
	t.Helper()
	var out struct {
		AccessKey struct{ AccessKeyId, SecretAccessKey string }
	}
	trentCLI(t, &out, "account", "create", "--id", id, "--data-dir", dataDir, "--root-key-file", rootKey)
	return out.AccessKey.AccessKeyId, out.AccessKey.SecretAccessKey
}

// clientAs is an SDK client for p signing with the given credentials.
func (p *trentProc) clientAs(keyID, secretKey, token string) *kms.Client {
	p.kms() // sets up the shared transport
	return kms.New(kms.Options{
		Region:           testRegion,
		BaseEndpoint:     aws.String(p.start.Address),
		Credentials:      credentials.NewStaticCredentialsProvider(keyID, secretKey, token),
		HTTPClient:       p.kms().Options().HTTPClient,
		RetryMaxAttempts: 1,
	})
}

// auditCaller returns the userIdentity of the last audit record of
// eventName made with accessKeyID.
func auditCaller(t *testing.T, dataDir, eventName, accessKeyID string) audit.UserIdentity {
	t.Helper()
	var who *audit.UserIdentity
	awaitAuditLog(t, filepath.Join(dataDir, audit.FileName), func(records []audit.Record) bool {
		for i := len(records) - 1; i >= 0; i-- {
			if r := records[i]; r.EventName == eventName && r.UserIdentity.AccessKeyID == accessKeyID {
				who = &r.UserIdentity
				return true
			}
		}
		return false
	})
	if who == nil {
		t.Fatalf("no %s record for %s", eventName, accessKeyID)
	}
	return *who
}

func TestIdentitiesProcessWithoutDev(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rootKey := filepath.Join(t.TempDir(), "root.key")
	if err := seal.CreateKeyFile(rootKey, nil); err != nil {
		t.Fatal(err)
	}
	files := []string{"--data-dir", dir, "--root-key-file", rootKey}

	// No identities file: serve refuses to start and says how to make one.
	code, log := runTrentToExit(t, nil, append([]string{"--listen", "127.0.0.1:0"}, files...)...)
	wantStartupError(t, code, log, "cannot start", "no identities file at "+filepath.Join(dir, server.IdentitiesFileName), "trent account create")

	rootID, rootSecret := createAccount(t, dir, rootKey, "444455556666")
	// Alice may list keys and the Admin role may describe them, by their
	// identity-based policies.
	listKeys := filepath.Join(t.TempDir(), "list-keys.json")
	describeKeys := filepath.Join(t.TempDir(), "describe-keys.json")
	if err := os.WriteFile(listKeys, []byte(allowKMS("kms:ListKeys")), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(describeKeys, []byte(allowKMS("kms:DescribeKey")), 0o600); err != nil {
		t.Fatal(err)
	}
	trentCLI(t, nil, append([]string{"user", "create", "--account", "444455556666", "--name", "alice",
		"--policy-file", listKeys, "--policy-name", "ListKeys"}, files...)...)
	var userKey struct {
		AccessKey struct{ AccessKeyId, SecretAccessKey string }
	}
	trentCLI(t, &userKey, append([]string{"access-key", "create", "--account", "444455556666", "--user", "alice"}, files...)...)
	trentCLI(t, nil, append([]string{"role", "create", "--account", "444455556666", "--name", "Admin",
		"--policy-file", describeKeys, "--policy-name", "DescribeKeys"}, files...)...)
	var session struct {
		Credentials     struct{ AccessKeyId, SecretAccessKey, SessionToken string }
		AssumedRoleUser struct{ AssumedRoleId, Arn string }
	}
	trentCLI(t, &session, append([]string{"role", "assume", "--account", "444455556666", "--role", "Admin", "--session-name", "e2e"}, files...)...)

	p := launchTrent(t, nil, append([]string{"--listen", "127.0.0.1:0"}, files...)...)
	if !p.waitServing() {
		t.Fatalf("trent did not serve with the identities file:\n%s", p.log)
	}

	// The account root: keys are made in its account.
	root := p.clientAs(rootID, rootSecret, "")
	key := must[*kms.CreateKeyOutput](t)(root.CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata
	if *key.AWSAccountId != "444455556666" || !strings.HasPrefix(*key.Arn, "arn:aws:kms:us-east-1:444455556666:key/") {
		t.Fatalf("key made by the account root: %s in %s", *key.Arn, *key.AWSAccountId)
	}

	// An access key the file does not hold is refused (as "test" would have
	// been accepted by --dev).
	_, err := p.clientAs("AKIAAAAAAAAAAAAAAAAA", "x", "").ListKeys(ctx, &kms.ListKeysInput{})
	apiError(t, err, "UnrecognizedClientException")
	_, err = p.clientAs("444455556666", "x", "").ListKeys(ctx, &kms.ListKeysInput{})
	apiError(t, err, "UnrecognizedClientException")

	// The user and the role session act as themselves, in the account.
	alice := p.clientAs(userKey.AccessKey.AccessKeyId, userKey.AccessKey.SecretAccessKey, "")
	must[*kms.ListKeysOutput](t)(alice.ListKeys(ctx, &kms.ListKeysInput{}))
	// Her policy does not allow CreateKey.
	_, err = alice.CreateKey(ctx, &kms.CreateKeyInput{})
	wantError(t, err, "AccessDeniedException", "User: arn:aws:iam::444455556666:user/alice is not authorized to perform: kms:CreateKey on resource: * because no identity-based policy allows the kms:CreateKey action")
	who := auditCaller(t, dir, "ListKeys", userKey.AccessKey.AccessKeyId)
	if who.Type != "IAMUser" || who.ARN != "arn:aws:iam::444455556666:user/alice" || who.AccountID != "444455556666" ||
		!strings.HasPrefix(who.PrincipalID, "AIDA") {
		t.Fatalf("alice's calls are recorded as %+v", who)
	}
	sess := p.clientAs(session.Credentials.AccessKeyId, session.Credentials.SecretAccessKey, session.Credentials.SessionToken)
	must[*kms.DescribeKeyOutput](t)(sess.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: key.KeyId}))
	who = auditCaller(t, dir, "DescribeKey", session.Credentials.AccessKeyId)
	if who.Type != "AssumedRole" || who.ARN != session.AssumedRoleUser.Arn || who.PrincipalID != session.AssumedRoleUser.AssumedRoleId {
		t.Fatalf("the role session's calls are recorded as %+v, want %+v", who, session.AssumedRoleUser)
	}
	if who := auditCaller(t, dir, "ListKeys", userKey.AccessKey.AccessKeyId); strings.Contains(who.ARN, "root") {
		t.Fatal("a user recorded as root")
	}

	// A deleted key stops working without a restart: the server reloads
	// the file when it changes.
	trentCLI(t, nil, append([]string{"access-key", "delete", "--id", userKey.AccessKey.AccessKeyId}, files...)...)
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := alice.ListKeys(ctx, &kms.ListKeysInput{})
		if err != nil {
			apiError(t, err, "UnrecognizedClientException")
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a deleted access key still works after 10 s; log:\n%s", p.log)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The root key is unaffected, and no secret reached the log.
	must[*kms.ListKeysOutput](t)(root.ListKeys(ctx, &kms.ListKeysInput{}))
	if code := p.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	for _, s := range []string{rootSecret, userKey.AccessKey.SecretAccessKey, session.Credentials.SecretAccessKey, session.Credentials.SessionToken} {
		if strings.Contains(p.log.String(), s) {
			t.Fatal("the server log holds a secret")
		}
		if raw, _ := os.ReadFile(filepath.Join(dir, server.IdentitiesFileName)); strings.Contains(string(raw), s) {
			t.Fatal("the identities file holds a secret in clear")
		}
	}
	if !strings.Contains(p.log.String(), "reloaded the identities file") {
		t.Fatalf("the reload was not logged:\n%s", p.log)
	}
}

// --dev with an identities file in the data directory: its keys act as
// their principals, any other key as dev mode's root.
func TestIdentitiesProcessDevFallback(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first := serveTrent(t, dir) // makes the dev root key
	if code := first.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	// The subcommands find the dev root key in the data directory.
	var out struct {
		AccessKey struct{ AccessKeyId, SecretAccessKey string }
	}
	trentCLI(t, &out, "account", "create", "--id", "444455556666", "--data-dir", dir)

	p := serveTrent(t, dir)
	known := must[*kms.CreateKeyOutput](t)(p.clientAs(out.AccessKey.AccessKeyId, out.AccessKey.SecretAccessKey, "").CreateKey(ctx, &kms.CreateKeyInput{}))
	if *known.KeyMetadata.AWSAccountId != "444455556666" {
		t.Fatalf("a key of the identities file acted in %s", *known.KeyMetadata.AWSAccountId)
	}
	other := must[*kms.CreateKeyOutput](t)(p.kms().CreateKey(ctx, &kms.CreateKeyInput{}))
	if *other.KeyMetadata.AWSAccountId != server.DefaultDevAccount {
		t.Fatalf("an unknown key acted in %s, want the dev account", *other.KeyMetadata.AWSAccountId)
	}
}
