package faults

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"testing"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
)

// The workload: clients on every node, each looping until told to stop over
// random keys: EnableKey and DisableKey (the writes of the history),
// DescribeKey and Encrypt (reads of the key's state: Encrypt succeeds on an
// Enabled key and fails with DisabledException on a Disabled one),
// CreateAlias and CreateGrant with names no one used before. Every call is
// recorded with its call and return times on one monotonic clock, and every
// ciphertext handed out is kept for the final check.

const (
	// keyCount spreads the history over enough keys (the checker's
	// partitions) that each key sees a few operations a second. Reads are
	// checked with their call moved one consistency bound (1 s) earlier,
	// so each overlaps a second of its key's operations; with 4 keys
	// that was about 15 each, and the checker did not decide a history
	// within its 2 minutes on a loaded machine. With 16 it takes
	// milliseconds, and writers still race on every key.
	keyCount       = 16
	clientsPerNode = 2
	// thinkTime is each client's pause between requests: it leaves the
	// two CPUs of a small machine to the nodes and members, and keeps the
	// history small enough for the checker.
	thinkTime = 5 * time.Millisecond
	// granteeARN is the grantee of every grant the workload creates.
	granteeARN = "arn:aws:iam::111122223333:role/faults-grantee"
)

type opKind int

const (
	opEnable opKind = iota
	opDisable
	opDescribe
	opEncrypt
	opCreateAlias
	opCreateGrant
)

func (k opKind) String() string {
	return [...]string{"EnableKey", "DisableKey", "DescribeKey", "Encrypt", "CreateAlias", "CreateGrant"}[k]
}

// outcome is what a call's result says about its effect.
type outcome int

const (
	// acked: the call succeeded.
	acked outcome = iota
	// refused: the call certainly did not take effect: the node answered
	// with a client error (a 4xx such as DisabledException or
	// NotFoundException), or the connection could not even be made.
	refused
	// unknown: the request may have reached the node and taken effect,
	// now or later: a timeout, a connection lost mid-request, a 5xx.
	unknown
)

func (o outcome) String() string { return [...]string{"acked", "refused", "unknown"}[o] }

// call is one recorded request.
type call struct {
	client  int
	node    int
	kind    opKind
	key     int
	start   time.Duration // since the workload's start, monotonic
	end     time.Duration
	outcome outcome
	code    string // the error code, "dial", "timeout" or "conn"; "" if acked
	// state is the key state a read observed (Encrypt: Enabled if it
	// succeeded, Disabled if refused with DisabledException).
	state string
	name  string // the alias or grant name
}

// ciphertext is one successful Encrypt's result.
type ciphertext struct {
	key       int
	plaintext []byte
	blob      []byte
}

type workload struct {
	c      *cluster
	tag    string // names this test's aliases and grants
	keyIDs []string
	origin time.Time
	stop   chan struct{}
	once   sync.Once
	wg     sync.WaitGroup

	mu          sync.Mutex
	calls       []call
	ciphertexts []ciphertext
	marks       []mark
	ended       time.Duration
}

// mark is a moment of the fault schedule, for the summary.
type mark struct {
	at    time.Duration
	label string
}

// startWorkload creates the keys and starts the clients.
func startWorkload(c *cluster, tag string) *workload {
	c.t.Helper()
	w := &workload{c: c, tag: tag, stop: make(chan struct{})}
	for range keyCount {
		var id string
		err := eventually(30*time.Second, func() error {
			out, err := c.nodes[0].patient.CreateKey(context.Background(), &kms.CreateKeyInput{Description: &tag})
			if err != nil {
				return err
			}
			id = *out.KeyMetadata.KeyId
			return nil
		})
		if err != nil {
			c.t.Fatalf("CreateKey: %v", err)
		}
		w.keyIDs = append(w.keyIDs, id)
	}
	w.origin = time.Now()
	// A test that fails half way still stops its clients.
	c.t.Cleanup(func() { w.once.Do(func() { close(w.stop) }); w.wg.Wait() })
	for ni := range c.nodes {
		for ci := range clientsPerNode {
			w.wg.Add(1)
			go w.client(ni*clientsPerNode+ci, ni)
		}
	}
	return w
}

// now is the time since the workload started, on the monotonic clock.
func (w *workload) now() time.Duration { return time.Since(w.origin) }

// run lets the workload run for d.
func (w *workload) run(d time.Duration) { time.Sleep(d) }

// mark notes a moment of the fault schedule in the log and the summary.
func (w *workload) mark(label string) {
	at := w.now()
	w.mu.Lock()
	w.marks = append(w.marks, mark{at, label})
	w.mu.Unlock()
	w.c.t.Logf("%6.2fs %s", at.Seconds(), label)
}

// finish stops the clients and waits for their last calls.
func (w *workload) finish() {
	w.once.Do(func() { close(w.stop) })
	w.wg.Wait()
	w.ended = w.now()
	w.c.t.Logf("%6.2fs workload stopped: %d calls, %d ciphertexts", w.ended.Seconds(), len(w.calls), len(w.ciphertexts))
}

