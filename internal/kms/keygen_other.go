//go:build !linux

package kms

// lowPriorityThreads: elsewhere Trent does not lower thread priorities, so
// it adds no Ps either; the limiter alone bounds generation.
const lowPriorityThreads = false

func lowerThreadPriority() {}
