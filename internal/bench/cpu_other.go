//go:build !linux

package bench

import (
	"errors"
	"time"
)

func readProcessCPU(int) (time.Duration, error) {
	return 0, errors.New("server CPU time is read from /proc/PID/stat: Linux only")
}
