package e2e

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/trent-kms/trent/internal/server"
)

// Several nodes on one etcd store (distributed mode): what one node
// commits, every other node honours within the consistency bound: its
// watch-fed cache usually has it within milliseconds, and a node whose
// cache cannot confirm that it is that fresh reads etcd instead
// (store/etcd/freshness.go). With the caches off (a bound of zero), every
// request reads etcd, and the very next request honours the change.

// TestClusterKeyCreatedOnOneNodeServesOnAll: a key created on A encrypts
// on B and decrypts on C and A.
func TestClusterKeyCreatedOnOneNodeServesOnAll(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 3, nil)
	a, b, cc := c.nodes[0].kms(), c.nodes[1].kms(), c.nodes[2].kms()
	key := createSymmetricKey(t, a, nil)
	var blob []byte
	withinBound(t, c.bound, func() (err error) {
		out, err := b.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyId, Plaintext: []byte("across nodes")})
		if err == nil {
			blob = out.CiphertextBlob
		}
		return err
	})
	withinBound(t, c.bound, func() error {
		_, err := cc.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob})
		return err
	})
	decryptsTo(t, cc, blob, []byte("across nodes"))
	decryptsTo(t, a, blob, []byte("across nodes"))
	wantKeyState(t, cc, *key.KeyId, types.KeyStateEnabled)
}

// TestClusterChangesAreHonouredWithinTheBound: each change acknowledged by
// one node is honoured by another node that used the key just before (its
// caches are warm): within the default bound with the caches on, and by
// the very next request with them off.
func TestClusterChangesAreHonouredWithinTheBound(t *testing.T) {
	t.Parallel()
	for _, bound := range []time.Duration{defaultBound, 0} {
		t.Run(fmt.Sprintf("bound=%s", bound), func(t *testing.T) {
			t.Parallel()
			changesAreHonoured(t, bound)
		})
	}
}

