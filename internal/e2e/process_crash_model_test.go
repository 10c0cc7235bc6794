package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
)

// The crash test's workload. Each worker owns its keys and runs random
// writes on them, one at a time, choosing only writes the model says the
// key's state allows (so any refusal is a failure). It records every write
// the server acknowledged; the one write in flight when the server died may
// or may not have been committed, and verify accepts either outcome for it.

const (
	// crashMaxOps bounds a worker's loop in one cycle; the crash ends it
	// long before.
	crashMaxOps = 100000
	// crashOpTimeout bounds one request; a dead server refuses at once.
	crashOpTimeout = 20 * time.Second
)

type ackCipher struct {
	blob, plaintext []byte
	context         map[string]string
	dataKey         bool
}

// ackKey is what the server acknowledged about one key.
type ackKey struct {
	id, arn  string
	state    types.KeyState
	rotation bool
	tags     map[string]string
	aliases  []string
	ciphers  []ackCipher
}

// inFlight is a write sent but not acknowledged.
type inFlight struct {
	op               string
	key              *ackKey        // nil for CreateKey
	state            types.KeyState // the state the write sets, if it sets one
	alias            string
	tagKey, tagValue string
}

type crashWorker struct {
	id       int
	rng      *rand.Rand
	keys     []*ackKey
	seq      int
	pending  *inFlight
	counts   map[string]int    // acknowledged writes in this cycle, by operation
	requests map[string]string // request ID -> operation, every acknowledged write
	// readsAt holds when this cycle's acknowledged Encrypts and
	// GenerateDataKeys were acknowledged: their audit records may be
	// batched for up to audit.WriteDelay, so the ones acknowledged just
	// before the kill move to unsure (settleReads).
	readsAt map[string]time.Time
	// unsure are acknowledged reads whose records a crash may have lost:
	// request ID -> operation.
	unsure map[string]string
	// committed are the writes in flight at a crash that turned out to be
	// committed: their response never came, but their record must exist.
	committed []*inFlight
}

func newCrashWorker(id int, seed uint64) *crashWorker {
	return &crashWorker{id: id, rng: rand.New(rand.NewPCG(seed, uint64(id)+1)), requests: map[string]string{}, unsure: map[string]string{}}
}

func (w *crashWorker) resetCounts() { w.counts, w.readsAt = map[string]int{}, map[string]time.Time{} }

// crashReadGrace is how long before the kill a read must have been
// acknowledged for its record to be required: the server writes batched
// records within audit.WriteDelay (10 ms); the rest is room for a loaded
// machine's scheduling.
const crashReadGrace = 250 * time.Millisecond

// settleReads moves the reads acknowledged within crashReadGrace of the
// kill at killedAt from requests to unsure, and returns how many.
func (w *crashWorker) settleReads(killedAt time.Time) int {
	n := 0
	for id, at := range w.readsAt {
		if killedAt.Sub(at) < crashReadGrace {
			w.unsure[id] = w.requests[id]
			delete(w.requests, id)
			n++
		}
	}
	return n
}

// run writes until the server dies. An error before the kill, or any error
// the server sent (an API error), is a failure.
func (w *crashWorker) run(t *testing.T, c *kms.Client, killed *atomic.Bool) {
	for range crashMaxOps {
		err := w.step(c)
		if err == nil {
			continue
		}
		var ae smithy.APIError
		if errors.As(err, &ae) || !killed.Load() {
			t.Errorf("worker %d: %s failed while the server was up: %v", w.id, w.pending.op, err)
			if ae != nil {
				w.pending = nil // refused, so nothing was written
			}
		}
		return
	}
	t.Errorf("worker %d: %d operations and no crash", w.id, crashMaxOps)
}

func (w *crashWorker) step(c *kms.Client) error {
	ctx, cancel := context.WithTimeout(context.Background(), crashOpTimeout)
	defer cancel()
	w.seq++
	enabled := w.keysIn(types.KeyStateEnabled)
	changeable := w.keysIn(types.KeyStateEnabled, types.KeyStateDisabled)
	switch r := w.rng.IntN(100); {
	case len(enabled) == 0 || r < 12:
		return w.createKey(ctx, c)
	case r < 40:
		return w.encrypt(ctx, c, w.pick(enabled), false)
	case r < 58:
		return w.encrypt(ctx, c, w.pick(enabled), true)
	case r < 68:
		k := w.pick(changeable)
		alias := fmt.Sprintf("alias/crash/w%d-%d", w.id, w.seq)
		w.pending = &inFlight{op: "CreateAlias", key: k, alias: alias}
		out, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: &alias, TargetKeyId: &k.id})
		if err == nil {
			k.aliases = append(k.aliases, alias)
			w.ack(out.ResultMetadata)
		}
		return err
	case r < 80:
		k := w.pick(changeable)
		key, value := "t"+strconv.Itoa(w.rng.IntN(4)), "v"+strconv.Itoa(w.seq)
		w.pending = &inFlight{op: "TagResource", key: k, tagKey: key, tagValue: value}
		out, err := c.TagResource(ctx, &kms.TagResourceInput{KeyId: &k.arn, Tags: []types.Tag{{TagKey: &key, TagValue: &value}}})
		if err == nil {
			k.tags[key] = value
			w.ack(out.ResultMetadata)
		}
		return err
	case r < 87:
		k := w.pick(enabled)
		w.pending = &inFlight{op: "EnableKeyRotation", key: k}
		out, err := c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: &k.id})
		if err == nil {
			k.rotation = true
			w.ack(out.ResultMetadata)
		}
		return err
	case r < 94:
		k := w.pick(enabled)
		w.pending = &inFlight{op: "DisableKey", key: k, state: types.KeyStateDisabled}
		out, err := c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: &k.id})
		if err == nil {
			k.state = types.KeyStateDisabled
			w.ack(out.ResultMetadata)
		}
		return err
	default:
		k := w.pick(changeable)
		w.pending = &inFlight{op: "ScheduleKeyDeletion", key: k, state: types.KeyStatePendingDeletion}
		out, err := c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: &k.id, PendingWindowInDays: aws.Int32(int32(7 + w.rng.IntN(24)))})
		if err == nil {
			k.state = types.KeyStatePendingDeletion
			w.ack(out.ResultMetadata)
		}
		return err
	}
}

