package e2e

// Scale measurements for issue 11: the same data directory grown to each key
// count of TRENT_SCALE_KEYS (for example "1000,100000,1000000"), and at each
// count the real `trent serve --dev` binary started on it and measured:
// start-up time, Encrypt and Decrypt throughput at 16 SDK clients on random
// keys among all of them, Encrypt on a hot set (the same 1,000 keys at every
// count), ListKeys page latency at the start and deep in the listing, and
// the server's resident memory. TRENT_SCALE_CACHE_KEYS, if set, is passed to
// the server as --cache-keys. `go test ./...` runs it small
// (300 and 1,000 keys, 1-second windows), so the harness and its checks
// stay working; the measurement itself is opt-in:
//
//	TRENT_SCALE_KEYS=1000,100000,1000000 go test -run '^TestScale$' -timeout 60m -v ./internal/e2e/
//
// Keys are created through the node's own HTTP handler in-process (CreateKey
// as a client sends it, signed, audited, group-committed), 64 at a time: the
// same records and audit trail as the API, without loopback TCP and the SDK,
// which would make a million keys take far longer than the measurements.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/server"
)

const (
	// scaleClients is the concurrency for the throughput figures.
	scaleClients = 16
	// scaleFillWorkers is how many CreateKey requests are in flight while
	// filling: enough for the store to commit them in large groups.
	scaleFillWorkers = 64
	// scaleListReps is how many times each ListKeys page is timed.
	scaleListReps = 21
	// scaleHotKeys is the size of the hot set: the first keys made, the
	// same ones at every key count.
	scaleHotKeys = 1000
)

// scaleResult is one row of the table in docs/benchmarks.md.
type scaleResult struct {
	keys                      int
	dbBytes                   int64
	startup                   time.Duration
	encryptOps, decryptOps    float64
	hotEncryptOps             float64
	hotDecryptOps             float64
	rssAfterEncrypt, rssAfter rss
	listFirst, listDeep       time.Duration
	listWalk                  time.Duration
}

