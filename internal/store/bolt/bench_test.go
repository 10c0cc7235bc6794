package bolt

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/trent-kms/trent/internal/store"
)

const benchKeys = 10_000

func benchKey(i int) string { return fmt.Sprintf("key/%08d/metadata", i) }

// preload fills s with benchKeys items of 256 bytes, 100 per Update (the
// limit is 127 writes).
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

// benchWriterCounts are the concurrency levels of issue 11.
var benchWriterCounts = []int{1, 16, 64}

// BenchmarkUpdateConcurrent is CreateKey's store work without the service:
// each Update writes a key record and an audit outbox entry of about the
// sizes CreateKey writes, from 1, 16 and 64 goroutines at once. Every
// Update is durable when it returns, so this is fsyncs per second times
// Updates per fsync.
func BenchmarkUpdateConcurrent(b *testing.B) {
	record := make([]byte, 400)
	entry := make([]byte, 1200)
	for _, writers := range benchWriterCounts {
		b.Run("writers="+strconv.Itoa(writers), func(b *testing.B) {
			s := openTemp(b)
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			for range writers {
				wg.Go(func() {
					for {
						i := next.Add(1)
						if i > int64(b.N) {
							return
						}
						err := s.Update(context.Background(), func(tx store.Tx) error {
							if err := tx.Put(benchKey(int(i)), record); err != nil {
								return err
							}
							return tx.Put(fmt.Sprintf("outbox/%016d", i), entry)
						})
						if err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
		})
	}
}
