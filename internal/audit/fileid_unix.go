//go:build unix

package audit

import (
	"io/fs"
	"syscall"
)

// fileID identifies the file behind fi, so a position recorded in the
// store can tell the log file it was taken in from one that replaced it.
func fileID(fi fs.FileInfo) (dev, ino uint64) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Dev), st.Ino
	}
	return 0, 0
}
