package audit

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
)

// maxLine bounds one record when reading a log back. The largest records
// hold a key policy (at most 32,768 characters, escaped) in their
// parameters, so 1 MiB is ample.
const maxLine = 1 << 20

// ReadRecords reads a JSON Lines audit log back, failing on a line that is
// not a record (for tools and tests; a torn last line after a crash is
// such a line).
func ReadRecords(r io.Reader) ([]Record, error) {
	var out []Record
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	for n := 1; sc.Scan(); n++ {
		var rec Record
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return nil, fmt.Errorf("audit: line %d is not a record: %w", n, err)
		}
		out = append(out, rec)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("audit: read: %w", err)
	}
	return out, nil
}
