package e2e

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/trent-kms/trent/internal/audit"
)

// The acceptance test: writes that Trent acknowledged survive a
// crash (SIGKILL) of the process. Several clients write concurrently, the
// process is killed in the middle, restarted on the same data directory, and
// every acknowledged write is checked; five times over on one directory.
// Every acknowledged change has its audit record; so has every
// acknowledged Encrypt and GenerateDataKey except those acknowledged in the
// last moments before a kill (crashReadGrace), whose records the server may
// still have been batching (audit.WriteDelay).
// The workload and its model of what was acknowledged are in
// process_crash_model_test.go.

const (
	crashCycles  = 5
	crashWorkers = 8
)

func TestProcessCrashKeepsAcknowledgedWrites(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	workers := make([]*crashWorker, crashWorkers)
	for i := range workers {
		workers[i] = newCrashWorker(i, seed)
	}
	auditPath := filepath.Join(dir, audit.FileName)
	// boundaries are the audit log's sizes right after each crash: the only
	// places a torn record may end.
	boundaries := map[int64]bool{}
	var simulatedTorn []byte
	for cycle := 1; cycle <= crashCycles; cycle++ {
		p := serveTrent(t, dir)
		c := p.kms()
		if cycle > 1 {
			verifyCrashWorkers(t, workers, c, cycle-1)
		}
		runFor := 200*time.Millisecond + rand.N(400*time.Millisecond)
		var killed atomic.Bool
		var wg sync.WaitGroup
		for _, w := range workers {
			w.resetCounts()
			wg.Go(func() { w.run(t, c, &killed) })
		}
		// The workload's length is real time by design: the crash must
		// land in the middle of real concurrent writes.
		time.Sleep(runFor)
		killed.Store(true)
		killedAt := time.Now()
		p.kill()
		wg.Wait()
		acked, inFlight, unsure := map[string]int{}, 0, 0
		for _, w := range workers {
			unsure += w.settleReads(killedAt)
			for op, n := range w.counts {
				acked[op] += n
			}
			if w.pending != nil {
				inFlight++
			}
		}
		t.Logf("cycle %d: killed after %v; acknowledged %v (%d reads within %v of the kill); %d writes in flight at the kill",
			cycle, runFor.Round(time.Millisecond), acked, unsure, crashReadGrace, inFlight)
		if len(acked) == 0 {
			t.Fatalf("cycle %d: nothing acknowledged, nothing tested", cycle)
		}
		if cycle == 2 {
			// A SIGKILL can cut a write(2) of more than a page short, and a
			// power cut can lose the end of one; simulate such a torn
			// record so the restart has to cope with one every run.
			simulatedTorn = []byte(`{"eventVersion":"1.11","userIdentity":{"type":"AWSAcc`)
			appendFile(t, auditPath, simulatedTorn)
		}
		boundaries[fileSize(t, auditPath)] = true
	}
	p := serveTrent(t, dir)
	verifyCrashWorkers(t, workers, p.kms(), crashCycles)
	existing := listAllKeys(t, p.kms())
	if code := p.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("SIGTERM: exit code %d; log:\n%s", code, p.log)
	}
	records := checkAuditAfterCrashes(t, auditPath, boundaries, simulatedTorn, workers)
	checkEveryChangeAuditedOnce(t, records, workers, existing)
}

// listAllKeys returns the IDs of every key of the default account and
// Region.
func listAllKeys(t *testing.T, c *kms.Client) []string {
	t.Helper()
	var ids []string
	p := kms.NewListKeysPaginator(c, &kms.ListKeysInput{})
	for p.HasMorePages() {
		// Reading a page changes nothing, so it may be retried: the SDK
		// now and then fails to read a large 200 response with "use of
		// closed network connection" on a connection of its own
		// (aws/aws-sdk-go-v2#1825, #2737), which a plain HTTP read of the
		// same response never does.
		page, err := p.NextPage(ctx, func(o *kms.Options) { o.RetryMaxAttempts = 3 })
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range page.Keys {
			ids = append(ids, *k.KeyId)
		}
	}
	return ids
}

// checkEveryChangeAuditedOnce: the write-ahead audit promise. Every
// acknowledged change has exactly one record; so does every change that
// was committed without being acknowledged (the write in flight at a
// crash): every key that exists has exactly one CreateKey record, and each
// in-flight write found committed has its record. No record appears twice.
func checkEveryChangeAuditedOnce(t *testing.T, records []audit.Record, workers []*crashWorker, existing []string) {
	t.Helper()
	byEvent := map[string]int{}
	byRequest := map[string]int{}
	created := map[string]int{}
	for _, r := range records {
		byEvent[r.EventID]++
		if r.RequestID != "" {
			byRequest[r.RequestID]++
		}
		if r.EventName == "CreateKey" && r.ErrorCode == "" {
			md, _ := r.ResponseElements["keyMetadata"].(map[string]any)
			id, _ := md["keyId"].(string)
			created[id]++
		}
	}
	for id, n := range byEvent {
		if n > 1 {
			t.Errorf("event %s is in the audit log %d times", id, n)
		}
	}
	acked := map[string]bool{}
	unsure, unsureFound := 0, 0
	for _, w := range workers {
		for id, op := range w.requests {
			acked[id] = true
			if n := byRequest[id]; n != 1 {
				t.Errorf("acknowledged %s (request %s) has %d records, want 1", op, id, n)
			}
		}
		// Reads acknowledged just before a kill: their records may be
		// lost with the batch, never doubled.
		for id, op := range w.unsure {
			acked[id] = true
			unsure++
			switch n := byRequest[id]; {
			case n > 1:
				t.Errorf("acknowledged %s (request %s) has %d records, want at most 1", op, id, n)
			case n == 1:
				unsureFound++
			}
		}
	}
	t.Logf("audit: of %d reads acknowledged within %v of a kill, %d have their record (the rest were in a batch not yet written)",
		unsure, crashReadGrace, unsureFound)
	for _, id := range existing {
		if n := created[id]; n != 1 {
			t.Errorf("key %s exists and has %d CreateKey records, want 1", id, n)
		}
	}
	committed := 0
	for _, w := range workers {
		for _, c := range w.committed {
			committed++
			if n := countCommittedRecords(records, acked, c); n != 1 {
				t.Errorf("in-flight %s on %s was committed and has %d records of its own, want 1", c.op, c.key.id, n)
			}
		}
	}
	t.Logf("audit: %d keys with one CreateKey record each, %d acknowledged requests and %d unacknowledged but committed writes with one record each",
		len(existing), len(acked), committed)
}

