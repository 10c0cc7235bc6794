package kms

import (
	"context"
	"reflect"
	"testing"

	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/bolt"
)

// TestKeyRecordIsAFlatValue: the key record cache hands out shallow copies
// as private copies, which holds only while keys.Key has no slice, map or
// pointer anywhere inside it. A field that breaks this must change the
// cache first.
func TestKeyRecordIsAFlatValue(t *testing.T) {
	var check func(path string, typ reflect.Type)
	check = func(path string, typ reflect.Type) {
		switch typ.Kind() {
		case reflect.Slice, reflect.Map, reflect.Pointer, reflect.Interface, reflect.Chan, reflect.Func:
			t.Errorf("%s is a %s: a shallow copy of keys.Key would share it", path, typ.Kind())
		case reflect.Struct:
			if typ.PkgPath() == "time" {
				return // time.Time's pointer is its immutable *Location
			}
			for i := range typ.NumField() {
				f := typ.Field(i)
				check(path+"."+f.Name, f.Type)
			}
		}
	}
	check("Key", reflect.TypeOf(keys.Key{}))
}

// TestKeyRecordCache: a cached record is used only for the same bytes, and
// a copy handed out can be changed without changing the cache.
func TestKeyRecordCache(t *testing.T) {
	st, err := bolt.Open(t.TempDir()+"/t.db", bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	const path = "k"
	write := func(k *keys.Key) {
		t.Helper()
		if err := st.Update(ctx, func(tx store.Tx) error { return putRecord(tx, path, k) }); err != nil {
			t.Fatal(err)
		}
	}
	read := func(c *keyRecordCache) *keys.Key {
		t.Helper()
		var k *keys.Key
		if err := st.View(ctx, func(tx store.Tx) (err error) { k, err = c.get(tx, path); return err }); err != nil {
			t.Fatal(err)
		}
		return k
	}
	c := newKeyRecordCache(DefaultCacheKeys)
	write(&keys.Key{ID: "a", State: keys.StateEnabled, Description: "first"})
	k := read(c)
	k.Description = "changed by a caller"
	if again := read(c); again.Description != "first" {
		t.Fatalf("a caller's change reached the cache: %q", again.Description)
	}
	write(&keys.Key{ID: "a", State: keys.StateDisabled, Description: "second"})
	if k := read(c); k.State != keys.StateDisabled || k.Description != "second" {
		t.Fatalf("stale record after a write: %+v", k)
	}
	// A write rolled back after a read inside its transaction leaves the
	// stored record, which the cache must still return.
	_ = st.Update(ctx, func(tx store.Tx) error {
		if err := putRecord(tx, path, &keys.Key{ID: "a", Description: "never committed"}); err != nil {
			return err
		}
		if k, err := c.get(tx, path); err != nil || k.Description != "never committed" {
			t.Fatalf("in-transaction read: %+v %v", k, err)
		}
		return context.Canceled
	})
	if k := read(c); k.Description != "second" {
		t.Fatalf("read %q after a rolled-back write, want the committed record", k.Description)
	}
}
