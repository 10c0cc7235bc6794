package e2e

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/server"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/bolt"
)

const (
	testRegion  = "us-east-1"
	testAccount = "111122223333"
)

// testNode is a Trent node on a loopback listener with a manual clock. Its
// scheduler loop is not started: tests move the clock and call runDue.
type testNode struct {
	t       *testing.T
	node    *server.Node
	srv     *httptest.Server
	clock   *clock.Manual
	dataDir string
}

var testEpoch = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func startNode(t *testing.T) *testNode {
	t.Helper()
	return startNodeWith(t, nodeOptions{})
}

// nodeOptions vary the test node.
type nodeOptions struct {
	// clock replaces the manual clock starting at testEpoch; tn.clock is
	// then nil.
	clock clock.Clock
	// wrapStore wraps the node's embedded store (in the node's data
	// directory) before the node uses it.
	wrapStore func(store.Store) store.Store
	// background runs the node's background work (scheduler, usage
	// flusher, audit shipper) as trent serve does.
	background bool
	// dataDir is an existing data directory to open instead of a new one.
	dataDir string
	// epoch is where the manual clock starts instead of testEpoch.
	epoch time.Time
	// identity resolves access keys instead of --dev's any-key resolver
	// (signatures are still not verified: the node runs in dev mode).
	identity identity.Resolver
	// disableConsole turns the web console off.
	disableConsole bool
	// seedFile is a seed file the node applies at start-up (--seed).
	seedFile string
}

func startNodeWith(t *testing.T, opts nodeOptions) *testNode {
	t.Helper()
	dir := opts.dataDir
	if dir == "" {
		dir = t.TempDir()
	}
	tn := &testNode{t: t, dataDir: dir}
	cfg := server.Config{DataDir: dir, Dev: true, Clock: opts.clock, Identity: opts.identity, SeedFile: opts.seedFile,
		DisableConsole: opts.disableConsole}
	if opts.clock == nil {
		epoch := opts.epoch
		if epoch.IsZero() {
			epoch = testEpoch
		}
		tn.clock = clock.NewManual(epoch)
		cfg.Clock = tn.clock
	}
	if opts.wrapStore != nil {
		st, err := bolt.Open(filepath.Join(dir, server.DataFileName), bolt.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		cfg.Store = opts.wrapStore(st)
	}
	n, err := server.Open(cfg)
	if err != nil {
		t.Fatalf("open node: %v", err)
	}
	if opts.background {
		n.Start()
	}
	tn.node = n
	tn.srv = httptest.NewServer(n.Handler())
	t.Cleanup(func() {
		tn.srv.Close()
		if err := n.Close(); err != nil {
			t.Errorf("close node: %v", err)
		}
	})
	return tn
}

// client returns an SDK client for the node, signing as accessKey in region.
func (tn *testNode) client(region, accessKey string) *kms.Client {
	return kms.New(kms.Options{
		Region:       region,
		BaseEndpoint: aws.String(tn.srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider(accessKey, "test-secret", ""),
		HTTPClient:   tn.srv.Client(),
		// Errors must surface at once, not after SDK retries.
		RetryMaxAttempts: 1,
	})
}

// kms returns a client for the default account and Region.
func (tn *testNode) kms() *kms.Client { return tn.client(testRegion, "test") }

// runDue runs the scheduler's work at the node's current time.
func (tn *testNode) runDue() {
	tn.t.Helper()
	if tn.clock == nil {
		tn.t.Fatal("runDue needs the manual clock")
	}
	if err := tn.node.Service().RunDue(context.Background(), tn.clock.Now()); err != nil {
		tn.t.Fatalf("RunDue: %v", err)
	}
}

// auditRecords reads the audit log back.
func (tn *testNode) auditRecords() []audit.Record {
	tn.t.Helper()
	// The records of changes wait in the store until shipped; this node
	// runs no background work, so ship them now.
	if err := tn.node.ShipAudit(ctx); err != nil {
		tn.t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(tn.dataDir, audit.FileName))
	if err != nil {
		tn.t.Fatal(err)
	}
	defer f.Close()
	out, err := audit.ReadRecords(f)
	if err != nil {
		tn.t.Fatal(err)
	}
	// The log is not in time order, as CloudTrail's is not: records of
	// changes reach it from the store moments after the records of reads
	// written directly. Tests read it in time order, and in file order
	// within one second.
	slices.SortStableFunc(out, func(a, b audit.Record) int { return strings.Compare(a.EventTime, b.EventTime) })
	return out
}

var ctx = context.Background()

// apiError asserts err is an AWS API error with the code and returns it.
func apiError(t *testing.T, err error, code string) smithy.APIError {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("want %s, got %s: %s", code, ae.ErrorCode(), ae.ErrorMessage())
	}
	return ae
}

// wantError asserts err is an API error with the code and exact message.
func wantError(t *testing.T, err error, code, message string) {
	t.Helper()
	ae := apiError(t, err, code)
	if ae.ErrorMessage() != message {
		t.Fatalf("%s message:\n got %q\nwant %q", code, ae.ErrorMessage(), message)
	}
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}
