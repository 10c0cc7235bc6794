package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/etcdutl/v3/snapshot"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"

	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/store/etcd/etcdtest"
)

// Backup and restore of a cluster (docs/cluster.md, "Backup and restore"):
// what an operator backs up is an etcd snapshot and, kept apart, the root
// key file; restored onto a new etcd, the snapshot with that root key file
// must give back every key, so every saved ciphertext, signature and MAC
// still checks out.

// backupPrefix is the key prefix of the backed-up cluster; the restored
// nodes must use the same one.
const backupPrefix = "trent/"

// backupContext is the encryption context of one saved ciphertext: it
// binds after the restore as before.
var backupContext = map[string]string{"purpose": "backup"}

// savedResults are what clients kept from the original cluster, to be
// checked against the restored one.
type savedResults struct {
	ciphertexts map[string][]byte // plaintext -> ciphertext blob
	signatures  []savedSignature
	macs        []savedMAC
	publicKey   []byte // the RSA signing key's public key, DER
}

type savedSignature struct {
	message, signature []byte
	alg                types.SigningAlgorithmSpec
}

type savedMAC struct {
	message, mac []byte
	alg          types.MacAlgorithmSpec
}

// TestClusterBackupRestoresOntoNewEtcd: two nodes on a fresh one-member
// etcd create keys of several kinds (symmetric rotated once, HMAC, RSA
// sign, EXTERNAL with imported material), aliases and a grant, and use
// them; an etcd snapshot is taken through the client API and restored with
// etcdutl's snapshot package into a new data directory, served by a new
// etcd on new ports. A new node with the same root key file on it decrypts
// every ciphertext, verifies every signature and MAC, resolves the aliases
// and honours the grant; a key created after the snapshot is absent; a
// node with another root key is refused.
func TestClusterBackupRestoresOntoNewEtcd(t *testing.T) {
	t.Parallel()
	bob := principals{"AKIABOB": iamUser(testAccount, "bob")}
	original := startEtcd(t)
	// No bound: the caches are off, so that what one node writes the
	// other reads at once (the caches are tested in cluster_test.go).
	c := &testCluster{t: t, etcd: original, prefix: backupPrefix, clock: clock.NewManual(testEpoch), ident: bob, rootKey: newRootKeyFile(t)}
	for i := range 2 {
		tn, err := c.open(i, c.rootKey)
		if err != nil {
			t.Fatalf("open node %d: %v", i, err)
		}
		c.nodes = append(c.nodes, tn)
	}
	a, b := c.nodes[0].kms(), c.nodes[1].kms()
	saved := savedResults{ciphertexts: map[string][]byte{}}

	// Symmetric, rotated: one ciphertext under each material.
	sym := createSymmetricKey(t, a, nil)
	saved.ciphertexts["before rotation"] = encryptUnder(t, b, *sym.KeyId, []byte("before rotation"), nil)
	must[*kms.RotateKeyOnDemandOutput](t)(a.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: sym.KeyId}))
	c.clock.Advance(time.Second)
	c.nodes[0].runDue()
	rotations := must[*kms.ListKeyRotationsOutput](t)(b.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: sym.KeyId})).Rotations
	if len(rotations) != 1 {
		t.Fatalf("%d rotations after RotateKeyOnDemand, want 1", len(rotations))
	}
	saved.ciphertexts["after rotation"] = encryptUnder(t, a, *sym.KeyId, []byte("after rotation"), nil)
	withContext := encryptUnder(t, a, *sym.KeyId, []byte("with context"), backupContext)
	createAlias(t, a, "alias/backup-sym", *sym.KeyId)

	// HMAC.
	hmac := createKeyOfType(t, b, types.KeySpecHmac256, types.KeyUsageTypeGenerateVerifyMac)
	for _, m := range []string{"mac one", "mac two"} {
		saved.macs = append(saved.macs, savedMAC{message: []byte(m), alg: types.MacAlgorithmSpecHmacSha256,
			mac: generateMac(t, a, *hmac.KeyId, types.MacAlgorithmSpecHmacSha256, []byte(m))})
	}

	// RSA signing, two algorithms.
	rsaKey := createKeyOfType(t, a, types.KeySpecRsa2048, types.KeyUsageTypeSignVerify)
	saved.publicKey = publicKeyDER(t, b, *rsaKey.KeyId)
	for _, alg := range []types.SigningAlgorithmSpec{types.SigningAlgorithmSpecRsassaPssSha256, types.SigningAlgorithmSpecRsassaPkcs1V15Sha256} {
		msg := []byte("signed with " + string(alg))
		saved.signatures = append(saved.signatures, savedSignature{message: msg, alg: alg,
			signature: mustSign(t, b, rsaKey, alg, types.MessageTypeRaw, msg)})
	}
	createAlias(t, b, "alias/backup-rsa", *rsaKey.KeyId)

	// EXTERNAL with imported material; a grant lets bob decrypt under it.
	ext := createExternalKey(t, a, "", "")
	mustImport(t, c.nodes[0], *ext.KeyId, randomBytes(32), oaep256)
	saved.ciphertexts["imported"] = encryptUnder(t, b, *ext.KeyId, []byte("imported"), nil)
	grant := must[*kms.CreateGrantOutput](t)(a.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: ext.KeyId, Name: aws.String("backup"),
		GranteePrincipal: aws.String("arn:aws:iam::" + testAccount + ":user/bob"),
		Operations:       []types.GrantOperation{types.GrantOperationDecrypt, types.GrantOperationEncrypt}}))
	decryptsTo(t, c.nodes[1].as("AKIABOB"), saved.ciphertexts["imported"], []byte("imported"))

	snapshotFile := saveSnapshot(t, original.ClientURLs[0])

	// A key created after the snapshot must not come back: the restored
	// etcd holds the snapshot, not a copy of the live store.
	late := createSymmetricKey(t, a, nil)

	restored := restoreSnapshot(t, snapshotFile)
	r := &testCluster{t: t, etcd: restored, prefix: backupPrefix, clock: c.clock, ident: bob}

	// A node with another root key is refused by the restored data.
	if _, err := r.open(0, newRootKeyFile(t)); err == nil || !strings.Contains(err.Error(), "every node must use the same root key file") {
		t.Fatalf("a node with another root key on the restored etcd: %v, want the root key refusal", err)
	}

	node, err := r.open(0, c.rootKey)
	if err != nil {
		t.Fatalf("a node with the cluster's root key on the restored etcd: %v", err)
	}
	rk := node.kms()

	for plaintext, blob := range saved.ciphertexts {
		decryptsTo(t, rk, blob, []byte(plaintext))
	}
	out := must[*kms.DecryptOutput](t)(rk.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: withContext, EncryptionContext: backupContext}))
	if string(out.Plaintext) != "with context" {
		t.Errorf("the ciphertext with an encryption context decrypted to %q", out.Plaintext)
	}
	// Without its context it is refused, as AWS refuses it (empty message).
	_, err = rk.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: withContext})
	apiError(t, err, "InvalidCiphertextException")
	if got := describeKeyMetadata(t, rk, *sym.KeyId).CurrentKeyMaterialId; aws.ToString(got) != aws.ToString(describeKeyMetadata(t, a, *sym.KeyId).CurrentKeyMaterialId) {
		t.Errorf("restored symmetric key's current material %s differs from the original's", aws.ToString(got))
	}
	if n := len(must[*kms.ListKeyRotationsOutput](t)(rk.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: sym.KeyId})).Rotations); n != 1 {
		t.Errorf("restored symmetric key lists %d rotations, want 1", n)
	}
	for _, s := range saved.macs {
		out := must[*kms.VerifyMacOutput](t)(rk.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: hmac.KeyId, MacAlgorithm: s.alg, Message: s.message, Mac: s.mac}))
		if !out.MacValid {
			t.Errorf("MAC of %q does not verify on the restored node", s.message)
		}
		if again := generateMac(t, rk, *hmac.KeyId, s.alg, s.message); !bytes.Equal(again, s.mac) {
			t.Errorf("restored HMAC key computes another MAC of %q: the material changed", s.message)
		}
	}
	for _, s := range saved.signatures {
		out := must[*kms.VerifyOutput](t)(rk.Verify(ctx, &kms.VerifyInput{KeyId: rsaKey.KeyId, Message: s.message, MessageType: types.MessageTypeRaw,
			Signature: s.signature, SigningAlgorithm: s.alg}))
		if !out.SignatureValid {
			t.Errorf("%s signature does not verify on the restored node", s.alg)
		}
		// Offline too, against the public key the original cluster gave.
		if err := offlineVerify(t, types.KeySpecRsa2048, s.alg, types.MessageTypeRaw, saved.publicKey, s.message, s.signature); err != nil {
			t.Errorf("%s signature does not verify with Go's crypto/rsa: %v", s.alg, err)
		}
	}
	if !bytes.Equal(publicKeyDER(t, rk, *rsaKey.KeyId), saved.publicKey) {
		t.Error("restored RSA key has another public key")
	}
	// A signature made after the restore verifies offline with the old public key.
	fresh := mustSign(t, rk, rsaKey, types.SigningAlgorithmSpecRsassaPssSha256, types.MessageTypeRaw, []byte("after restore"))
	if err := offlineVerify(t, types.KeySpecRsa2048, types.SigningAlgorithmSpecRsassaPssSha256, types.MessageTypeRaw, saved.publicKey, []byte("after restore"), fresh); err != nil {
		t.Errorf("a signature made after the restore does not verify with the original public key: %v", err)
	}

	for alias, target := range map[string]string{"alias/backup-sym": *sym.KeyId, "alias/backup-rsa": *rsaKey.KeyId} {
		if got := *describeKeyMetadata(t, rk, alias).KeyId; got != target {
			t.Errorf("restored %s names %s, want %s", alias, got, target)
		}
	}
	decryptsTo(t, rk, encryptUnder(t, rk, "alias/backup-sym", []byte("via alias"), nil), []byte("via alias"))

	grants := must[*kms.ListGrantsOutput](t)(rk.ListGrants(ctx, &kms.ListGrantsInput{KeyId: ext.KeyId})).Grants
	if len(grants) != 1 || aws.ToString(grants[0].GrantId) != aws.ToString(grant.GrantId) {
		t.Fatalf("restored grants on the imported key: %+v, want the one grant %s", grants, aws.ToString(grant.GrantId))
	}
	bobRestored := node.as("AKIABOB")
	decryptsTo(t, bobRestored, saved.ciphertexts["imported"], []byte("imported"))
	decryptsTo(t, rk, encryptUnder(t, bobRestored, *ext.KeyId, []byte("bob after restore"), nil), []byte("bob after restore"))
	// Without the grant bob has no access: the grant, not a default, lets him.
	if _, err := bobRestored.Encrypt(ctx, &kms.EncryptInput{KeyId: sym.KeyId, Plaintext: []byte("x")}); err == nil {
		t.Error("bob encrypted under a key he has no grant for on the restored node")
	} else {
		wantOwnError(t, err, "AccessDeniedException")
	}

	_, err = rk.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: late.KeyId})
	wantOwnError(t, err, "NotFoundException")
}