func (w *crashWorker) createKey(ctx context.Context, c *kms.Client) error {
	w.pending = &inFlight{op: "CreateKey"}
	owner := "w" + strconv.Itoa(w.id)
	out, err := c.CreateKey(ctx, &kms.CreateKeyInput{
		Description: aws.String(fmt.Sprintf("crash test worker %d #%d", w.id, w.seq)),
		Tags:        []types.Tag{{TagKey: aws.String("owner"), TagValue: &owner}},
	})
	if err != nil {
		return err
	}
	md := out.KeyMetadata
	w.keys = append(w.keys, &ackKey{id: *md.KeyId, arn: *md.Arn, state: types.KeyStateEnabled, tags: map[string]string{"owner": owner}})
	w.ack(out.ResultMetadata)
	return nil
}

// encrypt runs Encrypt, or GenerateDataKey if dataKey, naming the key by an
// alias when it has one, so the aliases are used as well as stored.
func (w *crashWorker) encrypt(ctx context.Context, c *kms.Client, k *ackKey, dataKey bool) error {
	keyID := k.id
	if len(k.aliases) > 0 && w.rng.IntN(2) == 0 {
		keyID = k.aliases[w.rng.IntN(len(k.aliases))]
	}
	ec := map[string]string{"worker": strconv.Itoa(w.id), "seq": strconv.Itoa(w.seq)}
	if dataKey {
		w.pending = &inFlight{op: "GenerateDataKey", key: k}
		out, err := c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: &keyID, KeySpec: types.DataKeySpecAes256, EncryptionContext: ec})
		if err != nil {
			return err
		}
		k.ciphers = append(k.ciphers, ackCipher{blob: out.CiphertextBlob, plaintext: out.Plaintext, context: ec, dataKey: true})
		w.ack(out.ResultMetadata)
		return nil
	}
	plaintext := make([]byte, 1+w.rng.IntN(64))
	for i := range plaintext {
		plaintext[i] = byte(w.rng.Uint32())
	}
	w.pending = &inFlight{op: "Encrypt", key: k}
	out, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: &keyID, Plaintext: plaintext, EncryptionContext: ec})
	if err != nil {
		return err
	}
	k.ciphers = append(k.ciphers, ackCipher{blob: out.CiphertextBlob, plaintext: plaintext, context: ec})
	w.ack(out.ResultMetadata)
	return nil
}

func (w *crashWorker) ack(md middleware.Metadata) {
	id, ok := awsmiddleware.GetRequestIDMetadata(md)
	if !ok {
		id = "(no request ID) " + w.pending.op
	}
	w.requests[id] = w.pending.op
	if op := w.pending.op; op == "Encrypt" || op == "GenerateDataKey" {
		w.readsAt[id] = time.Now()
	}
	w.counts[w.pending.op]++
	w.pending = nil
}

func (w *crashWorker) keysIn(states ...types.KeyState) []*ackKey {
	var out []*ackKey
	for _, k := range w.keys {
		for _, s := range states {
			if k.state == s {
				out = append(out, k)
			}
		}
	}
	return out
}

func (w *crashWorker) pick(ks []*ackKey) *ackKey { return ks[w.rng.IntN(len(ks))] }

// crashVerified counts what a verification checked.
type crashVerified struct{ keys, aliases, ciphertexts, dataKeys, adopted int }

func (s *crashVerified) add(o crashVerified) {
	s.keys += o.keys
	s.aliases += o.aliases
	s.ciphertexts += o.ciphertexts
	s.dataKeys += o.dataKeys
	s.adopted += o.adopted
}

