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
	// they record and not yet shipped to a log file: every node's outbox
	// and the legacy one.
	OutboxPrefix = "outbox/"
	// LegacyOutboxPrefix is the outbox of layout version 2, shared by
	// whatever node served the change. A store of that version may hold
	// records there that a crash left; the node ships them when it starts.
	LegacyOutboxPrefix = OutboxPrefix + "audit/"
	// nodeOutboxPrefix is the parent of the per-node outboxes.
	nodeOutboxPrefix = OutboxPrefix + "node/"
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

// NodeOutboxPrefix is the prefix of the audit records staged by the node
// named nodeID: each node ships the records of the requests it served to
// its own log file, so on a store shared by several nodes no record is
// shipped twice or to the wrong file. nodeID must contain no "/".
func NodeOutboxPrefix(nodeID string) string { return nodeOutboxPrefix + nodeID + "/" }

// Outbox is the key of an audit record staged by a node at a time. Keys
// sort by that time, so records ship roughly in the order they were
// committed.
func Outbox(nodeID string, at time.Time, eventID string) string {
	return NodeOutboxPrefix(nodeID) + instant(at) + "/" + eventID
}

// LegacyOutbox is the key layout version 2 gave an audit record (tests
// build old stores with it).
func LegacyOutbox(at time.Time, eventID string) string {
	return LegacyOutboxPrefix + instant(at) + "/" + eventID
}

// OutboxEventID returns the event ID an outbox key names, in a node's
// outbox or the legacy one.
func OutboxEventID(k string) (string, error) {
	rest, ok := strings.CutPrefix(k, LegacyOutboxPrefix)
	if !ok {
		var node string
		rest, ok = strings.CutPrefix(k, nodeOutboxPrefix)
		node, rest, _ = strings.Cut(rest, "/")
		ok = ok && node != ""
	}
	at, id, found := strings.Cut(rest, "/")
	if _, err := parseInstant(at); !ok || !found || err != nil || id == "" || strings.Contains(id, "/") {
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