// startEtcd starts a one-member etcd of the test's own (stopped at the
// end), not the shared one: the test restores its snapshot elsewhere.
func startEtcd(t *testing.T) *etcdtest.Cluster {
	t.Helper()
	e, err := etcdtest.Start(1)
	if err != nil {
		t.Fatalf("start etcd: %v", err)
	}
	t.Cleanup(e.Stop)
	return e
}

// saveSnapshot takes a snapshot of the etcd at endpoint through the client
// API (what `etcdctl snapshot save` does) and returns the file's path.
func saveSnapshot(t *testing.T, endpoint string) string {
	t.Helper()
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{endpoint}, DialTimeout: 10 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	rc, err := cli.Snapshot(ctx)
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	defer rc.Close()
	path := filepath.Join(t.TempDir(), "trent.snapshot.db")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(f, rc); err != nil {
		f.Close()
		t.Fatalf("read the snapshot: %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// restoreSnapshot restores the snapshot into a new data directory with
// etcdutl's snapshot package (what `etcdutl snapshot restore` does),
// starts a new one-member etcd on it on new loopback ports, and returns
// it (stopped at the end of the test).
func restoreSnapshot(t *testing.T, snapshotFile string) *etcdtest.Cluster {
	t.Helper()
	ports, err := etcdtest.FreePorts(2)
	if err != nil {
		t.Fatal(err)
	}
	peer := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", ports[0])}
	client := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", ports[1])}
	const name, token = "restored0", "trent-restored"
	initial := name + "=" + peer.String()
	dir := t.TempDir()
	dataDir := filepath.Join(dir, name)
	err = snapshot.NewV3(zap.NewNop()).Restore(snapshot.RestoreConfig{
		SnapshotPath: snapshotFile, Name: name, OutputDataDir: dataDir,
		PeerURLs: []string{peer.String()}, InitialCluster: initial, InitialClusterToken: token,
	})
	if err != nil {
		t.Fatalf("restore the snapshot: %v", err)
	}
	cfg := embed.NewConfig()
	cfg.Name, cfg.Dir = name, dataDir
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{peer}, []url.URL{peer}
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{client}, []url.URL{client}
	cfg.InitialCluster, cfg.InitialClusterToken = initial, token
	cfg.LogOutputs = []string{filepath.Join(dir, name+".log")}
	cfg.ListenMetricsUrls = nil
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		t.Fatalf("start etcd on the restored data: %v", err)
	}
	restored := &etcdtest.Cluster{Dir: dir, Members: []*embed.Etcd{e}, ClientURLs: []string{client.String()}}
	t.Cleanup(func() { e.Close() })
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		t.Fatalf("etcd on the restored data: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("etcd on the restored data not ready within 60s")
	}
	return restored
}

// createAlias creates alias name for target.
func createAlias(t *testing.T, c *kms.Client, name, target string) {
	t.Helper()
	must[*kms.CreateAliasOutput](t)(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(name), TargetKeyId: aws.String(target)}))
}
