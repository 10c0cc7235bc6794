package bench

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Server CPU time. On this VM the host steals up to 40% of a core within
// a minute, so ops/s measured one server after another drifts. CPU time
// per request does not: a pinned, CPU-bound server burns the same
// microseconds per request however fast the core runs that minute, and
// steal is not charged to it.

// userHZ is the unit of utime and stime in /proc/PID/stat. It is
// sysconf(_SC_CLK_TCK), fixed at 100 by the kernel's ABI on every
// architecture Go supports on Linux (reading it needs cgo).
const userHZ = 100

// parseProcStat returns utime+stime from the text of /proc/PID/stat. The
// command name (field 2) is in parentheses and may itself hold spaces and
// parentheses, so fields are counted from the last ')'.
func parseProcStat(stat string) (time.Duration, error) {
	end := strings.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, errors.New("no ')' after the command name")
	}
	// After ')': state(3) ppid(4) ... utime(14) stime(15).
	fields := strings.Fields(stat[end+1:])
	const utime, stime = 14 - 3, 15 - 3
	if len(fields) <= stime {
		return 0, fmt.Errorf("%d fields after the command name, want more than %d", len(fields), stime)
	}
	var ticks uint64
	for _, i := range []int{utime, stime} {
		n, err := strconv.ParseUint(fields[i], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("field %d: %v", i+3, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * (time.Second / userHZ), nil
}

// ProcessCPU returns a function that reads the CPU time (user + system,
// all threads, 10 ms resolution) process pid has used so far; its error
// says if the platform cannot (ProcessCPU works on Linux only) or the
// process is gone.
func ProcessCPU(pid int) (func() (time.Duration, error), error) {
	if pid <= 0 {
		return nil, fmt.Errorf("process id %d is not positive", pid)
	}
	read := func() (time.Duration, error) { return readProcessCPU(pid) }
	if _, err := read(); err != nil {
		return nil, err
	}
	return read, nil
}