func changesAreHonoured(t *testing.T, bound time.Duration) {
	bobARN := "arn:aws:iam::" + testAccount + ":user/bob"
	c := startClusterWith(t, 3, principals{"AKIABOB": iamUser(testAccount, "bob")}, bound)
	nodeA, nodeB, nodeC := c.nodes[0], c.nodes[1], c.nodes[2]
	a, b, cc := nodeA.kms(), nodeB.kms(), nodeC.kms()
	// refused checks that the request fails with code.
	refused := func(code string, request func() error) {
		t.Helper()
		withinBound(t, bound, func() error { return failsWith(request(), code) })
	}
	// works checks that the request succeeds.
	works := func(request func() error) {
		t.Helper()
		withinBound(t, bound, request)
	}
	encrypt := func(c *kms.Client, key *string) func() error {
		return func() error {
			_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: key, Plaintext: []byte("x")})
			return err
		}
	}
	decrypt := func(c *kms.Client, blob []byte) func() error {
		return func() error {
			_, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob})
			return err
		}
	}

	t.Run("DisableKey", func(t *testing.T) {
		key := createSymmetricKey(t, a, nil)
		works(encrypt(cc, key.KeyId))
		must[*kms.DisableKeyOutput](t)(b.DisableKey(ctx, &kms.DisableKeyInput{KeyId: key.KeyId}))
		refused("DisabledException", encrypt(cc, key.KeyId))
		must[*kms.EnableKeyOutput](t)(a.EnableKey(ctx, &kms.EnableKeyInput{KeyId: key.KeyId}))
		works(encrypt(cc, key.KeyId))
	})
	t.Run("ScheduleKeyDeletion", func(t *testing.T) {
		key := createSymmetricKey(t, a, nil)
		works(encrypt(b, key.KeyId))
		blob := encryptUnder(t, a, *key.KeyId, []byte("warm"), nil)
		works(decrypt(cc, blob))
		must[*kms.ScheduleKeyDeletionOutput](t)(a.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: key.KeyId, PendingWindowInDays: aws.Int32(7)}))
		refused("KMSInvalidStateException", encrypt(b, key.KeyId))
		refused("KMSInvalidStateException", decrypt(cc, blob))
	})
	t.Run("DeleteImportedKeyMaterial", func(t *testing.T) {
		md := createExternalKey(t, a, "", "")
		mustImport(t, nodeA, *md.KeyId, randomBytes(32), oaep256)
		works(encrypt(cc, md.KeyId))
		blob := encryptUnder(t, a, *md.KeyId, []byte("warm"), nil)
		must[*kms.DeleteImportedKeyMaterialOutput](t)(b.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: md.KeyId}))
		refused("KMSInvalidStateException", encrypt(cc, md.KeyId))
		refused("KMSInvalidStateException", decrypt(a, blob))
	})
	t.Run("PutKeyPolicy", func(t *testing.T) {
		key := createSymmetricKey(t, a, nil)
		blob := encryptUnder(t, a, *key.KeyId, []byte("warm"), nil)
		works(decrypt(cc, blob))
		works(encrypt(cc, key.KeyId))
		deny := `{"Sid":"NoEncrypt","Effect":"Deny","Principal":{"AWS":"*"},"Action":"kms:Encrypt","Resource":"*"}`
		must[*kms.PutKeyPolicyOutput](t)(a.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: key.KeyId, Policy: aws.String(keyPolicy(deny))}))
		refused("AccessDeniedException", encrypt(cc, key.KeyId))
		// The policy denies Encrypt only.
		works(decrypt(b, blob))
	})
	t.Run("RevokeGrant", func(t *testing.T) {
		key := createSymmetricKey(t, a, nil)
		grant := must[*kms.CreateGrantOutput](t)(a.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: key.KeyId, GranteePrincipal: aws.String(bobARN),
			Operations: []types.GrantOperation{types.GrantOperationEncrypt}}))
		bobOnC := nodeC.as("AKIABOB")
		works(encrypt(bobOnC, key.KeyId))
		must[*kms.RevokeGrantOutput](t)(b.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: key.KeyId, GrantId: grant.GrantId}))
		refused("AccessDeniedException", encrypt(bobOnC, key.KeyId))
	})
	t.Run("Rotation", func(t *testing.T) {
		key := createSymmetricKey(t, a, nil)
		oldMaterial := aws.ToString(key.CurrentKeyMaterialId)
		works(encrypt(cc, key.KeyId))
		old := encryptUnder(t, a, *key.KeyId, []byte("before"), nil)
		must[*kms.RotateKeyOnDemandOutput](t)(a.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: key.KeyId}))
		c.clock.Advance(time.Second)
		nodeA.runDue()
		var newMaterial string
		withinBound(t, bound, func() error {
			md, err := b.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: key.KeyId})
			if err != nil {
				return err
			}
			if newMaterial = aws.ToString(md.KeyMetadata.CurrentKeyMaterialId); newMaterial == "" || newMaterial == oldMaterial {
				return fmt.Errorf("after rotation node B sees current material %q, want one other than %q", newMaterial, oldMaterial)
			}
			return nil
		})
		fresh := encryptUnder(t, b, *key.KeyId, []byte("after"), nil)
		withinBound(t, bound, decrypt(cc, fresh))
		if got := decryptMaterial(t, cc, fresh, "after"); got != newMaterial {
			t.Errorf("a ciphertext made on B after the rotation used material %s, want the new %s", got, newMaterial)
		}
		if got := decryptMaterial(t, b, old, "before"); got != oldMaterial {
			t.Errorf("the old ciphertext decrypted with material %s, want %s", got, oldMaterial)
		}
	})
}

// decryptMaterial decrypts blob, checks the plaintext and returns the
// KeyMaterialId that decrypted it.
func decryptMaterial(t *testing.T, c *kms.Client, blob []byte, want string) string {
	t.Helper()
	out := must[*kms.DecryptOutput](t)(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob}))
	if string(out.Plaintext) != want {
		t.Fatalf("decrypted %q, want %q", out.Plaintext, want)
	}
	return aws.ToString(out.KeyMaterialId)
}