// client is one client's loop on node ni.
func (w *workload) client(id, ni int) {
	defer w.wg.Done()
	rng := rand.New(rand.NewPCG(uint64(id), uint64(time.Now().UnixNano())))
	for seq := 0; ; seq++ {
		select {
		case <-w.stop:
			return
		case <-time.After(thinkTime):
		}
		w.one(rng, id, ni, seq)
	}
}

// one makes one random request and records it.
func (w *workload) one(rng *rand.Rand, id, ni, seq int) {
	cli := w.c.nodes[ni].client
	ctx := context.Background()
	key := rng.IntN(keyCount)
	keyID := &w.keyIDs[key]
	c := call{client: id, node: ni, key: key}
	var err error
	var ct *ciphertext
	c.start = w.now()
	switch p := rng.IntN(100); {
	case p < 15:
		c.kind = opEnable
		_, err = cli.EnableKey(ctx, &kms.EnableKeyInput{KeyId: keyID})
	case p < 30:
		c.kind = opDisable
		_, err = cli.DisableKey(ctx, &kms.DisableKeyInput{KeyId: keyID})
	case p < 55:
		c.kind = opDescribe
		var out *kms.DescribeKeyOutput
		if out, err = cli.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: keyID}); err == nil {
			c.state = string(out.KeyMetadata.KeyState)
		}
	case p < 85:
		c.kind = opEncrypt
		plaintext := fmt.Appendf(nil, "%s %d %d", w.tag, id, seq)
		var out *kms.EncryptOutput
		if out, err = cli.Encrypt(ctx, &kms.EncryptInput{KeyId: keyID, Plaintext: plaintext}); err == nil {
			c.state = string(types.KeyStateEnabled)
			ct = &ciphertext{key: key, plaintext: plaintext, blob: out.CiphertextBlob}
		}
	case p < 88:
		// Rarely: a key takes at most 50 aliases.
		c.kind = opCreateAlias
		c.name = fmt.Sprintf("alias/f-%s-%d-%d", w.tag, id, seq)
		_, err = cli.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: &c.name, TargetKeyId: keyID})
	default:
		c.kind = opCreateGrant
		c.name = fmt.Sprintf("f-%s-%d-%d", w.tag, id, seq)
		_, err = cli.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: keyID, Name: &c.name,
			GranteePrincipal: strPtr(granteeARN), Operations: []types.GrantOperation{types.GrantOperationEncrypt, types.GrantOperationDecrypt}})
	}
	c.end = w.now()
	c.outcome, c.code = classify(err)
	if c.kind == opEncrypt && c.code == "DisabledException" {
		c.state = string(types.KeyStateDisabled)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls = append(w.calls, c)
	if ct != nil {
		w.ciphertexts = append(w.ciphertexts, *ct)
	}
}

func strPtr(s string) *string { return &s }

// classify tells what an error says about the request's effect (see
// outcome) and names it.
func classify(err error) (outcome, string) {
	if err == nil {
		return acked, ""
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return refused, "dial"
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		var respErr *awshttp.ResponseError
		if errors.As(err, &respErr) && respErr.HTTPStatusCode() >= 500 {
			return unknown, apiErr.ErrorCode()
		}
		switch apiErr.ErrorCode() {
		case "KMSInternalException", "DependencyTimeoutException":
			return unknown, apiErr.ErrorCode()
		}
		return refused, apiErr.ErrorCode()
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return unknown, "timeout"
	}
	return unknown, "conn"
}

// summary logs, for each stretch between two marks, each node's count of
// acked, refused and unknown calls and the error codes seen, and after
// each mark how long until each node acknowledged a call again.
func (w *workload) summary(t *testing.T) {
	t.Helper()
	bounds := append([]mark{{0, "start"}}, w.marks...)
	bounds = append(bounds, mark{w.ended, "end"})
	for i := 0; i+1 < len(bounds); i++ {
		from, to := bounds[i], bounds[i+1]
		line := fmt.Sprintf("%6.2fs-%6.2fs after %q:", from.at.Seconds(), to.at.Seconds(), from.label)
		for ni, n := range w.c.nodes {
			counts := map[outcome]int{}
			codes := map[string]int{}
			first := time.Duration(-1)
			for _, c := range w.calls {
				if c.node != ni || c.end < from.at || c.end >= to.at {
					continue
				}
				counts[c.outcome]++
				if c.code != "" && !(c.kind == opEncrypt && c.code == "DisabledException") && c.code != "DisabledException" {
					codes[c.code]++
				}
				if c.outcome == acked && (first < 0 || c.end < first) {
					first = c.end
				}
			}
			resumed := "no ack"
			if first >= 0 {
				resumed = fmt.Sprintf("first ack +%.2fs", (first - from.at).Seconds())
			}
			line += fmt.Sprintf(" %s[ok %d refused %d unknown %d, %s, errors %v]", n.name,
				counts[acked], counts[refused], counts[unknown], resumed, codes)
		}
		t.Log(line)
	}
}
