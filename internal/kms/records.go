package kms

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/trent-kms/trent/internal/keys"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/store"
)

// Records. Where each lives in the store is package layout's business;
// here is what they hold. Each record is a JSON document {"format":N,...};
// format is the record's version, checked on read so an older binary never
// misreads a newer record.

const recordFormat = 1

// envelope is the versioned wrapper of every record.
type envelope[T any] struct {
	Format int `json:"format"`
	Data   T   `json:"data"`
}

func encodeRecord[T any](v T) ([]byte, error) {
	return json.Marshal(envelope[T]{Format: recordFormat, Data: v})
}

func decodeRecord[T any](b []byte) (T, error) {
	var env envelope[T]
	var zero T
	if err := json.Unmarshal(b, &env); err != nil {
		return zero, fmt.Errorf("kms: corrupt record: %w", err)
	}
	if env.Format != recordFormat {
		return zero, fmt.Errorf("kms: record format %d is not supported by this version (%d)", env.Format, recordFormat)
	}
	return env.Data, nil
}

// getRecord reads and decodes one record; store.ErrNotFound passes through.
func getRecord[T any](tx store.Tx, key string) (T, error) {
	var zero T
	item, err := tx.Get(key)
	if err != nil {
		return zero, err
	}
	return decodeRecord[T](item.Value)
}

func putRecord[T any](tx store.Tx, key string, v T) error {
	b, err := encodeRecord(v)
	if err != nil {
		return err
	}
	return tx.Put(key, b)
}

// putKey writes a key's metadata and keeps the scheduler index in step:
// the due entries of old (nil for a new key) are replaced by those of k.
func putKey(tx store.Tx, old, k *keys.Key) error {
	if err := putRecord(tx, layout.Key(k.Account, k.Region, k.ID), k); err != nil {
		return err
	}
	return syncDue(tx, old, k)
}

// syncDue replaces the scheduler index entries of old with those of k (k nil
// removes them).
func syncDue(tx store.Tx, old, k *keys.Key) error {
	oldEntries, newEntries := dueEntries(old), dueEntries(k)
	for key := range oldEntries {
		if !newEntries[key] {
			if err := tx.Delete(key); err != nil {
				return err
			}
		}
	}
	for key := range newEntries {
		if !oldEntries[key] {
			if err := tx.Put(key, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

func dueEntries(k *keys.Key) map[string]bool {
	out := map[string]bool{}
	if k == nil {
		return out
	}
	d := k.Due()
	if !d.Deletion.IsZero() {
		out[layout.Due(d.Deletion, k.Account, k.Region, k.ID, layout.DueDeletion)] = true
	}
	if !d.Rotation.IsZero() {
		out[layout.Due(d.Rotation, k.Account, k.Region, k.ID, layout.DueRotation)] = true
	}
	if !d.Expiry.IsZero() {
		out[layout.Due(d.Expiry, k.Account, k.Region, k.ID, layout.DueExpiry)] = true
	}
	return out
}

// aliasRecord is a stored alias.
type aliasRecord struct {
	Name        string    `json:"name"`
	TargetKeyID string    `json:"targetKeyId"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

// tagRecord is a stored tag set, in the order the tags were first added.
type tagRecord struct {
	Tags []storedTag `json:"tags"`
}

type storedTag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// policyRecord is a stored key policy, kept verbatim.
type policyRecord struct {
	Name     string `json:"name"`
	Document string `json:"document"`
}

// usageRecord is a key's last successful cryptographic use.
type usageRecord struct {
	Operation string    `json:"operation"`
	Time      time.Time `json:"time"`
	RequestID string    `json:"requestId"`
	EventID   string    `json:"eventId,omitempty"`
}
