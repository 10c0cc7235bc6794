package storetest

import (
	"bytes"
	"context"
	"errors"

	"github.com/trent-kms/trent/internal/store"
)

func testGetMissing(t T, h Harness) {
	s := open(t, h)
	wantMissing(t, s, "missing")
	// Neighbours of a stored key must not be mistaken for it by a
	// seek-based lookup.
	put(t, s, "ab", "v")
	for _, key := range []string{"a", "abc", "aa", "b"} {
		wantMissing(t, s, key)
	}
	err := s.Update(context.Background(), func(tx store.Tx) error {
		_, err := tx.Get("missing")
		return err
	})
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get in Update = %v, want ErrNotFound", err)
	}
}

func testRoundTrip(t T, h Harness) {
	s := open(t, h)
	big := make([]byte, 1<<20)
	for i := range big {
		big[i] = byte(i*7 + i>>8)
	}
	cases := []struct{ key, value string }{
		{"plain", "value"},
		{"empty-value", ""},
		{"big", string(big)},
		{"a/b/c/", "slashes"},
		{"ключ/日本/🔑", "unicode"},
		{"\xff", "one 0xff byte"},
		{"k\xff\xfe\x00end", "high and NUL bytes"},
	}
	for _, c := range cases {
		put(t, s, c.key, c.value)
	}
	for _, c := range cases {
		got := get(t, s, c.key)
		if got.Key != c.key || !bytes.Equal(got.Value, []byte(c.value)) {
			t.Errorf("Get(%q) = key %q, %d-byte value; want the %d bytes put", c.key, got.Key, len(got.Value), len(c.value))
		}
		if got.Revision <= 0 {
			t.Errorf("Get(%q).Revision = %d, want > 0", c.key, got.Revision)
		}
	}
	put(t, s, "plain", "replaced")
	wantValue(t, s, "plain", "replaced")
}

func testDeleteMissing(t T, h Harness) {
	s := open(t, h)
	put(t, s, "k", "v")
	for range 2 {
		err := s.Update(context.Background(), func(tx store.Tx) error {
			if err := tx.Delete("never-existed"); err != nil {
				return err
			}
			return tx.Delete("k")
		})
		if err != nil {
			t.Fatalf("Update(Delete): %v", err)
		}
		wantMissing(t, s, "k")
	}
}

func testRevisions(t T, h Harness) {
	s := open(t, h)
	put(t, s, "a", "1", "b", "1")
	a1, b1 := get(t, s, "a"), get(t, s, "b")
	if a1.Revision <= 0 || a1.Revision != b1.Revision {
		t.Fatalf("one Update gave revisions %d and %d, want one positive revision", a1.Revision, b1.Revision)
	}
	put(t, s, "b", "2", "c", "2")
	a2, b2, c2 := get(t, s, "a"), get(t, s, "b"), get(t, s, "c")
	if b2.Revision <= b1.Revision || c2.Revision != b2.Revision {
		t.Errorf("second Update: b rev %d, c rev %d; want equal and > %d", b2.Revision, c2.Revision, b1.Revision)
	}
	if a2.Revision != a1.Revision {
		t.Errorf("a not written, but its revision went %d → %d", a1.Revision, a2.Revision)
	}
	// Writing the same bytes again is still a write.
	put(t, s, "a", "1")
	if a3 := get(t, s, "a"); a3.Revision <= b2.Revision {
		t.Errorf("rewriting a gave revision %d, want > %d", a3.Revision, b2.Revision)
	}
	// A key deleted and created again must not look unchanged to a reader
	// that remembered its old revision.
	last := get(t, s, "c").Revision
	if err := s.Update(context.Background(), func(tx store.Tx) error { return tx.Delete("c") }); err != nil {
		t.Fatalf("%v", err)
	}
	put(t, s, "c", "2")
	if c3 := get(t, s, "c"); c3.Revision <= last {
		t.Errorf("recreated c has revision %d, want > %d", c3.Revision, last)
	}
	// Scan reports the same revisions as Get.
	var items []store.Item
	err := s.View(context.Background(), func(tx store.Tx) error {
		var err error
		items, err = tx.Scan("", "", 0)
		return err
	})
	if err != nil {
		t.Fatalf("%v", err)
	}
	for _, it := range items {
		if g := get(t, s, it.Key); g.Revision != it.Revision {
			t.Errorf("%q: Scan revision %d, Get revision %d", it.Key, it.Revision, g.Revision)
		}
	}
}

func testValuesAreCopies(t T, h Harness) {
	s := open(t, h)
	var buf []byte
	err := s.Update(context.Background(), func(tx store.Tx) error {
		// A fresh slice per attempt: fn may run more than once, and
		// mutating a slice from outside would be a side effect.
		buf = []byte("original")
		if err := tx.Put("k", buf); err != nil {
			return err
		}
		// Mutated after Put but before commit: the store keeps what Put saw.
		buf[0] = 'X'
		it, err := tx.Get("k")
		if err != nil {
			return err
		}
		if string(it.Value) != "original" {
			t.Errorf("Get after mutating Put's slice = %q", it.Value)
		}
		it.Value[0] = 'Y'
		return nil
	})
	if err != nil {
		t.Fatalf("%v", err)
	}
	copy(buf, "mutated!")
	wantValue(t, s, "k", "original")

	err = s.View(context.Background(), func(tx store.Tx) error {
		it, err := tx.Get("k")
		if err != nil {
			return err
		}
		clear(it.Value)
		items, err := tx.Scan("", "", 0)
		if err != nil {
			return err
		}
		clear(items[0].Value)
		again, err := tx.Get("k")
		if err != nil {
			return err
		}
		if string(again.Value) != "original" {
			t.Errorf("Get after mutating returned values in the same View = %q", again.Value)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("%v", err)
	}
	wantValue(t, s, "k", "original")
}
