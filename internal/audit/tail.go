package audit

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// eventIDsAfter reads the event IDs of the records in the log at path from
// position at on, or from the start if the file is not the one at names
// or is shorter than at. Lines that are not records (a torn write) are
// skipped.
func eventIDsAfter(path string, at Position) (map[string]bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("audit: read %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("audit: read %s: %w", path, err)
	}
	start := int64(0)
	if dev, ino := fileID(fi); dev == at.Dev && ino == at.Ino && fi.Size() >= at.Offset {
		start = at.Offset
	}
	if _, err := f.Seek(start, io.SeekStart); err != nil {
		return nil, fmt.Errorf("audit: read %s: %w", path, err)
	}
	ids := map[string]bool{}
	r := bufio.NewReader(f)
	for {
		line, err := r.ReadBytes('\n')
		var rec struct {
			EventID string `json:"eventID"`
		}
		if json.Unmarshal(line, &rec) == nil && rec.EventID != "" {
			ids[rec.EventID] = true
		}
		if errors.Is(err, io.EOF) {
			return ids, nil
		}
		if err != nil {
			return nil, fmt.Errorf("audit: read %s: %w", path, err)
		}
	}
}
