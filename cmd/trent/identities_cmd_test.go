package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/seal"
)

var (
	akiaPattern   = regexp.MustCompile(`^AKIA[A-Z2-7]{16}$`)
	asiaPattern   = regexp.MustCompile(`^ASIA[A-Z2-7]{16}$`)
	secretPattern = regexp.MustCompile(`^[A-Za-z0-9+/]{40}$`)
)

// identityDir is a data directory with a root key, and the flags that
// point the subcommands at it.
func identityDir(t *testing.T) (dir string, flags []string) {
	t.Helper()
	clearServeEnv(t)
	dir = t.TempDir()
	key := filepath.Join(dir, "root.key")
	if r := runCommand(t, "create-root-key", key); r.code != 0 {
		t.Fatalf("create-root-key: %d %s", r.code, r.stderr)
	}
	return dir, []string{"--data-dir", dir, "--root-key-file", key}
}

// mustRun runs a subcommand that must succeed and decodes its JSON output
// into out (if not nil).
func mustRun(t *testing.T, out any, args ...string) {
	t.Helper()
	r := runCommand(t, args...)
	if r.code != 0 {
		t.Fatalf("trent %s: exit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(r.stdout), out); err != nil {
			t.Fatalf("trent %s printed no JSON: %v\n%s", strings.Join(args, " "), err, r.stdout)
		}
	} else if r.stdout != "" {
		t.Fatalf("trent %s printed %q, want nothing", strings.Join(args, " "), r.stdout)
	}
}

