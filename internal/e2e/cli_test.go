package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// The key lifecycle of the issue driven by the AWS CLI v2, the client most
// people will point at Trent first. The server is the in-process harness
// node (startNode): the CLI does not care which process answers, and the
// harness's manual clock makes the dates exact.
//
// The CLI is Debian's awscli package (2.9.19), at /usr/bin/aws. Another aws
// (a v1 under pyenv) may come first in PATH, so the path is absolute.

const awsCLIPath = "/usr/bin/aws"

// awsCLI runs the CLI against one endpoint in an environment of its own: no
// profile, config or credentials of the machine's user are read.
type awsCLI struct {
	t        *testing.T
	endpoint string
	dir      string
	env      []string
}

func newAWSCLI(t *testing.T, endpoint string) *awsCLI {
	t.Helper()
	ensureAWSCLI(t)
	dir := t.TempDir()
	for _, name := range []string{"config", "credentials"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return &awsCLI{t: t, endpoint: endpoint, dir: dir, env: []string{
		"PATH=/usr/bin:/bin", "HOME=" + dir, "LANG=C.UTF-8",
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=" + testRegion,
		"AWS_PAGER=", "AWS_CONFIG_FILE=" + filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials"),
		// An error must show at once, not after the CLI's retries.
		"AWS_RETRY_MODE=standard", "AWS_MAX_ATTEMPTS=1",
	}}
}

// run runs `aws kms args...` and returns stdout, stderr and the exit code.
func (a *awsCLI) run(args ...string) (string, string, int) {
	a.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	full := []string{"--endpoint-url", a.endpoint}
	if !slices.Contains(args, "--output") {
		full = append(full, "--output", "json")
	}
	cmd := exec.CommandContext(ctx, awsCLIPath, append(append(full, "kms"), args...)...)
	cmd.Env, cmd.Dir = a.env, a.dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		a.t.Fatalf("aws kms %v: %v", args, err)
	}
	return stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()
}

// ok runs a command that must succeed and decodes its JSON output (nil if
// it printed nothing).
func (a *awsCLI) ok(args ...string) map[string]any {
	a.t.Helper()
	stdout, stderr, code := a.run(args...)
	if code != 0 {
		a.t.Fatalf("aws kms %v: exit code %d\n%s", args, code, stderr)
	}
	if strings.TrimSpace(stdout) == "" {
		return nil
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		a.t.Fatalf("aws kms %v: %v\n%s", args, err, stdout)
	}
	return out
}

// text runs a command with --output text and returns its trimmed output.
func (a *awsCLI) text(args ...string) string {
	a.t.Helper()
	stdout, stderr, code := a.run(append(args, "--output", "text")...)
	if code != 0 {
		a.t.Fatalf("aws kms %v: exit code %d\n%s", args, code, stderr)
	}
	return strings.TrimSpace(stdout)
}

// fails runs a command that the service must refuse and checks the CLI's
// report: exit code 254 (a service error in CLI v2; 255 is accepted for
// older v2 releases) and the error line.
func (a *awsCLI) fails(operation, code, message string, args ...string) {
	a.t.Helper()
	stdout, stderr, exit := a.run(args...)
	if exit != 254 && exit != 255 {
		a.t.Fatalf("aws kms %v: exit code %d, want 254 or 255\nstdout: %s\nstderr: %s", args, exit, stdout, stderr)
	}
	// With AWS_MAX_ATTEMPTS set, botocore inserts "(reached max retries:
	// 0)" before the colon.
	want := regexp.MustCompile(`(?m)^An error occurred \(` + code + `\) when calling the ` + operation +
		` operation( \(reached max retries: \d+\))?: ` + regexp.QuoteMeta(message) + `$`)
	if !want.MatchString(stderr) {
		a.t.Fatalf("aws kms %v: stderr does not match %s:\n%s", args, want, stderr)
	}
}

func (a *awsCLI) writeFile(name string, b []byte) string {
	a.t.Helper()
	path := filepath.Join(a.dir, name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		a.t.Fatal(err)
	}
	return path
}

func wantField(t *testing.T, out map[string]any, field string, want any) {
	t.Helper()
	if got := out[field]; got != want {
		t.Fatalf("%s = %#v, want %#v (output %v)", field, got, want, out)
	}
}