// TestClusterConcurrentNamesHaveOneWinner: the same alias created at the
// same moment on three nodes, for three keys, exists once: one request
// succeeds and the others get AlreadyExistsException. The same named grant
// created on three nodes at once is one grant: CreateGrant with a Name is
// idempotent (the same parameters return the first grant's ID), across
// nodes as on one.
func TestClusterConcurrentNamesHaveOneWinner(t *testing.T) {
	t.Parallel()
	// The caches off: this test reads on one node what another just wrote.
	c := startClusterWith(t, 3, nil, 0)
	targets := make([]string, len(c.nodes))
	for i, n := range c.nodes {
		targets[i] = *createSymmetricKey(t, n.kms(), nil).KeyId
	}
	for round := range 5 {
		name := fmt.Sprintf("alias/race-%d", round)
		errs := concurrently(len(c.nodes), func(i int) error {
			_, err := c.nodes[i].kms().CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(name), TargetKeyId: aws.String(targets[i])})
			return err
		})
		winner := -1
		for i, err := range errs {
			if err == nil {
				if winner >= 0 {
					t.Fatalf("%s: nodes %d and %d both created it", name, winner, i)
				}
				winner = i
				continue
			}
			wantOwnError(t, err, "AlreadyExistsException")
		}
		if winner < 0 {
			t.Fatalf("%s: no node created it", name)
		}
		for _, n := range c.nodes {
			if got := *describeKeyMetadata(t, n.kms(), name).KeyId; got != targets[winner] {
				t.Errorf("%s names key %s on a node, want the winner's %s", name, got, targets[winner])
			}
		}
	}

	key := targets[0]
	for round := range 3 {
		name := fmt.Sprintf("race-%d", round)
		ids := make([]string, len(c.nodes))
		errs := concurrently(len(c.nodes), func(i int) error {
			out, err := c.nodes[i].kms().CreateGrant(ctx, &kms.CreateGrantInput{KeyId: aws.String(key), Name: aws.String(name),
				GranteePrincipal: aws.String("arn:aws:iam::" + testAccount + ":user/bob"), Operations: []types.GrantOperation{types.GrantOperationDecrypt}})
			if err == nil {
				ids[i] = *out.GrantId
			}
			return err
		})
		for i, err := range errs {
			if err != nil {
				t.Fatalf("grant %s on node %d: %v", name, i, err)
			}
			if ids[i] != ids[0] {
				t.Errorf("grant %s: node %d got grant %s, node 0 got %s; want one grant", name, i, ids[i], ids[0])
			}
		}
	}
	grants := must[*kms.ListGrantsOutput](t)(c.nodes[2].kms().ListGrants(ctx, &kms.ListGrantsInput{KeyId: aws.String(key)})).Grants
	if len(grants) != 3 {
		t.Errorf("%d grants on the key, want 3 (one per name)", len(grants))
	}
}

// concurrently runs fn(0..n-1) at once and returns their errors.
func concurrently(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			errs[i] = fn(i)
		}()
	}
	start.Done()
	done.Wait()
	return errs
}

// TestClusterNodeWithAnotherRootKeyRefusesToStart: the first node seals
// the root key check into the shared store; a node with another root key
// refuses to start, saying what to do, and --dev without a root key file
// is refused on etcd (each node would make its own key).
func TestClusterNodeWithAnotherRootKeyRefusesToStart(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 1, nil)
	createSymmetricKey(t, c.nodes[0].kms(), nil)
	_, err := c.open(1, newRootKeyFile(t))
	if err == nil || !strings.Contains(err.Error(), "every node must use the same root key file") {
		t.Fatalf("a node with another root key: %v, want a refusal naming the fix", err)
	}
	_, err = server.Open(c.config(2, ""))
	if err == nil || !strings.Contains(err.Error(), "the etcd store needs a root key file (--root-key-file or TRENT_ROOT_KEY_FILE), even with --dev") {
		t.Fatalf("--dev without a root key file on etcd: %v", err)
	}
	// A node with the right key still joins.
	second, err := c.open(1, c.rootKey)
	if err != nil {
		t.Fatal(err)
	}
	createSymmetricKey(t, second.kms(), nil)
}

