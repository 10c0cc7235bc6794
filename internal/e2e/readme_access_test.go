package e2e

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestREADMEAccessControl runs the README's "Access control" example as
// written: the setup block with the trent subcommands, the server with
// exactly the README's flags (on a free port instead of 4599), and the AWS
// CLI block, whose Decrypt by the partner's user is refused until the
// owner's key policy names the partner account.
func TestREADMEAccessControl(t *testing.T) {
	t.Parallel()
	var blocks []readmeBlock
	for _, b := range readmeBlocks(t, "Access control") {
		if b.lang == "sh" {
			blocks = append(blocks, b)
		}
	}
	if len(blocks) != 3 {
		t.Fatalf("README's Access control section has %d sh blocks, want 3 (setup, serve, use)", len(blocks))
	}
	setup, serve, use := blocks[0], blocks[1], blocks[2]
	ensureAWSCLI(t)
	dir := t.TempDir()
	env := append(snippetEnv(t), "AWS_PAGER=")
	for i, kv := range env {
		if strings.HasPrefix(kv, "PATH=") {
			env[i] = "PATH=" + filepath.Dir(trentBinary(t)) + ":/usr/bin:/bin" // the reader's built trent
		}
	}
	run := func(b readmeBlock, code string) (string, string) {
		t.Helper()
		script := filepath.Join(t.TempDir(), "snippet.sh")
		writeFile(t, script, code)
		ctx, cancel := context.WithTimeout(context.Background(), snippetTimeout)
		defer cancel()
		stdout, stderr, err := runBounded(ctx, dir, env, "/bin/bash", "-euo", "pipefail", script)
		if err != nil {
			t.Fatalf("%s does not work as written: %v\nstdout:\n%s\nstderr:\n%s", b, err, stdout, stderr)
		}
		return stdout, stderr
	}
	run(setup, setup.code)

	// The server: the README's command, with the paths it names made
	// absolute and a free port.
	want := []string{"trent", "serve", "--data-dir", "data", "--root-key-file", "root.key"}
	if got := strings.Fields(serve.code); !slices.Equal(got, want) {
		t.Fatalf("%s is %q; this test starts %q", serve, got, want)
	}
	p := launchTrent(t, nil, "--data-dir", filepath.Join(dir, "data"), "--root-key-file", filepath.Join(dir, "root.key"), "--listen", "127.0.0.1:0")
	if !p.waitServing() {
		t.Fatalf("the README's server did not start:\n%s", p.log)
	}

	stdout, stderr := run(use, use.pointedAt(t, p.start.Address))
	if want := "denied, as it should be\nfor the partner\n"; stdout != want {
		t.Fatalf("%s printed %q, want %q\nstderr:\n%s", use, stdout, want, stderr)
	}
	if !strings.Contains(stderr, "AccessDeniedException") ||
		!strings.Contains(stderr, "User: arn:aws:iam::444455556666:user/app is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:111122223333:key/") ||
		!strings.Contains(stderr, "because no resource-based policy allows the kms:Decrypt action") {
		t.Fatalf("the refused Decrypt said:\n%s", stderr)
	}
}