// openResolver loads the identities file of dir as trent serve does.
func openResolver(t *testing.T, dir string) *identity.File {
	t.Helper()
	k, err := seal.LoadKeyFile(filepath.Join(dir, "root.key"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := identity.OpenFile(filepath.Join(dir, "identities.json"), k, clock.Real{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

type accessKeyOut struct {
	AccessKey struct{ UserName, AccessKeyId, Status, SecretAccessKey, CreateDate string }
}

func TestAccountCreate(t *testing.T) {
	dir, flags := identityDir(t)
	var out struct {
		Account struct{ Id, Name, Arn string }
		accessKeyOut
	}
	mustRun(t, &out, append([]string{"account", "create", "--id", "444455556666", "--name", "prod"}, flags...)...)
	k := out.AccessKey
	if out.Account.Id != "444455556666" || out.Account.Name != "prod" || out.Account.Arn != "arn:aws:iam::444455556666:root" ||
		!akiaPattern.MatchString(k.AccessKeyId) || !secretPattern.MatchString(k.SecretAccessKey) || k.Status != "Active" {
		t.Fatalf("output %+v", out)
	}
	if _, err := time.Parse(time.RFC3339, k.CreateDate); err != nil {
		t.Fatalf("CreateDate %q: %v", k.CreateDate, err)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "identities.json"))
	if strings.Contains(string(raw), k.SecretAccessKey) {
		t.Fatal("the secret access key is in the file in clear")
	}
	cred, ok := openResolver(t, dir).Lookup(k.AccessKeyId)
	if !ok || !cred.Caller.IsRoot() || cred.Caller.Account != "444455556666" || cred.Secret != k.SecretAccessKey {
		t.Fatalf("the printed key does not resolve to the account root: %+v", cred.Caller)
	}

	// Without --id, a random 12-digit account; the same ID twice fails.
	var second struct{ Account struct{ Id string } }
	mustRun(t, &second, append([]string{"account", "create"}, flags...)...)
	if !identity.IsAccountID(second.Account.Id) || second.Account.Id == "444455556666" {
		t.Fatalf("generated account ID %q", second.Account.Id)
	}
	r := runCommand(t, append([]string{"account", "create", "--id", "444455556666"}, flags...)...)
	if r.code != 1 || !strings.Contains(r.stderr, "account 444455556666 already exists") || r.stdout != "" {
		t.Fatalf("duplicate account: exit %d, stderr %q", r.code, r.stderr)
	}
	var list struct{ Accounts []struct{ Id, Name string } }
	mustRun(t, &list, append([]string{"account", "list"}, flags...)...)
	if len(list.Accounts) != 2 || list.Accounts[0].Id != "444455556666" || list.Accounts[0].Name != "prod" {
		t.Fatalf("account list %+v", list)
	}
}

// Users, roles, policies and keys, made by the subcommands, resolve to the
// principals IAM would report.
func TestUsersRolesPoliciesAndKeys(t *testing.T) {
	dir, flags := identityDir(t)
	run := func(out any, args ...string) { t.Helper(); mustRun(t, out, append(args, flags...)...) }
	run(&struct{}{}, "account", "create", "--id", "444455556666")
	policyFile := filepath.Join(t.TempDir(), "p.json")
	const doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]}`
	if err := os.WriteFile(policyFile, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}

	var user struct {
		User struct{ Path, UserName, UserId, Arn string }
	}
	run(&user, "user", "create", "--account", "444455556666", "--name", "alice", "--path", "/ops/",
		"--policy-file", policyFile, "--policy-name", "encrypt")
	if user.User.Arn != "arn:aws:iam::444455556666:user/ops/alice" || !strings.HasPrefix(user.User.UserId, "AIDA") {
		t.Fatalf("user %+v", user)
	}
	var key accessKeyOut
	run(&key, "access-key", "create", "--account", "444455556666", "--user", "alice")
	if key.AccessKey.UserName != "alice" || !akiaPattern.MatchString(key.AccessKey.AccessKeyId) {
		t.Fatalf("access key %+v", key)
	}

	var role struct {
		Role struct{ RoleName, RoleId, Arn string }
	}
	run(&role, "role", "create", "--account", "444455556666", "--name", "Admin")
	run(nil, "policy", "put", "--account", "444455556666", "--role", "Admin", "--name", "enc", "--file", policyFile)
	var assumed struct {
		Credentials     struct{ AccessKeyId, SecretAccessKey, SessionToken, Expiration string }
		AssumedRoleUser struct{ AssumedRoleId, Arn string }
	}
	before := time.Now()
	run(&assumed, "role", "assume", "--account", "444455556666", "--role", "Admin", "--session-name", "ci", "--duration", "30m")
	c := assumed.Credentials
	expires, err := time.Parse(time.RFC3339, c.Expiration)
	if err != nil || !asiaPattern.MatchString(c.AccessKeyId) || !secretPattern.MatchString(c.SecretAccessKey) || len(c.SessionToken) < 100 ||
		expires.Before(before.Add(29*time.Minute)) || expires.After(time.Now().Add(31*time.Minute)) {
		t.Fatalf("assume-role output %+v (%v)", assumed, err)
	}
	if assumed.AssumedRoleUser.Arn != "arn:aws:sts::444455556666:assumed-role/Admin/ci" ||
		assumed.AssumedRoleUser.AssumedRoleId != role.Role.RoleId+":ci" {
		t.Fatalf("AssumedRoleUser %+v", assumed.AssumedRoleUser)
	}

	f := openResolver(t, dir)
	alice, ok := f.Lookup(key.AccessKey.AccessKeyId)
	if !ok || alice.Caller.Type != identity.TypeIAMUser || alice.Caller.ARN != user.User.Arn || alice.Caller.PrincipalID != user.User.UserId ||
		alice.Secret != key.AccessKey.SecretAccessKey || len(alice.Caller.Policies) != 1 || alice.Caller.Policies[0] != doc {
		t.Fatalf("alice resolves to %+v", alice.Caller)
	}
	sess, ok := f.Lookup(c.AccessKeyId)
	if !ok || sess.Caller.Type != identity.TypeAssumedRole || sess.Caller.ARN != assumed.AssumedRoleUser.Arn ||
		sess.Caller.PrincipalARN != role.Role.Arn || sess.SessionToken != c.SessionToken || !sess.Expires.Equal(expires) ||
		len(sess.Caller.Policies) != 1 {
		t.Fatalf("session resolves to %+v", sess)
	}

	// Deleting the policy and the keys.
	run(nil, "policy", "delete", "--account", "444455556666", "--user", "alice", "--name", "encrypt")
	run(nil, "access-key", "delete", "--id", c.AccessKeyId)
	run(nil, "access-key", "delete", "--id", key.AccessKey.AccessKeyId)
	if !f.Reload() {
		t.Fatal("the edits were not picked up")
	}
	if _, ok := f.Lookup(c.AccessKeyId); ok {
		t.Fatal("a deleted session still resolves")
	}
	if _, ok := f.Lookup(key.AccessKey.AccessKeyId); ok {
		t.Fatal("a deleted access key still resolves")
	}
	r := runCommand(t, append([]string{"policy", "delete", "--account", "444455556666", "--user", "alice", "--name", "encrypt"}, flags...)...)
	if r.code != 1 || !strings.Contains(r.stderr, "no inline policy named encrypt") {
		t.Fatalf("deleting a deleted policy: exit %d %q", r.code, r.stderr)
	}
}

// A wrong command line exits 2 with the reason on stderr; a request that
// cannot be done exits 1; neither prints on stdout or changes the file.
func TestIdentityCommandErrors(t *testing.T) {
	dir, flags := identityDir(t)
	mustRun(t, &struct{}{}, append([]string{"account", "create", "--id", "444455556666"}, flags...)...)
	badPolicy := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(badPolicy, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}`), 0o600)
	before, _ := os.ReadFile(filepath.Join(dir, "identities.json"))
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"account"}, 2, `unknown action "--data-dir"`}, // flags before the action
		{[]string{"account", "drop"}, 2, `unknown action "drop"`},
		{[]string{"account", "create", "--id", "12345"}, 2, "12 digits"},
		{[]string{"user", "create", "--name", "alice"}, 2, "--account is required"},
		{[]string{"user", "create", "--account", "444455556666", "--name", "al ice"}, 2, `user name "al ice" is not valid`},
		{[]string{"user", "create", "--account", "444455556666", "--name", strings.Repeat("a", 65)}, 2, "1 to 64"},
		{[]string{"user", "create", "--account", "444455556666", "--name", "bob", "--path", "ops"}, 2, "path"},
		{[]string{"user", "create", "--account", "444455556666", "--name", "bob", "--policy-name", "p"}, 2, "--policy-name needs --policy-file"},
		{[]string{"role", "assume", "--account", "444455556666", "--role", "R", "--session-name", "ok", "--duration", "13h"}, 2, "out of range"},
		{[]string{"policy", "put", "--account", "444455556666", "--user", "a", "--role", "b", "--name", "n", "--file", badPolicy}, 2, "not both"},
		{[]string{"access-key", "delete", "--id", "nope"}, 2, "not an access key ID"},
		{[]string{"user", "create", "--account", "111122223333", "--name", "bob"}, 1, "account 111122223333 does not exist"},
		{[]string{"role", "assume", "--account", "444455556666", "--role", "Nope", "--session-name", "ok"}, 1, "role with name Nope cannot be found"},
		{[]string{"access-key", "delete", "--id", "AKIAAAAAAAAAAAAAAAAA"}, 1, "cannot be found"},
		{[]string{"user", "create", "--account", "444455556666", "--name", "bob", "--policy-file", badPolicy, "--policy-name", "p"}, 1, "should not specify a principal"},
	} {
		r := runCommand(t, append(tc.args, flags...)...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
			t.Errorf("trent %s: exit %d, stderr %q, stdout %q; want exit %d saying %q",
				strings.Join(tc.args, " "), r.code, r.stderr, r.stdout, tc.code, tc.want)
		}
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "identities.json")); string(after) != string(before) {
		t.Fatal("a failed command changed the identities file")
	}

	if r := runCommand(t, "account"); r.code != 2 || !strings.Contains(r.stderr, "name an action") {
		t.Errorf("trent account: exit %d %q", r.code, r.stderr)
	}

	// No identities file yet, and no root key at all.
	r := runCommand(t, "user", "create", "--account", "444455556666", "--name", "bob", "--data-dir", t.TempDir(), "--root-key-file", flags[3])
	if r.code != 1 || !strings.Contains(r.stderr, "no identities file") || !strings.Contains(r.stderr, "trent account create") {
		t.Fatalf("missing file: exit %d %q", r.code, r.stderr)
	}
	r = runCommand(t, "account", "create", "--data-dir", t.TempDir())
	if r.code != 1 || !strings.Contains(r.stderr, "a root key file is required") {
		t.Fatalf("no root key: exit %d %q", r.code, r.stderr)
	}
	// The wrong root key: refused, nothing written.
	other := filepath.Join(t.TempDir(), "other.key")
	runCommand(t, "create-root-key", other)
	r = runCommand(t, "access-key", "create", "--account", "444455556666", "--data-dir", dir, "--root-key-file", other)
	if r.code != 1 || !strings.Contains(r.stderr, "another root key") {
		t.Fatalf("wrong root key: exit %d %q", r.code, r.stderr)
	}
}

