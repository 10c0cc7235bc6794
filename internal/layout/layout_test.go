package layout

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/store"
)

// TestDueKeysSortByTime: the scheduler scans the index in key order and
// stops at the first entry in the future, so key order must be time order,
// to the nanosecond and across changes in the number of digits of the Unix
// time.
func TestDueKeysSortByTime(t *testing.T) {
	times := []time.Time{
		time.Unix(9_999_999_999, 0),           // 2286, eleven digits
		time.Unix(1_000_000_000, 0),           // 2001-09-09, ten digits
		time.Unix(999_999_999, 999_999_999),   // nine digits, last nanosecond
		time.Unix(1, 0),                       // 1970
		time.Unix(1_798_200_000, 1),           // 2026, one nanosecond in
		time.Unix(1_798_200_000, 0),           // the second itself
		time.Unix(1_798_200_000, 500_000_000), // half a second in
		time.Unix(253_402_300_799, 0),         // 9999-12-31T23:59:59Z
	}
	var entries []string
	for i, at := range times {
		// Accounts and key IDs sort against time order, so only the time
		// can put the keys in order.
		account := strings.Repeat(string(rune('9'-i)), 12)
		entries = append(entries, Due(at, account, "us-east-1", "key-"+string(rune('z'-i)), DueRotation))
	}
	slices.Sort(entries)
	var got []time.Time
	for _, k := range entries {
		e, err := ParseDue(k)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e.At)
	}
	if !slices.IsSortedFunc(got, time.Time.Compare) {
		t.Fatalf("index keys in key order are not in time order: %v", got)
	}
}

func TestDueKeyParsesBackExactly(t *testing.T) {
	at := time.Date(2026, 11, 25, 12, 0, 0, 123_456_789, time.UTC)
	for _, kind := range []DueKind{DueDeletion, DueRotation} {
		k := Due(at, "111122223333", "eu-west-2", "mrk-1234abcd12ab34cd56ef1234567890ab", kind)
		e, err := ParseDue(k)
		if err != nil {
			t.Fatal(err)
		}
		want := DueEntry{At: at, Account: "111122223333", Region: "eu-west-2", KeyID: "mrk-1234abcd12ab34cd56ef1234567890ab", Kind: kind}
		if e != want {
			t.Fatalf("ParseDue(%q) = %+v, want %+v", k, e, want)
		}
		if e.Key() != k {
			t.Fatalf("re-encoded entry %q differs from %q", e.Key(), k)
		}
		if until := DueUntil(at); !(k < until) || !(DueUntil(at.Add(-time.Nanosecond)) < k) {
			t.Fatalf("DueUntil does not bound %q: %q", k, until)
		}
	}
}

func TestParseRefusesMalformedEntries(t *testing.T) {
	for _, k := range []string{
		"due/",
		"due/0000001798200000/111122223333/us-east-1/k/rotate", // layout version 1
		"due/0000001798200000.000000000/111122223333/us-east-1/k",
		"due/0000001798200000.000000000/111122223333/us-east-1/k/explode",
		"due/000000179820000x.000000000/111122223333/us-east-1/k/rotate",
		"due/0000001798200000.0000000000/111122223333/us-east-1/k/rotate",
		"due/0000001798200000.000000000//us-east-1/k/rotate",
		"other/0000001798200000.000000000/111122223333/us-east-1/k/rotate",
	} {
		if e, err := ParseDue(k); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseDue(%q) = %+v, %v; want ErrMalformed", k, e, err)
		}
	}
	for _, k := range []string{"trash/a/b", "trash/a/b/c/d", "trash//b/c", "x/a/b/c"} {
		if _, _, _, err := ParseTrash(k); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseTrash(%q) = %v; want ErrMalformed", k, err)
		}
	}
	if a, r, id, err := ParseTrash(Trash("111122223333", "us-east-1", "k")); err != nil || a != "111122223333" || r != "us-east-1" || id != "k" {
		t.Errorf("ParseTrash round trip = %q %q %q %v", a, r, id, err)
	}
	for _, k := range []string{"outbox/audit/", "outbox/audit/0000001798200000.000000000", "outbox/audit/x/", "outbox/audit/x/ev",
		"outbox/node/", "outbox/node/n1/", "outbox/node//0000001798200000.000000000/ev", "outbox/node/n1/0000001798200000.000000000/",
		"outbox/node/n1/0000001798200000.000000000/a/b", "outbox/other/0000001798200000.000000000/ev"} {
		if _, err := OutboxEventID(k); !errors.Is(err, ErrMalformed) {
			t.Errorf("OutboxEventID(%q) = %v; want ErrMalformed", k, err)
		}
	}
	for _, k := range []string{Outbox("n1", time.Unix(5, 6), "ev-1"), LegacyOutbox(time.Unix(5, 6), "ev-1")} {
		if id, err := OutboxEventID(k); err != nil || id != "ev-1" {
			t.Errorf("OutboxEventID(%q) = %q %v, want ev-1", k, id, err)
		}
		if !strings.HasPrefix(k, OutboxPrefix) {
			t.Errorf("%q is outside OutboxPrefix %q", k, OutboxPrefix)
		}
	}
	if k := Outbox("n1", time.Unix(5, 6), "ev-1"); !strings.HasPrefix(k, NodeOutboxPrefix("n1")) || strings.HasPrefix(k, NodeOutboxPrefix("n")) || strings.HasPrefix(k, LegacyOutboxPrefix) {
		t.Errorf("node outbox key %q is not only in node n1's outbox", k)
	}
}

