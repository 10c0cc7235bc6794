package etcd

import "testing"

func TestPrefixEnd(t *testing.T) {
	for _, c := range []struct {
		p, want string
		ok      bool
	}{
		{"a/", "a0", true},
		{"a\xff", "b", true},
		{"a\xff\xff", "b", true},
		{"\xff", "", false},
		{"", "", false},
	} {
		if got, ok := prefixEnd(c.p); got != c.want || ok != c.ok {
			t.Errorf("prefixEnd(%q) = %q, %v; want %q, %v", c.p, got, ok, c.want, c.ok)
		}
	}
}

func TestScanRange(t *testing.T) {
	ks := newKeyspace("x/")
	for _, c := range []struct {
		prefix, after, start, end string
	}{
		{"", "", "x/d/", "x/d0"},
		{"a/", "", "x/d/a/", "x/d/a0"},
		{"a/", "a/1", "x/d/a/1\x00", "x/d/a0"},
		{"a/", "0", "x/d/a/", "x/d/a0"},    // after below the prefix
		{"a/", "b", "x/d/b\x00", "x/d/a0"}, // after past it: empty
		{"\xff", "", "x/d/\xff", "x/d0"},   // no end of its own
	} {
		start, end := ks.scanRange(c.prefix, c.after)
		if start != c.start || end != c.end {
			t.Errorf("scanRange(%q, %q) = [%q, %q), want [%q, %q)", c.prefix, c.after, start, end, c.start, c.end)
		}
	}
}
