package layout

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The scheduler index, the trash and the audit outbox: keys that name work
// to do, parsed back by whoever does it.

const (
	// DuePrefix is the prefix of the scheduler index.
	DuePrefix = "due/"
	// TrashPrefix is the prefix of keys whose deletion is in progress.
	TrashPrefix = "trash/"
	// OutboxPrefix is the prefix of audit records committed with the change
	// they record and not yet shipped to the log file.
	OutboxPrefix = "outbox/audit/"
)

// ErrMalformed is wrapped by the errors of the parse functions.
var ErrMalformed = errors.New("layout: malformed entry")

// DueKind is what the scheduler has to do.
type DueKind string

// Scheduled work.
const (
	DueDeletion DueKind = "delete"
	DueRotation DueKind = "rotate"
	// DueExpiry deletes imported key material whose ValidTo has passed.
	DueExpiry DueKind = "expire"
)

// DueEntry is a parsed scheduler index key.
type DueEntry struct {
	At                     time.Time
	Account, Region, KeyID string
	Kind                   DueKind
}

// Key returns the index key of e.
func (e DueEntry) Key() string {
	return DuePrefix + instant(e.At) + "/" + e.Account + "/" + e.Region + "/" + e.KeyID + "/" + string(e.Kind)
}

// Due is the index key of work of kind on a key at a time.
func Due(at time.Time, account, region, keyID string, kind DueKind) string {
	return DueEntry{At: at, Account: account, Region: region, KeyID: keyID, Kind: kind}.Key()
}

// ParseDue parses a scheduler index key.
func ParseDue(k string) (DueEntry, error) {
	parts := strings.Split(strings.TrimPrefix(k, DuePrefix), "/")
	if !strings.HasPrefix(k, DuePrefix) || len(parts) != 5 {
		return DueEntry{}, fmt.Errorf("%w: scheduler index %q", ErrMalformed, k)
	}
	at, err := parseInstant(parts[0])
	if err != nil || parts[1] == "" || parts[2] == "" || parts[3] == "" {
		return DueEntry{}, fmt.Errorf("%w: scheduler index %q", ErrMalformed, k)
	}
	kind := DueKind(parts[4])
	if kind != DueDeletion && kind != DueRotation && kind != DueExpiry {
		return DueEntry{}, fmt.Errorf("%w: scheduler index %q names unknown work", ErrMalformed, k)
	}
	return DueEntry{At: at, Account: parts[1], Region: parts[2], KeyID: parts[3], Kind: kind}, nil
}

// DueUntil returns the smallest index key that sorts after every entry due
// at or before t, so a scan can stop there.
func DueUntil(t time.Time) string { return DuePrefix + instant(t) + "0" }

// Trash is the marker of a key whose records are being deleted.
func Trash(account, region, keyID string) string {
	return TrashPrefix + account + "/" + region + "/" + keyID
}

// ParseTrash parses a trash marker.
func ParseTrash(k string) (account, region, keyID string, err error) {
	parts := strings.Split(strings.TrimPrefix(k, TrashPrefix), "/")
	if !strings.HasPrefix(k, TrashPrefix) || len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return "", "", "", fmt.Errorf("%w: trash marker %q", ErrMalformed, k)
	}
	return parts[0], parts[1], parts[2], nil
}

// Outbox is the key of an audit record staged at a time. Keys sort by that
// time, so records ship roughly in the order they were committed.
func Outbox(at time.Time, eventID string) string {
	return OutboxPrefix + instant(at) + "/" + eventID
}

// OutboxEventID returns the event ID an outbox key names.
func OutboxEventID(k string) (string, error) {
	rest, ok := strings.CutPrefix(k, OutboxPrefix)
	_, id, found := strings.Cut(rest, "/")
	if !ok || !found || id == "" {
		return "", fmt.Errorf("%w: audit outbox %q", ErrMalformed, k)
	}
	return id, nil
}

// instant names a time exactly and so that key order is time order:
// sixteen digits of Unix seconds, a dot, nine digits of nanoseconds. Times
// before 1970 are not used (key dates are never in the past of the store).
func instant(t time.Time) string {
	return fmt.Sprintf("%016d.%09d", t.Unix(), t.Nanosecond())
}

func parseInstant(s string) (time.Time, error) {
	sec, nsec, ok := strings.Cut(s, ".")
	if !ok || len(sec) != 16 || len(nsec) != 9 {
		return time.Time{}, ErrMalformed
	}
	secs, err1 := strconv.ParseUint(sec, 10, 63)
	nanos, err2 := strconv.ParseUint(nsec, 10, 32)
	if err1 != nil || err2 != nil {
		return time.Time{}, ErrMalformed
	}
	return time.Unix(int64(secs), int64(nanos)).UTC(), nil
}