func TestCLIKeyLifecycle(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	cli := newAWSCLI(t, tn.srv.URL)

	created := cli.ok("create-key", "--description", "cli lifecycle")["KeyMetadata"].(map[string]any)
	id, arn := created["KeyId"].(string), created["Arn"].(string)
	wantField(t, created, "KeyState", "Enabled")
	wantField(t, created, "Description", "cli lifecycle")

	if out := cli.ok("disable-key", "--key-id", id); out != nil {
		t.Fatalf("disable-key printed %v", out)
	}
	described := cli.ok("describe-key", "--key-id", id)["KeyMetadata"].(map[string]any)
	wantField(t, described, "Enabled", false)
	wantField(t, described, "KeyState", "Disabled")

	// Binary plaintext, bytes that are not UTF-8 included, through fileb://.
	plaintext := append([]byte{0x00, 0xff, 0xfe, '\n'}, "trent via the aws cli"...)
	ptFile := "fileb://" + cli.writeFile("plaintext.bin", plaintext)
	cli.fails("Encrypt", "DisabledException", arn+" is disabled.", "encrypt", "--key-id", id, "--plaintext", ptFile)

	cli.ok("enable-key", "--key-id", id)
	blob := cli.text("encrypt", "--key-id", id, "--plaintext", ptFile, "--encryption-context", "purpose=cli", "--query", "CiphertextBlob")
	ciphertext, err := base64.StdEncoding.DecodeString(blob)
	if err != nil {
		t.Fatalf("encrypt printed %q: %v", blob, err)
	}
	ctFile := "fileb://" + cli.writeFile("ciphertext.bin", ciphertext)
	decrypted, err := base64.StdEncoding.DecodeString(cli.text("decrypt", "--ciphertext-blob", ctFile, "--encryption-context", "purpose=cli", "--query", "Plaintext"))
	if err != nil || !bytes.Equal(decrypted, plaintext) {
		t.Fatalf("decrypt: %q %v, want %q", decrypted, err, plaintext)
	}

	cli.ok("enable-key-rotation", "--key-id", id)
	// This CLI's model (2.9.19) predates RotationPeriodInDays and drops it
	// from its output; --debug shows the response body as received.
	stdout, stderr, code := cli.run("get-key-rotation-status", "--key-id", id, "--debug")
	if code != 0 {
		t.Fatalf("get-key-rotation-status: exit code %d\n%s", code, stderr)
	}
	var status map[string]any
	if err := json.Unmarshal([]byte(stdout), &status); err != nil {
		t.Fatalf("get-key-rotation-status: %v\n%s", err, stdout)
	}
	wantField(t, status, "KeyRotationEnabled", true)
	if !strings.Contains(stderr, `"RotationPeriodInDays":365`) {
		t.Fatalf("the response body does not carry RotationPeriodInDays 365:\n%s", stderr)
	}

	cli.ok("disable-key-rotation", "--key-id", id)
	if rot := must[*kms.GetKeyRotationStatusOutput](t)(tn.kms().GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: &id})); rot.KeyRotationEnabled {
		t.Fatal("rotation still enabled after disable-key-rotation")
	}

	scheduled := cli.ok("schedule-key-deletion", "--key-id", id, "--pending-window-in-days", "7")
	wantField(t, scheduled, "KeyId", arn)
	wantField(t, scheduled, "KeyState", "PendingDeletion")
	wantField(t, scheduled, "PendingWindowInDays", float64(7))
	deletion, err := time.Parse(time.RFC3339, fmt.Sprint(scheduled["DeletionDate"]))
	if want := tn.clock.Now().Add(7 * 24 * time.Hour); err != nil || !deletion.Equal(want) {
		t.Fatalf("DeletionDate %v (%v), want %v", scheduled["DeletionDate"], err, want)
	}
	cli.fails("EnableKey", "KMSInvalidStateException", arn+" is pending deletion.", "enable-key", "--key-id", id)

	wantField(t, cli.ok("cancel-key-deletion", "--key-id", id), "KeyId", arn)
	described = cli.ok("describe-key", "--key-id", id)["KeyMetadata"].(map[string]any)
	wantField(t, described, "KeyState", "Disabled")
	wantField(t, described, "Enabled", false)
	if _, ok := described["DeletionDate"]; ok {
		t.Fatalf("DeletionDate after cancel-key-deletion: %v", described)
	}

	// Each CLI call left one audit record, refusals included.
	var got []string
	for _, r := range tn.auditRecords() {
		if strings.HasPrefix(r.UserAgent, "aws-cli/") {
			got = append(got, strings.TrimSuffix(r.EventName+" "+r.ErrorCode, " "))
		}
	}
	want := []string{"CreateKey", "DisableKey", "DescribeKey", "Encrypt DisabledException", "EnableKey", "Encrypt", "Decrypt",
		"EnableKeyRotation", "GetKeyRotationStatus", "DisableKeyRotation", "ScheduleKeyDeletion",
		"EnableKey KMSInvalidStateException", "CancelKeyDeletion", "DescribeKey"}
	// The calls share one second of the test clock and the log is not in
	// time order (records of changes are shipped from the store), so the
	// records are compared as a set with repetitions.
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("audit records of the CLI's calls:\n got %q\nwant %q", got, want)
	}
}
