package bench

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

func readProcessCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, fmt.Errorf("server CPU time: %w", err)
	}
	d, err := parseProcStat(string(b))
	if err != nil {
		return 0, fmt.Errorf("server CPU time: /proc/%d/stat: %w", pid, err)
	}
	return d, nil
}