// TestClusterAuditLogsHoldTheirNodesRequests: every node ships the records
// of the requests it served to its own audit log, while the others ship
// theirs from the same store: each log holds exactly its node's records,
// none twice, none missing, none of another node's.
func TestClusterAuditLogsHoldTheirNodesRequests(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 3, nil)
	served := make([]map[string]bool, len(c.nodes))
	note := func(i int, md middleware.Metadata) {
		served[i][sdkRequestID(t, md)] = true
	}
	for i := range served {
		served[i] = map[string]bool{}
	}
	var shared []string
	for round := range 4 {
		for i, n := range c.nodes {
			k := n.kms()
			created := must[*kms.CreateKeyOutput](t)(k.CreateKey(ctx, &kms.CreateKeyInput{}))
			note(i, created.ResultMetadata)
			shared = append(shared, *created.KeyMetadata.KeyId)
			// Changes and reads of keys other nodes created.
			other := shared[(len(shared)*7+i)%len(shared)]
			alias := must[*kms.CreateAliasOutput](t)(k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(fmt.Sprintf("alias/n%d-r%d", i, round)), TargetKeyId: aws.String(other)}))
			note(i, alias.ResultMetadata)
			tag := must[*kms.TagResourceOutput](t)(k.TagResource(ctx, &kms.TagResourceInput{KeyId: aws.String(other), Tags: []types.Tag{{TagKey: aws.String(fmt.Sprint("n", i)), TagValue: aws.String("x")}}}))
			note(i, tag.ResultMetadata)
			enc := must[*kms.EncryptOutput](t)(k.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(other), Plaintext: []byte("x")}))
			note(i, enc.ResultMetadata)
			// A node ships while the others have records waiting.
			if err := c.nodes[(i+round)%len(c.nodes)].node.ShipAudit(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i, n := range c.nodes {
		counts := map[string]int{}
		for _, r := range n.auditRecords() {
			counts[r.RequestID]++
		}
		for id, count := range counts {
			if !served[i][id] || count != 1 {
				t.Errorf("node %d's log holds request %q %d times; it served it: %v", i, id, count, served[i][id])
			}
		}
		for id := range served[i] {
			if counts[id] == 0 {
				t.Errorf("node %d's log misses request %s it served", i, id)
			}
		}
	}
}

// TestClusterLastUsageNeverGoesBack: node B used the key before node A
// but writes its usage after A did; the older use must not overwrite the
// newer one.
func TestClusterLastUsageNeverGoesBack(t *testing.T) {
	t.Parallel()
	// The caches off: this test reads on one node what another just wrote.
	c := startClusterWith(t, 3, nil, 0)
	a, b := c.nodes[0], c.nodes[1]
	key := createSymmetricKey(t, a.kms(), nil)
	must[*kms.EncryptOutput](t)(b.kms().Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyId, Plaintext: []byte("earlier")}))
	c.clock.Advance(time.Minute)
	later := must[*kms.EncryptOutput](t)(a.kms().Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyId, Plaintext: []byte("later")}))
	if err := a.node.Service().FlushUsage(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.node.Service().FlushUsage(ctx); err != nil {
		t.Fatal(err)
	}
	usage := must[*kms.GetKeyLastUsageOutput](t)(c.nodes[2].kms().GetKeyLastUsage(ctx, &kms.GetKeyLastUsageInput{KeyId: key.KeyId})).KeyLastUsage
	if usage == nil || !aws.ToTime(usage.Timestamp).Equal(c.clock.Now()) || aws.ToString(usage.KmsRequestId) != sdkRequestID(t, later.ResultMetadata) {
		t.Fatalf("last usage %+v, want node A's Encrypt at %s", usage, c.clock.Now())
	}
}