func TestBatch(t *testing.T) {
	etcd := store.Limits{MaxOps: 128}
	cases := []struct {
		fixed, each Cost
		want        int
	}{
		{Cost{}, UsageEntry, 64},              // reads bind: 2 per entry
		{StagedAudit, Cost{Writes: 1}, 127},   // writes bind
		{ShippedBatch, ShippedRecord, 127},    // the shipping transaction
		{Cost{Reads: 10}, Cost{Reads: 59}, 2}, // 10 + 2×59 = 128 fits exactly
		{Cost{Reads: 200}, UsageEntry, 1},     // nothing fits: at least one
	}
	for _, c := range cases {
		if got := Batch(etcd, c.fixed, c.each); got != c.want {
			t.Errorf("Batch(%+v, %+v) = %d, want %d", c.fixed, c.each, got, c.want)
		}
	}
	if !(Cost{Reads: 128, Writes: 128}).Fits(etcd) || (Cost{Reads: 129}).Fits(etcd) || (Cost{Writes: 129}).Fits(etcd) {
		t.Error("Fits disagrees with MaxOps")
	}
}

func TestIsKey(t *testing.T) {
	if !IsKey(Key("111122223333", "us-east-1", "k")) {
		t.Error("a key record is not recognised")
	}
	for _, other := range []string{
		Material("111122223333", "us-east-1", "k", 1), Alias("111122223333", "us-east-1", "alias/x"),
		Tags("111122223333", "us-east-1", "k"), Keys("111122223333", "us-east-1"), "acct//us-east-1/key/k",
		Due(time.Unix(1, 0), "111122223333", "us-east-1", "k", DueRotation),
	} {
		if IsKey(other) {
			t.Errorf("IsKey(%q) = true", other)
		}
	}
}

// TestGrantIndexSegments: a principal is one segment, so the prefix of one
// grantee's entries never holds another grantee's ("user/a" and
// "user/a/b"), and the escaping is injective.
func TestGrantIndexSegments(t *testing.T) {
	a := KeyGrantee("111122223333", "us-east-1", "k", "111122223333", "arn:aws:iam::111122223333:user/a")
	b := KeyGrantee("111122223333", "us-east-1", "k", "111122223333", "arn:aws:iam::111122223333:user/a/b")
	if strings.HasPrefix(b, a) || strings.HasPrefix(a, b) {
		t.Errorf("grantee prefixes overlap: %q %q", a, b)
	}
	if !strings.HasPrefix(a, KeyGrantees("111122223333", "us-east-1", "k", "111122223333")) {
		t.Errorf("%q is not under its account's grantees", a)
	}
	for _, pair := range [][2]string{{"a%2Fb", "a/b"}, {"x/", "x%2F"}} {
		if PrincipalSegment(pair[0]) == PrincipalSegment(pair[1]) || strings.Contains(PrincipalSegment(pair[1]), "/") {
			t.Errorf("PrincipalSegment(%q) and (%q) collide or contain /", pair[0], pair[1])
		}
	}
	if r := Retirable("777788889999", "us-east-1", "arn:aws:iam::777788889999:root"); !strings.HasPrefix(r, Account("777788889999", "us-east-1")) {
		t.Errorf("retirable index %q is not in the principal's account", r)
	}
}