func TestIdentityCommandHelp(t *testing.T) {
	clearServeEnv(t)
	for group, actions := range map[string][]string{
		"account": {"create", "list"}, "user": {"create"}, "role": {"create", "assume"},
		"policy": {"put", "delete"}, "access-key": {"create", "delete"},
	} {
		r := runCommand(t, "help", group)
		if r.code != 0 || !strings.HasPrefix(r.stdout, "usage: trent "+group) {
			t.Errorf("trent help %s: exit %d %q", group, r.code, r.stdout)
		}
		for _, a := range actions {
			r := runCommand(t, group, a, "--help")
			if r.code != 0 || !strings.HasPrefix(r.stdout, "usage: trent "+group+" "+a) {
				t.Errorf("trent %s %s --help: exit %d %q", group, a, r.code, r.stdout)
			}
			for _, flag := range []string{"-data-dir", "-root-key-file", "-identities", "TRENT_IDENTITIES"} {
				if !strings.Contains(r.stdout, flag) {
					t.Errorf("trent %s %s --help does not mention %s", group, a, flag)
				}
			}
		}
	}
	if r := runCommand(t, "help"); !strings.Contains(r.stdout, "access-key") || !strings.Contains(r.stdout, "account") {
		t.Errorf("trent help does not list the identity commands:\n%s", r.stdout)
	}
}