func TestScale(t *testing.T) {
	t.Parallel()
	spec, window := os.Getenv("TRENT_SCALE_KEYS"), 5*time.Second
	if spec == "" {
		// The small run: the checks, not the measurement.
		spec, window = "300,1000", time.Second
	}
	var counts []int
	for f := range strings.SplitSeq(spec, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			t.Fatalf("TRENT_SCALE_KEYS: %q is not a positive key count", f)
		}
		counts = append(counts, n)
	}
	if !slices.IsSorted(counts) {
		t.Fatalf("TRENT_SCALE_KEYS must ascend: the same data directory grows through each count")
	}
	if s := os.Getenv("TRENT_SCALE_SECONDS"); s != "" {
		secs, err := strconv.Atoi(s)
		if err != nil || secs < 1 {
			t.Fatalf("TRENT_SCALE_SECONDS: %q is not a positive number of seconds", s)
		}
		window = time.Duration(secs) * time.Second
	}
	trentBinary(t) // built before any start-up is timed
	dataDir := t.TempDir()
	var ids []string
	var rows []scaleResult
	for _, n := range counts {
		ids = fillKeys(t, dataDir, ids, n)
		rows = append(rows, measureScale(t, dataDir, ids, window))
	}
	var table strings.Builder
	fmt.Fprintf(&table, "| keys | store file | start-up | Encrypt ops/s (hot %d) | Decrypt ops/s (hot) | Encrypt ops/s (all keys) | Decrypt ops/s (all keys) | ListKeys first page | ListKeys page near end | full walk (Limit 1000) | RSS after Encrypt (anon + file) | RSS at end (anon + file) |\n", scaleHotKeys)
	fmt.Fprintf(&table, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rows {
		deep := "n/a (one page)"
		if r.listDeep > 0 {
			deep = fmt.Sprintf("%.2f ms", ms(r.listDeep))
		}
		fmt.Fprintf(&table, "| %d | %.0f MiB | %d ms | %.0f | %.0f | %.0f | %.0f | %.2f ms | %s | %.1f s | %s | %s |\n",
			r.keys, float64(r.dbBytes)/(1<<20), r.startup.Milliseconds(), r.hotEncryptOps, r.hotDecryptOps, r.encryptOps, r.decryptOps,
			ms(r.listFirst), deep, r.listWalk.Seconds(), r.rssAfterEncrypt, r.rssAfter)
	}
	t.Logf("scale results (%d SDK clients, %s per throughput window):\n%s", scaleClients, window, table.String())
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// fillKeys opens an in-process node on dataDir, which holds the keys in
// have, and creates symmetric keys until it holds want. It returns every
// key ID.
func fillKeys(t *testing.T, dataDir string, have []string, want int) []string {
	t.Helper()
	if len(have) >= want {
		return have
	}
	n, err := server.Open(server.Config{DataDir: dataDir, Dev: true, Clock: clock.Real{}})
	if err != nil {
		t.Fatalf("open node: %v", err)
	}
	n.Start()
	handler := n.Handler()
	creds := aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test-secret"}
	signer := v4.NewSigner()
	body := []byte(`{"Description":"scale"}`)
	sum := sha256.Sum256(body)
	bodyHash := hex.EncodeToString(sum[:])

	todo := int64(want - len(have))
	var next atomic.Int64
	var failed atomic.Bool
	var mu sync.Mutex
	ids := have
	begin := time.Now()
	var wg sync.WaitGroup
	for range scaleFillWorkers {
		wg.Go(func() {
			for next.Add(1) <= todo && !failed.Load() {
				req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/x-amz-json-1.1")
				req.Header.Set("X-Amz-Target", "TrentService.CreateKey")
				req.Header.Set("Content-Length", strconv.Itoa(len(body)))
				if err := signer.SignHTTP(ctx, creds, req, bodyHash, "kms", testRegion, time.Now()); err != nil {
					failed.Store(true)
					t.Error(err)
					return
				}
				w := httptest.NewRecorder()
				handler.ServeHTTP(w, req)
				var out struct{ KeyMetadata struct{ KeyId string } }
				if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &out) != nil || out.KeyMetadata.KeyId == "" {
					failed.Store(true)
					t.Errorf("CreateKey: status %d: %s", w.Code, w.Body)
					return
				}
				mu.Lock()
				ids = append(ids, out.KeyMetadata.KeyId)
				if len(ids)%100000 == 0 {
					t.Logf("filled %d keys (%.0f keys/s)", len(ids), float64(len(ids)-len(have))/time.Since(begin).Seconds())
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := n.Close(); err != nil {
		t.Fatalf("close node: %v", err)
	}
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("filled to %d keys: %d created in %s (%.0f keys/s)", len(ids), want-len(have), time.Since(begin).Round(time.Millisecond),
		float64(want-len(have))/time.Since(begin).Seconds())
	return ids
}

// measureScale starts trent serve on dataDir, which holds exactly the keys
// ids, and measures it.
func measureScale(t *testing.T, dataDir string, ids []string, window time.Duration) scaleResult {
	t.Helper()
	r := scaleResult{keys: len(ids)}
	if fi, err := os.Stat(dataDir + "/" + server.DataFileName); err == nil {
		r.dbBytes = fi.Size()
	}
	args := []string{"--dev", "--listen", "127.0.0.1:0", "--data-dir", dataDir}
	if n := os.Getenv("TRENT_SCALE_CACHE_KEYS"); n != "" {
		args = append(args, "--cache-keys", n)
	}
	begin := time.Now()
	p := launchTrent(t, nil, args...)
	if !p.waitServing() {
		t.Fatalf("trent exited before serving; log:\n%s", p.log)
	}
	r.startup = time.Since(begin)
	scaleLog = p.log
	defer p.stop(syscall.SIGTERM)

	clients := make([]*kms.Client, scaleClients)
	for i := range clients {
		clients[i] = p.kms()
	}
	// A random key is described first: the served keys are the ones made.
	probe := ids[rand.IntN(len(ids))]
	d, err := clients[0].DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &probe})
	if err != nil || *d.KeyMetadata.KeyId != probe {
		t.Fatalf("DescribeKey %s: %v", probe, err)
	}

	// Listing first, on a quiet server: after the throughput windows the
	// usage flusher writes the last-use record of every key they touched,
	// which would be timed with the pages. The listing client retries: aws-sdk-go-v2 occasionally fails to read
	// a large 200 response with "use of closed network connection" on a
	// kept-alive connection (aws/aws-sdk-go-v2 issues 1825 and 2737; plain
	// net/http reads the same responses without fault), and ListKeys is
	// read-only, so a retry is harmless.
	c := kms.New(kms.Options{
		Region: testRegion, BaseEndpoint: aws.String(p.start.Address),
		Credentials: clients[0].Options().Credentials, HTTPClient: &http.Client{Transport: p.transport},
		RetryMaxAttempts: 3,
	})
	// The whole listing, 1000 keys a page, keeping each page's marker; it
	// must list exactly the keys made.
	var markers []*string
	listed := map[string]bool{}
	walkBegin := time.Now()
	var marker *string
	for {
		out, err := c.ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(1000), Marker: marker})
		if err != nil {
			t.Fatalf("ListKeys page %d (marker %v): %v", len(markers), marker != nil, err)
		}
		for _, k := range out.Keys {
			listed[*k.KeyId] = true
		}
		if !out.Truncated {
			break
		}
		marker = out.NextMarker
		markers = append(markers, marker)
	}
	r.listWalk = time.Since(walkBegin)
	if len(listed) != len(ids) {
		t.Fatalf("ListKeys listed %d distinct keys; the store holds %d", len(listed), len(ids))
	}
	for _, id := range ids {
		if !listed[id] {
			t.Fatalf("ListKeys did not list key %s", id)
		}
	}
	// Pages of the default size (100): the first, and the one after the
	// last full page of the walk (the end of the listing).
	r.listFirst = medianLatency(t, "ListKeys first page", func() error {
		_, err := c.ListKeys(ctx, &kms.ListKeysInput{})
		return err
	})
	// A listing of one page has no page deep in it.
	if len(markers) > 0 {
		deep := markers[len(markers)-1]
		r.listDeep = medianLatency(t, "ListKeys page near the end", func() error {
			_, err := c.ListKeys(ctx, &kms.ListKeysInput{Marker: deep})
			return err
		})
	}

	// Encrypt and Decrypt on the hot set: what a store's size costs a
	// workload whose keys fit the caches. A discarded window first: a
	// fresh server's first seconds ran up to a fifth slower than the same
	// load right after (its heap and the page cache settle).
	hot := ids[:min(scaleHotKeys, len(ids))]
	hotBlobs, blobs := &blobSample{}, &blobSample{}
	runWindow(t, clients, window, encryptAmong(hot, nil))
	r.hotEncryptOps = runWindow(t, clients, window, encryptAmong(hot, hotBlobs))
	r.hotDecryptOps = runWindow(t, clients, window, decryptFrom(hotBlobs))
	// Encrypt under random keys among all; a sample of the ciphertexts
	// (each under the key it names) feeds Decrypt.
	r.encryptOps = runWindow(t, clients, window, encryptAmong(ids, blobs))
	r.rssAfterEncrypt = readRSS(t, p.cmd.Process.Pid)
	r.decryptOps = runWindow(t, clients, window, decryptFrom(blobs))
	r.rssAfter = readRSS(t, p.cmd.Process.Pid)
	t.Logf("%d keys: start-up %s, Encrypt hot %.0f/s, Decrypt hot %.0f/s, Encrypt %.0f/s, Decrypt %.0f/s, ListKeys first %.2f ms, deep %.2f ms, walk %s, RSS after Encrypt %s, at end %s",
		r.keys, r.startup.Round(time.Millisecond), r.hotEncryptOps, r.hotDecryptOps, r.encryptOps, r.decryptOps, ms(r.listFirst), ms(r.listDeep),
		r.listWalk.Round(time.Millisecond), r.rssAfterEncrypt, r.rssAfter)
	return r
}

// blobSample keeps ciphertexts made in one window (up to maxBlobs), each
// under the key it names, for the Decrypt window after it.
type blobSample struct {
	mu    sync.Mutex
	blobs [][]byte
}

const maxBlobs = 50000

// encryptAmong is an Encrypt under a random key of ids, whose ciphertext
// goes to sample (if not nil).
func encryptAmong(ids []string, sample *blobSample) func(*kms.Client, *rand.Rand) error {
	return func(c *kms.Client, rng *rand.Rand) error {
		id := ids[rng.IntN(len(ids))]
		out, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: &id, Plaintext: benchPlaintext, EncryptionContext: benchContext})
		if err == nil && sample != nil {
			sample.mu.Lock()
			if len(sample.blobs) < maxBlobs {
				sample.blobs = append(sample.blobs, out.CiphertextBlob)
			}
			sample.mu.Unlock()
		}
		return err
	}
}

