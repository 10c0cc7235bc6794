package bolt

import (
	"context"
	"fmt"
	"testing"

	"github.com/trent-kms/trent/internal/store"
)

const benchKeys = 10_000

func benchKey(i int) string { return fmt.Sprintf("key/%08d/metadata", i) }

// preload fills s with benchKeys items of 256 bytes, 100 per Update (the
// limit is 128 writes).
func preload(b *testing.B, s *Store) {
	value := make([]byte, 256)
	for start := 0; start < benchKeys; start += 100 {
		err := s.Update(context.Background(), func(tx store.Tx) error {
			for i := start; i < start+100; i++ {
				if err := tx.Put(benchKey(i), value); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUpdatePut is dominated by the fsync every commit pays.
func BenchmarkUpdatePut(b *testing.B) {
	s := openTemp(b)
	value := make([]byte, 256)
	i := 0
	for b.Loop() {
		key := benchKey(i)
		i++
		if err := s.Update(context.Background(), func(tx store.Tx) error { return tx.Put(key, value) }); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkViewGet(b *testing.B) {
	s := openTemp(b)
	preload(b, s)
	i := 0
	for b.Loop() {
		key := benchKey(i * 7919 % benchKeys)
		i++
		err := s.View(context.Background(), func(tx store.Tx) error {
			_, err := tx.Get(key)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScan reads one 100-item page, as a List call would.
func BenchmarkScan(b *testing.B) {
	s := openTemp(b)
	preload(b, s)
	i := 0
	for b.Loop() {
		after := benchKey(i * 7919 % (benchKeys - 100))
		i++
		err := s.View(context.Background(), func(tx store.Tx) error {
			items, err := tx.Scan("key/", after, 100)
			if err == nil && len(items) != 100 {
				err = fmt.Errorf("Scan returned %d items", len(items))
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
