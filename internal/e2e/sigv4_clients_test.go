package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/clock"
)

// The other signers users point at Trent: botocore (boto3 and the AWS CLI
// sign with it) and the AWS CLI itself, against a verifying node. They sign
// with the machine's clock, so the node runs on the real clock here.

// botocoreScript creates a key, encrypts and decrypts with botocore's own
// client (which signs with botocore.auth.SigV4Auth) and prints the outcome
// as JSON: {"plaintext", "arn"} or {"code", "message"}.
const botocoreScript = `
import json, sys
import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint, key, secret, token, ca = sys.argv[1:6]
client = botocore.session.Session().create_client(
    "kms", region_name="us-east-1", endpoint_url=endpoint,
    aws_access_key_id=key, aws_secret_access_key=secret,
    aws_session_token=token or None, verify=ca or True,
    config=Config(retries={"max_attempts": 1}))
try:
    meta = client.create_key(Description="from botocore")["KeyMetadata"]
    blob = client.encrypt(KeyId=meta["KeyId"], Plaintext=b"from botocore")["CiphertextBlob"]
    plain = client.decrypt(CiphertextBlob=blob)["Plaintext"]
    print(json.dumps({"plaintext": plain.decode(), "arn": meta["Arn"]}))
except ClientError as e:
    print(json.dumps({"code": e.response["Error"]["Code"], "message": e.response["Error"]["Message"]}))
`

type botocoreResult struct {
	Plaintext, ARN, Code, Message string
}

// runBotocore runs botocoreScript against endpoint; ca is a CA bundle file
// or empty.
func runBotocore(t *testing.T, endpoint, keyID, secret, token, ca string) botocoreResult {
	t.Helper()
	ensureBotocore(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "kms.py")
	if err := os.WriteFile(script, []byte(botocoreScript), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(append([]string(nil), pythonEnv...), "HOME="+dir, "AWS_CONFIG_FILE="+empty, "AWS_SHARED_CREDENTIALS_FILE="+empty)
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	stdout, stderr, err := runBounded(c, dir, env, "/usr/bin/python3", script, endpoint, keyID, secret, token, ca)
	if err != nil {
		t.Fatalf("botocore: %v\n%s%s", err, stdout, stderr)
	}
	var r struct {
		Plaintext string `json:"plaintext"`
		ARN       string `json:"arn"`
		Code      string `json:"code"`
		Message   string `json:"message"`
	}
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("botocore printed %q (%v); stderr:\n%s", stdout, err, stderr)
	}
	return botocoreResult{Plaintext: r.Plaintext, ARN: r.ARN, Code: r.Code, Message: r.Message}
}

func TestSigV4Botocore(t *testing.T) {
	t.Parallel()
	tn := startVerifyingNode(t, testCredentials(clock.Real{}.Now().Add(time.Hour)), clock.Real{}, nil)
	if r := runBotocore(t, tn.srv.URL, longTermKeyID, longTermSecret, "", ""); r.Plaintext != "from botocore" || !strings.Contains(r.ARN, ":"+testAccount+":") {
		t.Fatalf("long-term key: %+v", r)
	}
	if r := runBotocore(t, tn.srv.URL, tempKeyID, tempSecret, tempToken, ""); r.Plaintext != "from botocore" || !strings.Contains(r.ARN, ":"+otherAccount+":") {
		t.Fatalf("temporary credentials: %+v", r)
	}
	if r := runBotocore(t, tn.srv.URL, longTermKeyID, "not-the-secret", "", ""); r.Code != "InvalidSignatureException" || r.Message != sigMismatch {
		t.Fatalf("wrong secret: %+v", r)
	}
	if r := runBotocore(t, tn.srv.URL, tempKeyID, tempSecret, "another-token", ""); r.Code != "UnrecognizedClientException" || r.Message != tokenInvalid {
		t.Fatalf("wrong token: %+v", r)
	}
}

// cliAs is the AWS CLI for endpoint signing with the credentials given
// (exec keeps the last of duplicate variables).
func cliAs(t *testing.T, endpoint, keyID, secret, token string) *awsCLI {
	t.Helper()
	a := newAWSCLI(t, endpoint)
	a.env = append(a.env, "AWS_ACCESS_KEY_ID="+keyID, "AWS_SECRET_ACCESS_KEY="+secret, "AWS_SESSION_TOKEN="+token)
	return a
}

// cliRoundTrip creates a key, encrypts and decrypts with the CLI, with
// extra arguments (--ca-bundle) on every call, and returns the key ARN.
func cliRoundTrip(t *testing.T, a *awsCLI, extra ...string) string {
	t.Helper()
	run := func(args ...string) map[string]any {
		t.Helper()
		stdout, stderr, code := a.run(append(args, extra...)...)
		if code != 0 {
			t.Fatalf("aws kms %v: exit %d\n%s", args, code, stderr)
		}
		var out map[string]any
		if err := json.Unmarshal([]byte(stdout), &out); err != nil {
			t.Fatalf("aws kms %v printed %q", args, stdout)
		}
		return out
	}
	meta := run("create-key", "--description", "from the CLI")["KeyMetadata"].(map[string]any)
	ptFile := filepath.Join(t.TempDir(), "plaintext")
	if err := os.WriteFile(ptFile, []byte("from the CLI"), 0o600); err != nil {
		t.Fatal(err)
	}
	blob := run("encrypt", "--key-id", meta["KeyId"].(string), "--plaintext", "fileb://"+ptFile)["CiphertextBlob"].(string)
	ct, err := base64.StdEncoding.DecodeString(blob)
	if err != nil {
		t.Fatal(err)
	}
	ctFile := filepath.Join(t.TempDir(), "ciphertext")
	if err := os.WriteFile(ctFile, ct, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := base64.StdEncoding.DecodeString(run("decrypt", "--ciphertext-blob", "fileb://"+ctFile)["Plaintext"].(string))
	if err != nil || string(got) != "from the CLI" {
		t.Fatalf("decrypted %q (%v)", got, err)
	}
	return meta["Arn"].(string)
}

func TestSigV4AWSCLI(t *testing.T) {
	t.Parallel()
	tn := startVerifyingNode(t, testCredentials(clock.Real{}.Now().Add(time.Hour)), clock.Real{}, nil)
	if arn := cliRoundTrip(t, cliAs(t, tn.srv.URL, longTermKeyID, longTermSecret, "")); !strings.Contains(arn, ":"+testAccount+":") {
		t.Fatalf("long-term key created %s", arn)
	}
	if arn := cliRoundTrip(t, cliAs(t, tn.srv.URL, tempKeyID, tempSecret, tempToken)); !strings.Contains(arn, ":"+otherAccount+":") {
		t.Fatalf("temporary credentials created %s", arn)
	}
	_, stderr, code := cliAs(t, tn.srv.URL, longTermKeyID, "not-the-secret", "").run("list-keys")
	if code == 0 || !strings.Contains(stderr, "InvalidSignatureException") || !strings.Contains(stderr, sigMismatch) {
		t.Fatalf("wrong secret: exit %d\n%s", code, stderr)
	}
	_, stderr, code = cliAs(t, tn.srv.URL, "AKIAUNKNOWNEXAMPLE1", longTermSecret, "").run("list-keys")
	if code == 0 || !strings.Contains(stderr, "UnrecognizedClientException") || !strings.Contains(stderr, tokenInvalid) {
		t.Fatalf("unknown key: exit %d\n%s", code, stderr)
	}
}
