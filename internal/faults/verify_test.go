package faults

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// After the faults are healed: what every failure test proves, through the
// SDK, against the healed cluster.

// healWithin bounds how long the healed cluster may take to serve again.
const healWithin = 60 * time.Second

// verify waits until every node serves every key, then checks the aliases,
// the grants, the ciphertexts and the key-state history.
func (w *workload) verify(t *testing.T) {
	t.Helper()
	w.summary(t)
	healed := time.Now()
	for _, n := range w.c.nodes {
		for _, id := range w.keyIDs {
			err := eventually(healWithin, func() error {
				_, err := n.patient.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: &id})
				return err
			})
			if err != nil {
				t.Fatalf("node %s does not serve key %s %s after the faults were healed: %v", n.name, id, healWithin, err)
			}
		}
	}
	t.Logf("every node serves every key %.2fs after the workload stopped", time.Since(healed).Seconds())
	// Every node's cache now holds every write acknowledged before this.
	time.Sleep(readStaleness)
	w.verifyAliases(t)
	w.verifyGrants(t)
	w.verifyCiphertexts(t)
	if err := checkHistory(t, w.calls, w.ended+time.Second, readStaleness); err != nil {
		t.Error(err)
	}
}

// attempts returns this workload's calls of kind by name.
func (w *workload) attempts(kind opKind) map[string]call {
	out := map[string]call{}
	for _, c := range w.calls {
		if c.kind == kind {
			out[c.name] = c
		}
	}
	return out
}

// verifyAliases: every acknowledged alias exists and names its key; no
// refused alias exists; every alias of this test's names was attempted.
func (w *workload) verifyAliases(t *testing.T) {
	t.Helper()
	attempted := w.attempts(opCreateAlias)
	found := map[string]string{}
	err := eventually(healWithin, func() error {
		clear(found)
		var marker *string
		for {
			out, err := w.c.nodes[0].patient.ListAliases(context.Background(), &kms.ListAliasesInput{Marker: marker, Limit: int32Ptr(100)})
			if err != nil {
				return err
			}
			for _, a := range out.Aliases {
				if a.TargetKeyId != nil {
					found[*a.AliasName] = *a.TargetKeyId
				} else {
					found[*a.AliasName] = ""
				}
			}
			if !out.Truncated {
				return nil
			}
			marker = out.NextMarker
		}
	})
	if err != nil {
		t.Fatalf("ListAliases: %v", err)
	}
	counts := map[outcome]int{}
	for name, c := range attempted {
		counts[c.outcome]++
		target, ok := found[name]
		switch {
		case c.outcome == acked && !ok:
			t.Errorf("acknowledged alias %s (at %.2fs on %s) is lost", name, c.end.Seconds(), w.c.nodes[c.node].name)
		case c.outcome == acked && target != w.keyIDs[c.key]:
			t.Errorf("alias %s names key %s, want %s", name, target, w.keyIDs[c.key])
		case c.outcome == refused && ok:
			t.Errorf("alias %s exists, but its CreateAlias was refused (%s)", name, c.code)
		case c.outcome == unknown && ok && target != w.keyIDs[c.key]:
			t.Errorf("alias %s names key %s, want %s", name, target, w.keyIDs[c.key])
		}
	}
	ours := 0
	for name := range found {
		if strings.HasPrefix(name, "alias/f-") {
			ours++
			if _, ok := attempted[name]; !ok {
				t.Errorf("alias %s exists but was never created", name)
			}
		}
	}
	t.Logf("aliases: %d acknowledged, %d refused, %d unknown; %d exist", counts[acked], counts[refused], counts[unknown], ours)
}

