package identity

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/seal"
	"github.com/trent-kms/trent/internal/secret"
)

var testNow = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)

const readOnlyPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Describe*","Resource":"*"}]}`

func testKeyring(t *testing.T, first byte) *seal.Keyring {
	t.Helper()
	key := make([]byte, seal.RootKeySize)
	for i := range key {
		key[i] = first + byte(i)
	}
	k, err := seal.NewKeyring(secret.New(key))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// issued collects the credentials a fixture created, secrets revealed, so
// the tests can look for them.
type issued struct {
	root, alice, session IssuedKey
}

// writeFixture creates an identities file with an account, a user with a
// policy, a role with a policy, a root key, a user key and a role session.
// openFixture writes the fixture into a new file and opens it on a manual
// clock, without a logger.
func openFixture(t *testing.T) (f *File, keys issued, path string, k *seal.Keyring) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "identities.json")
	k = testKeyring(t, 1)
	keys = writeFixture(t, path, k)
	f, err := OpenFile(path, k, clock.NewManual(testNow), nil)
	if err != nil {
		t.Fatal(err)
	}
	return f, keys, path, k
}

func writeFixture(t *testing.T, path string, k Sealer) issued {
	t.Helper()
	var out issued
	iss := Issuer{Sealer: k, Now: testNow}
	err := Edit(path, k, EditOptions{Create: true}, func(d *Document) error {
		a, err := d.AddAccount("444455556666", "prod", nil)
		if err != nil {
			return err
		}
		if _, err := a.AddUser("alice", "/team/", iss); err != nil {
			return err
		}
		if err := a.PutPolicy(PolicyOwner{User: "alice"}, "read", readOnlyPolicy); err != nil {
			return err
		}
		if _, err := a.AddRole("Admin", iss); err != nil {
			return err
		}
		if err := a.PutPolicy(PolicyOwner{Role: "Admin"}, "all", strings.ReplaceAll(readOnlyPolicy, "Describe*", "*")); err != nil {
			return err
		}
		if out.root, err = d.CreateAccessKey(a, "", iss); err != nil {
			return err
		}
		if out.alice, err = d.CreateAccessKey(a, "alice", iss); err != nil {
			return err
		}
		out.session, err = d.AssumeRole(a, "Admin", "ci-run", time.Hour, iss)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestFileRoundTrip(t *testing.T) {
	f, keys, _, _ := openFixture(t)

	root, ok := f.Lookup(keys.root.AccessKeyID)
	if !ok || !root.Caller.IsRoot() {
		t.Fatalf("root key: %+v %v", root.Caller, ok)
	}
	if want := RootCaller("444455556666", keys.root.AccessKeyID); root.Caller.ARN != want.ARN || root.Caller.PrincipalID != want.PrincipalID ||
		root.Caller.Type != TypeRoot || len(root.Caller.Policies) != 0 {
		t.Fatalf("root caller %+v, want %+v", root.Caller, want)
	}
	if root.Secret != string(keys.root.Secret.Reveal()) || root.SessionToken != "" || !root.Expires.IsZero() {
		t.Fatal("root credential does not hold the issued secret (or holds a token/expiry)")
	}

	alice, ok := f.Lookup(keys.alice.AccessKeyID)
	c := alice.Caller
	if !ok || c.Type != TypeIAMUser || c.ARN != "arn:aws:iam::444455556666:user/team/alice" || c.PrincipalARN != c.ARN ||
		!userID.MatchString(c.PrincipalID) || c.Account != "444455556666" || c.AccessKeyID != keys.alice.AccessKeyID {
		t.Fatalf("alice caller %+v", c)
	}
	if len(c.Policies) != 1 || c.Policies[0] != readOnlyPolicy {
		t.Fatalf("alice policies %q", c.Policies)
	}
	if alice.Secret != string(keys.alice.Secret.Reveal()) || alice.Secret == root.Secret {
		t.Fatal("alice's secret is not the one issued")
	}

	sess, ok := f.Lookup(keys.session.AccessKeyID)
	c = sess.Caller
	if !ok || c.Type != TypeAssumedRole || c.ARN != "arn:aws:sts::444455556666:assumed-role/Admin/ci-run" ||
		c.PrincipalARN != "arn:aws:iam::444455556666:role/Admin" || !strings.HasPrefix(c.PrincipalID, "AROA") ||
		!strings.HasSuffix(c.PrincipalID, ":ci-run") || len(c.Policies) != 1 {
		t.Fatalf("session caller %+v", c)
	}
	if sess.Secret != string(keys.session.Secret.Reveal()) || sess.SessionToken != string(keys.session.SessionToken.Reveal()) ||
		!sess.Expires.Equal(testNow.Add(time.Hour)) {
		t.Fatalf("session credential: expires %v", sess.Expires)
	}

	if _, ok := f.Lookup("AKIAAAAAAAAAAAAAAAAA"); ok {
		t.Fatal("an unknown access key resolved")
	}
	for arn, want := range map[string]bool{
		"arn:aws:iam::444455556666:root":            true,
		"arn:aws-cn:iam::444455556666:root":         true,
		"arn:aws:iam::444455556666:user/team/alice": true,
		"arn:aws:iam::444455556666:user/alice":      false, // the path is part of the ARN
		"arn:aws:iam::444455556666:role/Admin":      true,
		"arn:aws:iam::444455556666:role/Other":      false,
		"arn:aws:iam::111122223333:root":            false,
	} {
		if got := f.PrincipalExists(arn); got != want {
			t.Errorf("PrincipalExists(%s) = %v, want %v", arn, got, want)
		}
	}
	if !f.AccountExists("444455556666") || f.AccountExists("111122223333") {
		t.Error("AccountExists")
	}
}

// The file holds no secret in clear, is mode 0600, and each sealed secret
// opens only for its own key.
func TestFileHoldsNoSecretInClear(t *testing.T) {
	path := filepath.Join(t.TempDir(), "identities.json")
	keys := writeFixture(t, path, testKeyring(t, 1))
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []IssuedKey{keys.root, keys.alice, keys.session} {
		s := string(k.Secret.Reveal())
		if len(s) != 40 || bytes.Contains(raw, []byte(s)) || bytes.Contains(raw, []byte(s[:12])) {
			t.Fatalf("secret of %s is in the file in clear (or is not 40 characters)", k.AccessKeyID)
		}
		if !bytes.Contains(raw, []byte(k.AccessKeyID)) {
			t.Fatalf("access key ID %s is not in the file", k.AccessKeyID)
		}
	}
	token := string(keys.session.SessionToken.Reveal())
	if bytes.Contains(raw, []byte(token[:24])) {
		t.Fatal("session token is in the file in clear")
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %#o", fi.Mode().Perm())
	}
	// Printing an issued key redacts it.
	if s := fmt.Sprintf("%v %+v", keys.session, keys.session); strings.Contains(s, token) || strings.Contains(s, string(keys.session.Secret.Reveal())) {
		t.Fatal("an IssuedKey prints its secrets")
	}
}

func TestSealedSecretBoundToItsKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "identities.json")
	k := testKeyring(t, 1)
	writeFixture(t, path, k)
	doc, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	a := doc.Accounts[0]
	// Give the root key the user key's sealed secret: it must not open.
	a.AccessKeys[0].SealedSecret, a.AccessKeys[1].SealedSecret = a.AccessKeys[1].SealedSecret, a.AccessKeys[0].SealedSecret
	if _, err := buildIndex(doc, k); err == nil || !strings.Contains(err.Error(), "cannot be unsealed") {
		t.Fatalf("swapped sealed secrets: %v", err)
	}
	// The session token in place of the session's secret.
	doc, _ = Load(path)
	s := doc.Accounts[0].Sessions[0]
	s.SealedSecret = s.SealedSessionToken
	if _, err := buildIndex(doc, k); err == nil {
		t.Fatal("a session token opened as a secret access key")
	}
}

func TestWrongRootKeyFailsClearly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "identities.json")
	keys := writeFixture(t, path, testKeyring(t, 1))
	before, _ := os.ReadFile(path)
	other := testKeyring(t, 2)
	_, err := OpenFile(path, other, clock.NewManual(testNow), nil)
	if err == nil || !strings.Contains(err.Error(), "sealed under another root key") || !errors.Is(err, seal.ErrWrongRootKey) {
		t.Fatalf("OpenFile with the wrong root key: %v", err)
	}
	if strings.Contains(err.Error(), string(keys.root.Secret.Reveal())) {
		t.Fatal("the error holds a secret")
	}
	// An edit under the wrong key is refused and changes nothing: new
	// secrets sealed under it would make the file unloadable.
	err = Edit(path, other, EditOptions{}, func(d *Document) error {
		_, err := d.AddAccount("", "", nil)
		return err
	})
	if !errors.Is(err, seal.ErrWrongRootKey) {
		t.Fatalf("Edit with the wrong root key: %v", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("a refused edit changed the file")
	}
}