// countCommittedRecords counts the successful records that can only be
// those of the unacknowledged write c: same operation and key, a request
// ID nobody saw acknowledged, and for aliases and tags the very name or
// value it wrote.
func countCommittedRecords(records []audit.Record, acked map[string]bool, c *inFlight) int {
	n := 0
	for _, r := range records {
		if r.EventName != c.op || r.ErrorCode != "" || acked[r.RequestID] || !namesKey(r, c.key.arn) {
			continue
		}
		switch c.op {
		case "CreateAlias":
			if r.RequestParameters["aliasName"] != c.alias {
				continue
			}
		case "TagResource":
			tags, _ := json.Marshal(r.RequestParameters["tags"])
			if !strings.Contains(string(tags), `"tagValue":"`+c.tagValue+`"`) {
				continue
			}
		}
		n++
	}
	return n
}

func namesKey(r audit.Record, arn string) bool {
	for _, res := range r.Resources {
		if res.ARN == arn {
			return true
		}
	}
	return false
}

// verifyCrashWorkers checks every worker's acknowledged writes against a
// freshly restarted server.
func verifyCrashWorkers(t *testing.T, workers []*crashWorker, c *kms.Client, cycle int) {
	t.Helper()
	start := time.Now()
	var wg sync.WaitGroup
	stats := make([]crashVerified, len(workers))
	for i, w := range workers {
		wg.Go(func() { stats[i] = w.verify(t, c) })
	}
	wg.Wait()
	var total crashVerified
	for _, s := range stats {
		total.add(s)
	}
	t.Logf("after crash %d: verified %d keys (states, rotation, tags), %d aliases, %d ciphertexts, %d data keys; %d in-flight writes turned out committed (%v)",
		cycle, total.keys, total.aliases, total.ciphertexts, total.dataKeys, total.adopted, time.Since(start).Round(time.Millisecond))
	if t.Failed() {
		t.FailNow()
	}
}

// checkAuditAfterCrashes reads the audit log line by line. Accepted: a line
// that is not a complete record only where a crash cut the log (it then
// ends exactly at a crash boundary, and the restarted writer begins on the
// next line); every other line is a complete record; and every
// acknowledged request has its record, successful, under its name. The log
// was closed cleanly at the end, so it ends with a newline.
func checkAuditAfterCrashes(t *testing.T, path string, boundaries map[int64]bool, simulatedTorn []byte, workers []*crashWorker) []audit.Record {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(data, []byte("\n")) {
		t.Fatalf("audit log does not end with a newline after a clean shutdown: ...%q", lastBytes(data, 200))
	}
	records := map[string]audit.Record{}
	var all []audit.Record
	var torn [][]byte
	offset := int64(0)
	for line := range bytes.Lines(data) {
		offset += int64(len(line))
		body := bytes.TrimSuffix(line, []byte("\n"))
		var rec audit.Record
		if err := json.Unmarshal(body, &rec); err != nil {
			if !boundaries[offset-1] {
				t.Errorf("audit line ending at offset %d is not a record and not at a crash boundary: %v\n%q", offset, err, lastBytes(body, 300))
			}
			torn = append(torn, body)
			continue
		}
		all = append(all, rec)
		if rec.RequestID != "" {
			records[rec.RequestID] = rec
		}
	}
	foundSimulated := false
	for _, b := range torn {
		foundSimulated = foundSimulated || bytes.Equal(b, simulatedTorn)
	}
	if !foundSimulated {
		t.Errorf("the simulated torn record is not a line of its own; torn lines: %q", torn)
	}
	checked := 0
	for _, w := range workers {
		for id, op := range w.requests {
			rec, ok := records[id]
			switch {
			case !ok:
				t.Errorf("acknowledged %s (request %s) has no audit record", op, id)
			case rec.EventName != op || rec.ErrorCode != "":
				t.Errorf("audit record of request %s: %s %s, want %s without error", id, rec.EventName, rec.ErrorCode, op)
			}
			checked++
		}
	}
	t.Logf("audit log: %d records, %d torn lines at crash boundaries (1 simulated), %d acknowledged requests found", len(records), len(torn), checked)
	return all
}

func appendFile(t *testing.T, path string, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func lastBytes(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
