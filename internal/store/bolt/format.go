package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"

	"go.etcd.io/bbolt"

	"github.com/trent-kms/trent/internal/store"
)

// On-disk layout, format version 1:
//
//	bucket "data": key → 8-byte big-endian revision ‖ value
//	bucket "meta": "format"   → uint32 big-endian, the format version
//	               "revision" → uint64 big-endian, the last committed revision
//
// Anything that changes this layout bumps formatVersion and adds a step to
// migrations, so an old file is upgraded on open and a newer file is refused
// instead of misread.
const formatVersion uint32 = 1

var (
	dataBucket  = []byte("data")
	metaBucket  = []byte("meta")
	formatKey   = []byte("format")
	revisionKey = []byte("revision")
)

// revisionSize is the length of the revision prefix of every stored value.
const revisionSize = 8

// migrations[v] upgrades a file from format v to v+1 inside the transaction
// that opens it, so a crash mid-migration leaves the old format intact.
// Format 1 is the first, so there is nothing to migrate yet; a file claiming
// a version with no step here (such as 0) is refused.
var migrations = map[uint32]func(*bbolt.Tx) error{}

// prepare makes the file at path usable by this code: it lays out a fresh
// file, migrates an older one, and refuses one it cannot read. It reports
// whether it changed anything, so Open commits (and fsyncs) only then.
func prepare(tx *bbolt.Tx, path string) (changed bool, err error) {
	meta := tx.Bucket(metaBucket)
	if meta == nil {
		return true, layOut(tx, path)
	}
	raw := meta.Get(formatKey)
	if len(raw) != 4 {
		return false, fmt.Errorf("data file %s has a malformed format version (%d bytes)", path, len(raw))
	}
	version := binary.BigEndian.Uint32(raw)
	if version > formatVersion {
		return false, fmt.Errorf("data file %s has format version %d; this trent understands up to %d", path, version, formatVersion)
	}
	for v := version; v < formatVersion; v++ {
		step, ok := migrations[v]
		if !ok {
			return false, fmt.Errorf("data file %s has format version %d, which this trent cannot migrate", path, v)
		}
		if err := step(tx); err != nil {
			return false, fmt.Errorf("data file %s: migrating format %d to %d: %w", path, v, v+1, err)
		}
		changed = true
	}
	if changed {
		if err := meta.Put(formatKey, binary.BigEndian.AppendUint32(nil, formatVersion)); err != nil {
			return false, err
		}
	}
	// Validate what every later transaction relies on, so a damaged file is
	// refused at start-up rather than failing the first request that writes.
	if tx.Bucket(dataBucket) == nil {
		return false, fmt.Errorf("data file %s has no %q bucket", path, dataBucket)
	}
	if _, err := lastRevision(tx); err != nil {
		return false, fmt.Errorf("data file %s: %w", path, err)
	}
	return changed, nil
}

// layOut initialises a file that has no meta bucket. A file that has other
// buckets but no meta bucket was not written by trent: refusing it keeps a
// wrong --data path from being taken over.
func layOut(tx *bbolt.Tx, path string) error {
	if name, _ := tx.Cursor().First(); name != nil {
		return fmt.Errorf("data file %s holds bucket %q but no trent format version; it is not a trent data file", path, name)
	}
	meta, err := tx.CreateBucket(metaBucket)
	if err != nil {
		return err
	}
	if _, err := tx.CreateBucket(dataBucket); err != nil {
		return err
	}
	if err := meta.Put(formatKey, binary.BigEndian.AppendUint32(nil, formatVersion)); err != nil {
		return err
	}
	return setLastRevision(tx, 0)
}

// lastRevision returns the revision of the last committed Update.
func lastRevision(tx *bbolt.Tx) (int64, error) {
	raw := tx.Bucket(metaBucket).Get(revisionKey)
	if len(raw) != 8 {
		return 0, fmt.Errorf("meta revision is malformed (%d bytes)", len(raw))
	}
	return int64(binary.BigEndian.Uint64(raw)), nil
}

// setLastRevision records revision as the last committed one; Update calls
// it only in a transaction that writes items stamped with it.
func setLastRevision(tx *bbolt.Tx, revision int64) error {
	return tx.Bucket(metaBucket).Put(revisionKey, binary.BigEndian.AppendUint64(nil, uint64(revision)))
}

// encodeItem builds the stored form of a value. It always allocates, which
// is also what makes Put safe against the caller reusing value: bbolt keeps
// a reference to the slice it is given until the transaction ends.
func encodeItem(revision int64, value []byte) []byte {
	buf := make([]byte, revisionSize, revisionSize+len(value))
	binary.BigEndian.PutUint64(buf, uint64(revision))
	return append(buf, value...)
}

// decodeItem splits a stored value and copies the value out of bbolt's
// read-only memory map, which is only valid until the transaction ends. A
// value too short to hold a revision is damage, never "not found".
func decodeItem(key string, raw []byte) (store.Item, error) {
	if len(raw) < revisionSize {
		return store.Item{}, fmt.Errorf("item %q is corrupt (%d bytes, shorter than its revision)", key, len(raw))
	}
	return store.Item{
		Key:      key,
		Value:    append([]byte{}, raw[revisionSize:]...),
		Revision: int64(binary.BigEndian.Uint64(raw)),
	}, nil
}

// checkLayout verifies what bbolt's own check cannot know: the format
// version, and that every item decodes and carries a revision no later than
// the last committed one. It stops at the first problem.
func checkLayout(tx *bbolt.Tx) error {
	meta, data := tx.Bucket(metaBucket), tx.Bucket(dataBucket)
	if meta == nil || data == nil {
		return errors.New("meta or data bucket is missing")
	}
	if raw := meta.Get(formatKey); len(raw) != 4 || binary.BigEndian.Uint32(raw) != formatVersion {
		return fmt.Errorf("format version is %x, want %d", raw, formatVersion)
	}
	last, err := lastRevision(tx)
	if err != nil {
		return err
	}
	return data.ForEach(func(k, v []byte) error {
		item, err := decodeItem(string(k), v)
		if err != nil {
			return err
		}
		if item.Revision < 1 || item.Revision > last {
			return fmt.Errorf("item %q has revision %d outside 1..%d", k, item.Revision, last)
		}
		return nil
	})
}