func TestEditFailureLeavesFileUnchanged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "identities.json")
	k := testKeyring(t, 1)
	writeFixture(t, path, k)
	before, _ := os.ReadFile(path)
	err := Edit(path, k, EditOptions{}, func(d *Document) error {
		a, _ := d.MustAccount("444455556666")
		if _, err := a.AddUser("bob", "", Issuer{Sealer: k, Now: testNow}); err != nil {
			return err
		}
		_, err := a.AddUser("ALICE", "", Issuer{Sealer: k, Now: testNow}) // IAM names ignore case
		return err
	})
	if !errors.Is(err, ErrAlreadyExists) {
		t.Fatalf("duplicate user: %v", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("a failed edit changed the file")
	}
	if err := Edit(filepath.Join(t.TempDir(), "none.json"), k, EditOptions{}, func(*Document) error { return nil }); !errors.Is(err, ErrNoFile) {
		t.Fatalf("edit of a missing file without Create: %v", err)
	}
}

// Concurrent edits (as from several trent subcommands at once) lose
// nothing: the lock serialises them.
func TestConcurrentEditsLoseNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "identities.json")
	k := testKeyring(t, 1)
	writeFixture(t, path, k)
	const n = 12
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			errs <- Edit(path, k, EditOptions{}, func(d *Document) error {
				a, _ := d.MustAccount("444455556666")
				_, err := a.AddUser(fmt.Sprintf("user%d", i), "", Issuer{Sealer: k, Now: testNow})
				return err
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	doc, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(doc.Accounts[0].Users); got != n+1 {
		t.Fatalf("%d users after %d concurrent adds, want %d", got, n, n+1)
	}
}

// syncBuffer is a log sink the reload goroutine writes while the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Run reloads a changed file on the clock's tick; a corrupt or wrongly
// sealed version keeps the previous state and is reported once, without
// secrets; a good version after it is picked up.
func TestReloadOnChange(t *testing.T) {
	path := filepath.Join(t.TempDir(), "identities.json")
	k := testKeyring(t, 1)
	keys := writeFixture(t, path, k)
	clk := clock.NewManual(testNow)
	logs := &syncBuffer{}
	f, err := OpenFile(path, k, clk, slog.New(slog.NewJSONHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); f.Run(ctx) }()
	defer func() { cancel(); <-done }()
	if !clk.WaitForTickers(1, done) {
		t.Fatal("Run did not start its ticker")
	}
	tick := func() { clk.Advance(ReloadInterval) }
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for range 500 {
			if cond() {
				return
			}
			tick()
			time.Sleep(5 * time.Millisecond)
		}
		t.Fatalf("timed out waiting for %s; log:\n%s", what, logs)
	}

	// A new access key.
	var bob IssuedKey
	if err := Edit(path, k, EditOptions{}, func(d *Document) error {
		a, _ := d.MustAccount("444455556666")
		if _, err := a.AddUser("bob", "", Issuer{Sealer: k, Now: testNow}); err != nil {
			return err
		}
		bob, err = d.CreateAccessKey(a, "bob", Issuer{Sealer: k, Now: testNow})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	waitFor("the new key", func() bool { _, ok := f.Lookup(bob.AccessKeyID); return ok })

	// A corrupt file: the old state stays.
	good, _ := os.ReadFile(path)
	if err := os.WriteFile(path+".new", good[:len(good)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".new", path); err != nil {
		t.Fatal(err)
	}
	waitFor("the warning", func() bool { return strings.Contains(logs.String(), "cannot be loaded") })
	if _, ok := f.Lookup(bob.AccessKeyID); !ok {
		t.Fatal("a corrupt file dropped the loaded keys")
	}
	if _, ok := f.Lookup(keys.root.AccessKeyID); !ok {
		t.Fatal("a corrupt file dropped the loaded keys")
	}

	// A file sealed under another root key: also refused, also kept.
	other := filepath.Join(t.TempDir(), "other.json")
	writeFixture(t, other, testKeyring(t, 9))
	otherBytes, _ := os.ReadFile(other)
	if err := os.WriteFile(path+".new", otherBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".new", path); err != nil {
		t.Fatal(err)
	}
	waitFor("the root key warning", func() bool { return strings.Contains(logs.String(), "another root key") })
	if _, ok := f.Lookup(bob.AccessKeyID); !ok {
		t.Fatal("a wrongly sealed file dropped the loaded keys")
	}
	if strings.Count(logs.String(), "cannot be loaded") != 2 {
		t.Fatalf("each bad version should be reported once; log:\n%s", logs)
	}

	// The good file back: loaded again.
	if err := os.WriteFile(path+".new", good, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".new", path); err != nil {
		t.Fatal(err)
	}
	waitFor("reload of the good file", func() bool { return strings.Count(logs.String(), "reloaded the identities file") >= 2 })

	for _, s := range []IssuedKey{keys.root, keys.alice, keys.session, bob} {
		if strings.Contains(logs.String(), string(s.Secret.Reveal())) {
			t.Fatal("the log holds a secret")
		}
	}
}

// Lookup runs concurrently with reloads (go test -race checks the
// hand-over).
func TestLookupDuringReload(t *testing.T) {
	f, keys, path, k := openFixture(t)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if c, ok := f.Lookup(keys.alice.AccessKeyID); !ok || c.Caller.Type != TypeIAMUser {
					t.Error("alice's key vanished during a reload")
					return
				}
				f.PrincipalExists("arn:aws:iam::444455556666:root")
			}
		})
	}
	for i := range 20 {
		if err := Edit(path, k, EditOptions{}, func(d *Document) error {
			a, _ := d.MustAccount("444455556666")
			_, err := a.AddRole(fmt.Sprintf("r%d", i), Issuer{Sealer: k, Now: testNow})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if !f.Reload() {
			t.Fatalf("edit %d was not reloaded", i)
		}
	}
	close(stop)
	wg.Wait()
	if !f.PrincipalExists("arn:aws:iam::444455556666:role/r19") {
		t.Fatal("the last role is not there")
	}
}

func TestDevFallback(t *testing.T) {
	f, keys, _, _ := openFixture(t)
	r := DevFallback{File: f, Dev: Dev{DefaultAccount: "111122223333"}}
	if c, ok := r.Lookup(keys.alice.AccessKeyID); !ok || c.Caller.Type != TypeIAMUser {
		t.Fatalf("a known key did not resolve to its user: %+v", c.Caller)
	}
	if c, ok := r.Lookup("test"); !ok || c.Caller.ARN != "arn:aws:iam::111122223333:root" {
		t.Fatalf("an unknown key did not fall back to dev: %+v", c.Caller)
	}
	if !r.AccountExists("999988887777") || !r.PrincipalExists("arn:aws:iam::999988887777:user/x") {
		t.Fatal("dev mode should accept any account and principal")
	}
}

func TestSecretShapes(t *testing.T) {
	for range 50 {
		id, _ := NewLongTermKeyID(nil)
		tmp, _ := NewTemporaryKeyID(nil)
		u, _ := NewUserID(nil)
		r, _ := NewRoleID(nil)
		acct, _ := NewAccountID(nil)
		sk, _ := NewSecretAccessKey(nil)
		tok, _ := NewSessionToken(nil)
		if !IsLongTermKeyID(id) || !IsTemporaryKeyID(tmp) || !userID.MatchString(u) || !roleID.MatchString(r) || !IsAccountID(acct) {
			t.Fatalf("IDs %s %s %s %s %s", id, tmp, u, r, acct)
		}
		if raw, err := base64.StdEncoding.DecodeString(sk); err != nil || len(sk) != 40 || len(raw) != 30 {
			t.Fatalf("secret access key of %d characters", len(sk))
		}
		if len(tok) < 200 {
			t.Fatalf("session token of %d characters", len(tok))
		}
	}
}
