package kms

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// Every alias ListAliases lists before first use must create its key on
// first use, with a description and a kms:ViaService name.
func TestPredefinedAliasesAreManaged(t *testing.T) {
	t.Parallel()
	if !slices.IsSorted(predefinedAliasNames) || len(slices.Compact(slices.Clone(predefinedAliasNames))) != len(predefinedServices) {
		t.Fatalf("predefined names not sorted or not unique: %v", predefinedAliasNames)
	}
	for _, name := range predefinedAliasNames {
		if !isManagedAliasName(name) {
			t.Errorf("%s is listed but creates no key", name)
		}
	}
	for svc, m := range managedServices {
		if m.what == "" || m.via == "" || strings.ContainsAny(svc+m.via, "/. ") {
			t.Errorf("managed service %q: %+v", svc, m)
		}
	}
}

func TestMergeAliasNames(t *testing.T) {
	t.Parallel()
	pre := []string{"alias/aws/b", "alias/aws/d", "alias/aws/f"}
	show := func(page []pageName) string {
		var b strings.Builder
		for _, n := range page {
			kind := "p"
			if n.stored {
				kind = "s"
			}
			fmt.Fprintf(&b, "%s:%s ", kind, strings.TrimPrefix(n.name, "alias/"))
		}
		return strings.TrimSpace(b.String())
	}
	tests := []struct {
		name   string
		stored []string
		after  string
		limit  int
		want   string
		more   bool
	}{
		{"nothing stored", nil, "", 10, "p:aws/b p:aws/d p:aws/f", false},
		{"stored around and between", []string{"alias/a", "alias/aws/c", "alias/z"}, "", 10,
			"s:a p:aws/b s:aws/c p:aws/d p:aws/f s:z", false},
		{"a stored predefined name listed once, as stored", []string{"alias/aws/d"}, "", 10, "p:aws/b s:aws/d p:aws/f", false},
		{"limit cuts before a predefined name", []string{"alias/a"}, "", 2, "s:a p:aws/b", true},
		{"limit cuts on the last name", []string{"alias/a"}, "", 4, "s:a p:aws/b p:aws/d p:aws/f", false},
		{"after a predefined name", []string{"alias/z"}, "alias/aws/b", 10, "p:aws/d p:aws/f s:z", false},
		{"after a name in neither list", nil, "alias/aws/c", 10, "p:aws/d p:aws/f", false},
		{"after everything", nil, "alias/zzz", 10, "", false},
		{"more stored than the page shows", []string{"alias/a", "alias/b"}, "", 1, "s:a", true},
	}
	for _, tc := range tests {
		page, more := mergeAliasNames(tc.stored, pre, tc.after, tc.limit)
		if got := show(page); got != tc.want || more != tc.more {
			t.Errorf("%s: got %q more=%v, want %q more=%v", tc.name, got, more, tc.want, tc.more)
		}
	}
}

// TestMergeAliasNamesPaging walks every page size over stored sets that
// overlap the predefined names in every way, feeding each page what
// ListAliases feeds it (the first limit+1 stored names after the marker),
// and checks that the pages list the union once, in order.
func TestMergeAliasNamesPaging(t *testing.T) {
	t.Parallel()
	pre := predefinedAliasNames
	pool := slices.Concat(pre[:4], []string{"alias/A", "alias/app", "alias/aws/ecr", "alias/aws/sqs", "alias/awsa", "alias/aws_x", "alias/zed"})
	for mask := range 1 << len(pool) {
		if mask%7 != 0 && mask != 1<<len(pool)-1 { // a spread of subsets keeps the test fast
			continue
		}
		var stored []string
		for i, name := range pool {
			if mask&(1<<i) != 0 {
				stored = append(stored, name)
			}
		}
		slices.Sort(stored)
		want := slices.Compact(slices.Sorted(slices.Values(slices.Concat(stored, pre))))
		for limit := 1; limit <= len(want)+1; limit++ {
			var got []string
			after := ""
			for pages := 0; ; pages++ {
				if pages > len(want)+1 {
					t.Fatalf("stored %v, limit %d: never ends", stored, limit)
				}
				i, found := slices.BinarySearch(stored, after)
				if found {
					i++
				}
				page, more := mergeAliasNames(stored[i:min(len(stored), i+limit+1)], pre, after, limit)
				if len(page) > limit || (more && len(page) != limit) {
					t.Fatalf("stored %v, limit %d: page of %d, more=%v", stored, limit, len(page), more)
				}
				for _, n := range page {
					if _, isStored := slices.BinarySearch(stored, n.name); isStored != n.stored {
						t.Fatalf("stored %v: %s marked stored=%v", stored, n.name, n.stored)
					}
					got = append(got, n.name)
				}
				if !more {
					break
				}
				after = page[len(page)-1].name
			}
			if !slices.Equal(got, want) {
				t.Fatalf("stored %v, limit %d:\n got %v\nwant %v", stored, limit, got, want)
			}
		}
	}
}
