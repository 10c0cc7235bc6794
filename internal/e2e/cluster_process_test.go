package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/trent-kms/trent/internal/server"
	"github.com/trent-kms/trent/internal/store/etcd/etcdtest"
)

// TestClusterProcessesServeTheSameKeys: two `trent serve --store etcd`
// processes on the test's embedded etcd, each connected to another
// member, serve the same keys; a change on one is honoured by the other
// within the consistency bound. Each keeps its own node ID and audit log in its data
// directory and nothing of the store. A third process with another root
// key, and one with --dev but no root key file, refuse to start.
func TestClusterProcessesServeTheSameKeys(t *testing.T) {
	t.Parallel()
	cluster := clusterEtcd.Get(t)
	rootKey := newRootKeyFile(t)
	prefix := etcdtest.NewPrefix()
	// args are the settings of a process on member with root key file key
	// (none if "").
	args := func(member int, key string) []string {
		a := []string{"--store", "etcd", "--etcd-endpoints", cluster.ClientURLs[member], "--etcd-prefix", prefix}
		if key != "" {
			a = append(a, "--root-key-file", key)
		}
		return a
	}
	dirs := []string{t.TempDir(), t.TempDir()}
	p1 := serveTrent(t, dirs[0], args(0, rootKey)...)
	p2 := serveTrent(t, dirs[1], args(1, rootKey)...)

	key := createSymmetricKey(t, p1.kms(), nil)
	blob := encryptUnder(t, p1.kms(), *key.KeyId, []byte("two processes"), nil)
	// Each process serves reads from its cache, at most the default
	// --consistency-bound stale.
	withinBound(t, defaultBound, func() error {
		_, err := p2.kms().Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob})
		return err
	})
	decryptsTo(t, p2.kms(), blob, []byte("two processes"))
	must[*kms.DisableKeyOutput](t)(p2.kms().DisableKey(ctx, &kms.DisableKeyInput{KeyId: key.KeyId}))
	withinBound(t, defaultBound, func() error {
		_, err := p1.kms().Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyId, Plaintext: []byte("x")})
		return failsWith(err, "DisabledException")
	})

	ids := map[string]bool{}
	for _, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, server.DataFileName)); err == nil {
			t.Errorf("%s holds an embedded store; with --store etcd it should not", dir)
		}
		id, err := os.ReadFile(filepath.Join(dir, server.NodeIDFileName))
		if err != nil {
			t.Fatal(err)
		}
		ids[strings.TrimSpace(string(id))] = true
	}
	if len(ids) != 2 {
		t.Errorf("the two processes have node IDs %v, want two different ones", ids)
	}

	code, log := runTrentToExit(t, nil, append([]string{"--dev", "--listen", "127.0.0.1:0", "--data-dir", t.TempDir()}, args(2, newRootKeyFile(t))...)...)
	wantStartupError(t, code, log, "every node must use the same root key file")
	code, log = runTrentToExit(t, nil, append([]string{"--dev", "--listen", "127.0.0.1:0", "--data-dir", t.TempDir()}, args(2, "")...)...)
	wantStartupError(t, code, log, "the etcd store needs a root key file (--root-key-file or TRENT_ROOT_KEY_FILE), even with --dev")
}
