package storetest

import (
	"bytes"
	"context"
	"errors"
	"strconv"

	"github.com/trent-kms/trent/internal/store"
)

func testClosed(t T, h Harness) {
	s := open(t, h)
	put(t, s, "k", "v")
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	ran := false
	fn := func(store.Tx) error { ran = true; return nil }
	if err := s.View(context.Background(), fn); !errors.Is(err, store.ErrClosed) {
		t.Errorf("View after Close = %v, want ErrClosed", err)
	}
	if err := s.Update(context.Background(), fn); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Update after Close = %v, want ErrClosed", err)
	}
	if ran {
		t.Errorf("fn ran after Close")
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
}

func testPersistence(t T, h Harness) {
	s := open(t, h)
	put(t, s, "k1", "v1", "k2", "v2", "gone", "x", "big", string(bytes.Repeat([]byte{0xab}, 64<<10)))
	if err := s.Update(context.Background(), func(tx store.Tx) error { return tx.Delete("gone") }); err != nil {
		t.Fatalf("%v", err)
	}
	before := map[string]store.Item{}
	for _, k := range []string{"k1", "k2", "big"} {
		before[k] = get(t, s, k)
	}
	for range 2 {
		s.Store = h.Reopen(t, s.Store)
		for k, want := range before {
			got := get(t, s, k)
			if !bytes.Equal(got.Value, want.Value) || got.Revision != want.Revision {
				t.Errorf("after Reopen %q = %d bytes rev %d, want %d bytes rev %d", k, len(got.Value), got.Revision, len(want.Value), want.Revision)
			}
		}
		wantMissing(t, s, "gone")
	}
}

func testRevisionsAfterReopen(t T, h Harness) {
	s := open(t, h)
	var last int64
	for i := range 3 {
		put(t, s, "k", strconv.Itoa(i))
		it := get(t, s, "k")
		if it.Revision <= last {
			t.Errorf("Update %d after %d reopens: revision %d, want > %d", i, i, it.Revision, last)
		}
		last = it.Revision
		s.Store = h.Reopen(t, s.Store)
		if got := get(t, s, "k").Revision; got != last {
			t.Errorf("revision %d became %d across Reopen", last, got)
		}
	}
}