// Without --dev, serve needs the identities file and says how to make one;
// once account create has made it, serve starts.
func TestServeRequiresIdentitiesFile(t *testing.T) {
	dir, flags := identityDir(t)
	r := runCommand(t, append([]string{"serve", "--listen", "127.0.0.1:0"}, flags...)...)
	line := logLine(r.stderr, "cannot start")
	if r.code != 1 || line == nil || !strings.Contains(line["error"].(string), "trent account create") {
		t.Fatalf("serve without an identities file: exit %d\n%s", r.code, r.stderr)
	}
	mustRun(t, &struct{}{}, append([]string{"account", "create"}, flags...)...)
	s := startServe(t, append([]string{"--listen", "127.0.0.1:0"}, flags...)...)
	if line, code := s.waitServingOrExit(); line == nil {
		t.Fatalf("serve with the identities file exited %d:\n%s", code, s.stderr)
	}
	if code := s.stop(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	// --identities names another path, which must exist.
	r = runCommand(t, append([]string{"serve", "--listen", "127.0.0.1:0", "--identities", filepath.Join(dir, "nope.json")}, flags...)...)
	if r.code != 1 || !strings.Contains(r.stderr, "no identities file at "+filepath.Join(dir, "nope.json")) {
		t.Fatalf("serve with a missing --identities: exit %d\n%s", r.code, r.stderr)
	}
}