// verifyGrants: each acknowledged grant name appears exactly once, on its
// key; an unknown one at most once; a refused one never; no grant name of
// this test that was never attempted.
func (w *workload) verifyGrants(t *testing.T) {
	t.Helper()
	attempted := w.attempts(opCreateGrant)
	type where struct{ key, count int }
	found := map[string]*where{}
	for ki, id := range w.keyIDs {
		var names []string
		err := eventually(healWithin, func() error {
			names = names[:0]
			var marker *string
			for {
				out, err := w.c.nodes[ki%len(w.c.nodes)].patient.ListGrants(context.Background(), &kms.ListGrantsInput{KeyId: &id, Marker: marker, Limit: int32Ptr(100)})
				if err != nil {
					return err
				}
				for _, g := range out.Grants {
					if g.Name != nil {
						names = append(names, *g.Name)
					}
				}
				if !out.Truncated {
					return nil
				}
				marker = out.NextMarker
			}
		})
		if err != nil {
			t.Fatalf("ListGrants %s: %v", id, err)
		}
		for _, name := range names {
			if found[name] == nil {
				found[name] = &where{key: ki}
			}
			if found[name].key != ki {
				t.Errorf("grant name %s is on keys %d and %d", name, found[name].key, ki)
			}
			found[name].count++
		}
	}
	counts := map[outcome]int{}
	for name, c := range attempted {
		counts[c.outcome]++
		f := found[name]
		switch {
		case c.outcome == acked && f == nil:
			t.Errorf("acknowledged grant %s (at %.2fs on %s) is lost", name, c.end.Seconds(), w.c.nodes[c.node].name)
		case f != nil && f.key != c.key:
			t.Errorf("grant %s is on key %d, want %d", name, f.key, c.key)
		case f != nil && f.count > 1:
			t.Errorf("grant %s exists %d times (%s CreateGrant)", name, f.count, c.outcome)
		case c.outcome == refused && f != nil:
			t.Errorf("grant %s exists, but its CreateGrant was refused (%s)", name, c.code)
		}
	}
	for name := range found {
		if strings.HasPrefix(name, "f-") {
			if _, ok := attempted[name]; !ok {
				t.Errorf("grant %s exists but was never created", name)
			}
		}
	}
	t.Logf("grants: %d acknowledged, %d refused, %d unknown; %d exist", counts[acked], counts[refused], counts[unknown], len(found))
}

// verifyCiphertexts enables every key (a Disabled key refuses Decrypt),
// then decrypts every ciphertext on every node.
func (w *workload) verifyCiphertexts(t *testing.T) {
	t.Helper()
	for _, id := range w.keyIDs {
		if err := eventually(healWithin, func() error {
			_, err := w.c.nodes[0].patient.EnableKey(context.Background(), &kms.EnableKeyInput{KeyId: &id})
			return err
		}); err != nil {
			t.Fatalf("EnableKey %s: %v", id, err)
		}
	}
	// The other nodes' caches honour the EnableKeys within the bound.
	time.Sleep(readStaleness)
	var mu sync.Mutex
	var failures []string
	n := len(w.ciphertexts) * len(w.c.nodes)
	parallel(n, 6, func(i int) {
		ct, node := w.ciphertexts[i/len(w.c.nodes)], w.c.nodes[i%len(w.c.nodes)]
		var out *kms.DecryptOutput
		var err error
		_ = eventually(10*time.Second, func() error {
			out, err = node.patient.Decrypt(context.Background(), &kms.DecryptInput{CiphertextBlob: ct.blob})
			if o, code := classify(err); err != nil && o == refused && code != "dial" {
				return nil // an answer: no point asking again
			}
			return err
		})
		msg := ""
		switch {
		case err != nil:
			msg = err.Error()
		case !bytes.Equal(out.Plaintext, ct.plaintext):
			msg = fmt.Sprintf("plaintext %q, want %q", out.Plaintext, ct.plaintext)
		case !strings.HasSuffix(*out.KeyId, w.keyIDs[ct.key]):
			msg = fmt.Sprintf("key %s, want %s", *out.KeyId, w.keyIDs[ct.key])
		}
		if msg != "" {
			mu.Lock()
			failures = append(failures, fmt.Sprintf("ciphertext of %q on %s: %s", ct.plaintext, node.name, msg))
			mu.Unlock()
		}
	})
	if len(failures) > 0 {
		t.Errorf("%d of %d decryptions failed, e.g.:\n%s", len(failures), n, strings.Join(failures[:min(len(failures), 10)], "\n"))
	}
	t.Logf("ciphertexts: %d, each decrypted on %d nodes", len(w.ciphertexts), len(w.c.nodes))
}

func int32Ptr(v int32) *int32 { return &v }
