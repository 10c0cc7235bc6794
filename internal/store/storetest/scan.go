package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/trent-kms/trent/internal/store"
)

func testScan(t T, h Harness) {
	s := open(t, h)
	keys := []string{
		"a", "a/", "a/1", "a/10", "a/2", "a/2/x", "a/3", "a0", "b/1",
		"\xfe", "\xff", "\xff\x00", "\xff\xff",
	}
	var kv []string
	// Put in reverse so that insertion order cannot pass for key order.
	for _, k := range slices.Backward(keys) {
		kv = append(kv, k, "v:"+k)
	}
	put(t, s, kv...)
	aSlash := []string{"a/", "a/1", "a/10", "a/2", "a/2/x", "a/3"}
	cases := []struct {
		prefix, after string
		limit         int
		want          []string
	}{
		{"a/", "", 0, aSlash},
		{"a/", "", -1, aSlash},
		{"a/", "", 1, []string{"a/"}},
		{"a/", "", 100, aSlash},
		{"a/", "a/", 0, aSlash[1:]},
		{"a/", "a/2", 0, []string{"a/2/x", "a/3"}},
		{"a/", "a/10", 2, []string{"a/2", "a/2/x"}},
		{"a/", "a/15", 0, []string{"a/2", "a/2/x", "a/3"}},
		{"a/", "a/3", 0, nil},
		{"a/", "b", 0, nil},
		{"b/", "a", 0, []string{"b/1"}},
		{"a", "", 0, []string{"a", "a/", "a/1", "a/10", "a/2", "a/2/x", "a/3", "a0"}},
		{"", "", 0, keys},
		{"", "a0", 3, []string{"b/1", "\xfe", "\xff"}},
		{"\xff", "", 0, []string{"\xff", "\xff\x00", "\xff\xff"}},
		{"\xff", "\xff", 0, []string{"\xff\x00", "\xff\xff"}},
		{"\xff\xff", "", 0, []string{"\xff\xff"}},
		{"zzz", "", 0, nil},
	}
	err := s.View(context.Background(), func(tx store.Tx) error {
		for _, c := range cases {
			items, err := tx.Scan(c.prefix, c.after, c.limit)
			if err != nil {
				t.Errorf("Scan(%q, %q, %d): %v", c.prefix, c.after, c.limit, err)
				continue
			}
			var got []string
			for _, it := range items {
				got = append(got, it.Key)
				if string(it.Value) != "v:"+it.Key || it.Revision <= 0 {
					t.Errorf("Scan(%q, %q, %d) item %q = %q rev %d", c.prefix, c.after, c.limit, it.Key, it.Value, it.Revision)
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("Scan(%q, %q, %d) = %q, want %q", c.prefix, c.after, c.limit, got, c.want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("%v", err)
	}
}

// testScanPages pages through a prefix the way the List operations will,
// and checks an empty store scans to nothing.
func testScanPages(t T, h Harness) {
	s := open(t, h)
	err := s.View(context.Background(), func(tx store.Tx) error {
		if got := scanKeys(t, tx, "", "", 0); len(got) != 0 {
			t.Errorf("Scan of an empty store = %q", got)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("%v", err)
	}
	var want, kv []string
	for i := range 25 {
		k := fmt.Sprintf("p/%03d", i)
		want = append(want, k)
		kv = append(kv, k, "v")
	}
	put(t, s, append(kv, "o/x", "v", "q/x", "v")...)
	var got []string
	err = s.View(context.Background(), func(tx store.Tx) error {
		after := ""
		for range 20 {
			page := scanKeys(t, tx, "p/", after, 4)
			got = append(got, page...)
			if len(page) < 4 {
				return nil
			}
			after = page[len(page)-1]
		}
		return errors.New("paging did not end")
	})
	if err != nil {
		t.Fatalf("%v", err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("pages = %q, want %q", got, want)
	}
}
