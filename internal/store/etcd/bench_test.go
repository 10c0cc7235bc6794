package etcd

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/trent-kms/trent/internal/store"
)

// The benchmarks run on the single embedded member, over loopback, with
// etcd's fsync on: an Update is one linearizable read plus one Txn through
// raft; a View is one linearizable read.

func benchStore(b *testing.B) *Store {
	s := openAt(b, newPrefix(), single.Get(b).ClientURLs[0])
	b.Cleanup(func() { s.Close() })
	setValueB(b, s, "counter", "0")
	return s
}

func setValueB(b *testing.B, s *Store, key, value string) {
	err := s.Update(context.Background(), func(tx store.Tx) error { return tx.Put(key, []byte(value)) })
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkUpdate: a read-modify-write of one key, one writer.
func BenchmarkUpdate(b *testing.B) {
	s := benchStore(b)
	var attempts atomic.Int32
	for b.Loop() {
		if err := s.Update(context.Background(), increment("counter", &attempts)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUpdateParallel: writers on distinct keys, so none conflicts;
// shows what concurrent commits cost each other.
func BenchmarkUpdateParallel(b *testing.B) {
	s := benchStore(b)
	var next atomic.Int32
	b.RunParallel(func(pb *testing.PB) {
		key := "counter-" + string(rune('a'+next.Add(1)))
		setValueB(b, s, key, "0")
		var attempts atomic.Int32
		for pb.Next() {
			if err := s.Update(context.Background(), increment(key, &attempts)); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkView: one Get in a View.
func BenchmarkView(b *testing.B) {
	s := benchStore(b)
	for b.Loop() {
		err := s.View(context.Background(), func(tx store.Tx) error {
			_, err := tx.Get("counter")
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
