package kms

import (
	"testing"

	"golang.org/x/sys/unix"
)

// TestGenerationThreadPriority: lowerThreadPriority gives the calling
// goroutine's thread keygenNice, and only that thread.
func TestGenerationThreadPriority(t *testing.T) {
	before, err := unix.Getpriority(unix.PRIO_PROCESS, unix.Gettid())
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan int, 1)
	go func() {
		lowerThreadPriority()
		// The raw syscall returns 20 - nice (so that it is never
		// negative), as glibc's wrapper undoes.
		p, err := unix.Getpriority(unix.PRIO_PROCESS, unix.Gettid())
		if err != nil {
			t.Error(err)
		}
		got <- 20 - p
		// Ends locked: the thread ends too.
	}()
	if nice := <-got; nice != keygenNice {
		t.Errorf("generation thread nice = %d, want %d", nice, keygenNice)
	}
	after, err := unix.Getpriority(unix.PRIO_PROCESS, unix.Gettid())
	if err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("the test's own thread changed priority: %d -> %d", before, after)
	}
}