// verify checks every acknowledged write of the worker. Where the write in
// flight at the crash was committed after all, the model adopts it. To
// decrypt, it enables keys that hold ciphertexts (cancelling their deletion
// first); those writes are acknowledged too, and checked after the next
// crash.
func (w *crashWorker) verify(t *testing.T, c *kms.Client) crashVerified {
	var v crashVerified
	p := w.pending
	w.pending = nil
	w.resetCounts()
	for _, k := range w.keys {
		var mine *inFlight
		if p != nil && p.key == k {
			mine = p
		}
		w.verifyKey(t, c, k, mine, &v)
	}
	return v
}

func (w *crashWorker) verifyKey(t *testing.T, c *kms.Client, k *ackKey, mine *inFlight, v *crashVerified) {
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &k.id})
	if err != nil {
		t.Errorf("acknowledged key %s is gone: %v", k.id, err)
		return
	}
	v.keys++
	if got := d.KeyMetadata.KeyState; got != k.state {
		if mine != nil && mine.state == got {
			v.adopted++
			w.committed = append(w.committed, mine)
		} else {
			t.Errorf("key %s: state %s, acknowledged %s", k.id, got, k.state)
		}
		k.state = got
	}
	if d.KeyMetadata.Enabled != (k.state == types.KeyStateEnabled) {
		t.Errorf("key %s: Enabled %v in state %s", k.id, d.KeyMetadata.Enabled, k.state)
	}
	// A key pending deletion reports rotation off whatever its
	// configuration (API Reference, GetKeyRotationStatus).
	pending := k.state == types.KeyStatePendingDeletion
	if rot, err := c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: &k.id}); err != nil {
		t.Errorf("key %s: GetKeyRotationStatus: %v", k.id, err)
	} else if rot.KeyRotationEnabled != (k.rotation && !pending) {
		if mine != nil && mine.op == "EnableKeyRotation" && rot.KeyRotationEnabled {
			v.adopted++
			w.committed = append(w.committed, mine)
			k.rotation = true
		} else {
			t.Errorf("key %s: rotation %v in state %s, acknowledged %v", k.id, rot.KeyRotationEnabled, k.state, k.rotation)
		}
	}
	if out, err := c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: &k.id}); err != nil {
		t.Errorf("key %s: ListResourceTags: %v", k.id, err)
	} else {
		got := map[string]string{}
		for _, tag := range out.Tags {
			got[*tag.TagKey] = *tag.TagValue
		}
		if !maps.Equal(got, k.tags) {
			want := maps.Clone(k.tags)
			if mine != nil && mine.op == "TagResource" {
				want[mine.tagKey] = mine.tagValue
			}
			if maps.Equal(got, want) {
				v.adopted++
				w.committed = append(w.committed, mine)
			} else {
				t.Errorf("key %s: tags %v, acknowledged %v", k.id, got, k.tags)
			}
			k.tags = got
		}
	}
	for _, alias := range k.aliases {
		if d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(alias)}); err != nil || *d.KeyMetadata.KeyId != k.id {
			t.Errorf("acknowledged %s -> %s does not resolve: %v", alias, k.id, err)
		}
		v.aliases++
	}
	if mine != nil && mine.alias != "" {
		d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &mine.alias})
		var ae smithy.APIError
		switch {
		case err == nil && *d.KeyMetadata.KeyId == k.id:
			k.aliases = append(k.aliases, mine.alias)
			v.adopted++
			w.committed = append(w.committed, mine)
		case err == nil || !errors.As(err, &ae) || ae.ErrorCode() != "NotFoundException":
			t.Errorf("in-flight %s -> %s: %v %v", mine.alias, k.id, d, err)
		}
	}
	if len(k.ciphers) > 0 {
		w.decryptAll(t, c, k, v)
	}
}

func (w *crashWorker) decryptAll(t *testing.T, c *kms.Client, k *ackKey, v *crashVerified) {
	if k.state == types.KeyStatePendingDeletion {
		w.pending = &inFlight{op: "CancelKeyDeletion"}
		out, err := c.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: &k.id})
		if err != nil {
			t.Errorf("key %s: CancelKeyDeletion: %v", k.id, err)
			return
		}
		w.ack(out.ResultMetadata)
		k.state = types.KeyStateDisabled
	}
	if k.state == types.KeyStateDisabled {
		w.pending = &inFlight{op: "EnableKey"}
		out, err := c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: &k.id})
		if err != nil {
			t.Errorf("key %s: EnableKey: %v", k.id, err)
			return
		}
		w.ack(out.ResultMetadata)
		k.state = types.KeyStateEnabled
	}
	for _, ac := range k.ciphers {
		out, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ac.blob, EncryptionContext: ac.context})
		switch {
		case err != nil:
			t.Errorf("key %s: acknowledged ciphertext does not decrypt: %v", k.id, err)
		case !bytes.Equal(out.Plaintext, ac.plaintext) || aws.ToString(out.KeyId) != k.arn:
			t.Errorf("key %s: ciphertext decrypts to %x under %s, want %x", k.id, out.Plaintext, aws.ToString(out.KeyId), ac.plaintext)
		case ac.dataKey:
			v.dataKeys++
		default:
			v.ciphertexts++
		}
	}
}
