package kms

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// lowPriorityThreads: Linux keeps a nice value per thread.
const lowPriorityThreads = true

// lowerThreadPriority locks the calling goroutine to its OS thread and
// gives the thread the lowest priority. The goroutine must end without
// unlocking, so the thread ends with it rather than serving other
// goroutines at that priority. Failure (a seccomp filter, say) leaves the
// thread at its priority: generation still works, only less politely.
func lowerThreadPriority() {
	runtime.LockOSThread()
	_ = unix.Setpriority(unix.PRIO_PROCESS, unix.Gettid(), keygenNice)
}