// decryptFrom is a Decrypt of a random ciphertext of sample, checked.
func decryptFrom(sample *blobSample) func(*kms.Client, *rand.Rand) error {
	return func(c *kms.Client, rng *rand.Rand) error {
		blob := sample.blobs[rng.IntN(len(sample.blobs))]
		out, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: benchContext})
		if err == nil && !bytes.Equal(out.Plaintext, benchPlaintext) {
			return fmt.Errorf("Decrypt returned the wrong plaintext")
		}
		return err
	}
}

// runWindow runs op on every client for window (after one warm-up call
// each, so no timed request dials) and returns the completed operations per
// second.
func runWindow(t *testing.T, clients []*kms.Client, window time.Duration, op func(*kms.Client, *rand.Rand) error) float64 {
	t.Helper()
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Go(func() {
			if err := op(c, rand.New(rand.NewPCG(uint64(i), 1))); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	var done atomic.Int64
	var failed atomic.Bool
	begin := time.Now()
	deadline := begin.Add(window)
	for i, c := range clients {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(i), 2))
			for !failed.Load() && time.Now().Before(deadline) {
				if err := op(c, rng); err != nil {
					failed.Store(true)
					t.Error(err)
					return
				}
				done.Add(1)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(begin)
	if t.Failed() {
		t.FailNow()
	}
	return float64(done.Load()) / elapsed.Seconds()
}

// medianLatency times op scaleListReps times, one at a time.
var scaleLog fmt.Stringer

func medianLatency(t *testing.T, what string, op func() error) time.Duration {
	t.Helper()
	times := make([]time.Duration, scaleListReps)
	for i := range times {
		begin := time.Now()
		if err := op(); err != nil {
			t.Fatalf("%s (repetition %d): %v\nserver log:\n%s", what, i, err, scaleLog)
		}
		times[i] = time.Since(begin)
	}
	slices.Sort(times)
	return times[len(times)/2]
}

// rss is a process's resident memory in KiB: Anon is the heap and stacks,
// File the pages of mapped files resident in memory (chiefly the bbolt
// store, which is memory-mapped).
type rss struct{ Total, Anon, File int64 }

// readRSS reads a process's resident memory from /proc/<pid>/status.
func readRSS(t *testing.T, pid int) rss {
	t.Helper()
	status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	var r rss
	fields := map[string]*int64{"VmRSS:": &r.Total, "RssAnon:": &r.Anon, "RssFile:": &r.File}
	for line := range strings.Lines(string(status)) {
		name, rest, _ := strings.Cut(line, "\t")
		if dst, ok := fields[name]; ok {
			kib, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("%s %q: %v", name, rest, err)
			}
			*dst = kib
			delete(fields, name)
		}
	}
	if len(fields) > 0 {
		t.Fatalf("/proc/%d/status lacks %v", pid, fields)
	}
	return r
}

func (r rss) String() string {
	return fmt.Sprintf("%.0f MiB (%.0f + %.0f)", float64(r.Total)/1024, float64(r.Anon)/1024, float64(r.File)/1024)
}
