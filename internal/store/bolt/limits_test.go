package bolt

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/store"
)

// TestTooLargeSaysHowMuch checks what the suite cannot: the refusal names
// the operation and the counts, so the caller can see how far over it went.
func TestTooLargeSaysHowMuch(t *testing.T) {
	s := openTemp(t)
	for start := 0; start < 200; start += 100 {
		err := s.Update(context.Background(), func(tx store.Tx) error {
			for i := start; i < start+100; i++ {
				if err := tx.Put(fmt.Sprintf("p/%03d", i), nil); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name string
		fn   func(tx store.Tx) error
		want string
	}{
		{"writes", func(tx store.Tx) error {
			for i := range limits.MaxOps + 1 {
				if err := tx.Put(fmt.Sprintf("k%d", i), nil); err != nil {
					return err
				}
			}
			return nil
		}, "Put would take the Update to 128 writes, over the limit of 127"},
		{"reads", func(tx store.Tx) error {
			for i := range limits.MaxOps {
				if _, err := tx.Get(fmt.Sprintf("k%d", i)); !errors.Is(err, store.ErrNotFound) {
					return err
				}
			}
			_, err := tx.Scan("none/", "", 0)
			return err
		}, "Scan would take the Update to 128 reads, over the limit of 127"},
		// The Scan stops at the 127th item, when it cannot fit any more.
		{"a Scan of 200 items", func(tx store.Tx) error {
			_, err := tx.Scan("p/", "", 0)
			return err
		}, "Scan would take the Update to 128 reads, over the limit of 127"},
		{"bytes", func(tx store.Tx) error {
			return tx.Put("k", make([]byte, limits.MaxBytes))
		}, fmt.Sprintf("Put would take the Update to %d bytes written, over the limit of %d", limits.MaxBytes+1, limits.MaxBytes)},
	}
	for _, c := range cases {
		err := s.Update(context.Background(), c.fn)
		if !errors.Is(err, store.ErrTooLarge) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Update = %v, want ErrTooLarge saying %q", c.name, err, c.want)
		}
	}
}
