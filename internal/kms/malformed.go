package kms

import (
	"log/slog"
	"sync"
)

// malformedEntries remembers the scheduler index and trash entries that do
// not parse. The scheduler skips them, so that one bad entry cannot stop
// every other key's rotation and deletion, and reports each once: a log
// warning and a count that operators (and metrics) can read.
type malformedEntries struct {
	mu   sync.Mutex
	seen map[string]bool
}

// maxRememberedMalformed bounds the memory a store full of damage can take;
// beyond it entries are still skipped, only not counted again.
const maxRememberedMalformed = 10000

func (m *malformedEntries) note(log *slog.Logger, key string, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.seen[key] || len(m.seen) >= maxRememberedMalformed {
		return
	}
	if m.seen == nil {
		m.seen = map[string]bool{}
	}
	m.seen[key] = true
	log.Warn("skipping a malformed scheduler entry; the work it names, if any, will not run until it is repaired", "entry", key, "error", err.Error())
}

func (m *malformedEntries) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.seen)
}

// SchedulerStats are counters of the scheduler's bookkeeping.
type SchedulerStats struct {
	// MalformedEntries is the number of distinct scheduler index and trash
	// entries found unparseable and skipped since the service started.
	MalformedEntries int
}

// SchedulerStats returns the scheduler's counters.
func (s *Service) SchedulerStats() SchedulerStats {
	return SchedulerStats{MalformedEntries: s.malformed.count()}
}
