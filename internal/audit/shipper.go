package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/store"
)

// The record of a change is written ahead: it is put into the store's
// outbox in the same transaction as the change (Stage), so the change is
// never committed without it and never acknowledged before it is durable.
// The Shipper then moves outbox records into the log file: it appends a
// batch, fsyncs the file, and only then deletes the batch from the outbox
// and records where the file ended (layout.MetaAuditShipped). A crash
// between the fsync and that commit leaves records both in the file and in
// the outbox; Recover, run before serving, finds their event IDs in the
// file after the recorded position and does not append them again. So
// every committed change has exactly one record in the log. Within one
// run, a batch whose confirming commit fails is remembered, so the next
// round confirms it without appending it again.
//
// Each node has its own outbox (layout.NodeOutboxPrefix) and its own
// position (layout.AuditShipped): on a store several nodes share, a node
// ships the records of the requests it served, and only those, to its own
// log file. Records a crash left in the outbox of layout version 2 (one
// for the whole store) are shipped by Recover, by whichever node starts
// first.

// ShipRetryInterval is how often the shipper looks at the outbox when
// nothing kicks it, e.g. to retry after the log file could not be written.
const ShipRetryInterval = time.Second

// Shipper stages records of changes and ships them to the log file.
type Shipper struct {
	store store.Store
	// node is the node's ID: it names the node's outbox and position.
	node  string
	file  *FileWriter
	clock clock.Clock
	log   *slog.Logger
	kick  chan struct{}
	// mu makes shipping rounds, Recover and Reopen take turns, so that a
	// batch is appended and confirmed in the same file.
	mu sync.Mutex
	// unconfirmed holds the event IDs of records appended to the file
	// whose removal from the outbox failed to commit (guarded by mu): the
	// next round removes them without appending them again.
	unconfirmed map[string]bool
}

// NewShipper returns a shipper from the outbox of node nodeID in st to
// file. nodeID must be unique among the nodes sharing st and the same on
// every start of the node (records a crash leaves in its outbox are
// shipped by the next start with that ID); it contains no "/".
func NewShipper(st store.Store, nodeID string, file *FileWriter, clk clock.Clock, log *slog.Logger) *Shipper {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Shipper{store: st, node: nodeID, file: file, clock: clk, log: log, kick: make(chan struct{}, 1)}
}

// outbox is where a shipper finds records and records how far its file
// holds them.
type outbox struct {
	prefix, mark string
}

func (s *Shipper) own() outbox {
	return outbox{prefix: layout.NodeOutboxPrefix(s.node), mark: layout.AuditShipped(s.node)}
}

// legacy is the outbox of layout version 2.
var legacy = outbox{prefix: layout.LegacyOutboxPrefix, mark: layout.MetaAuditShipped}

// Stage puts rec into tx's outbox. It is a write of the transaction like
// any other: committed with it or not at all.
func (s *Shipper) Stage(tx store.Tx, rec *Record) error {
	p, err := Prepare(rec)
	if err != nil {
		return err
	}
	return s.StagePrepared(tx, p)
}

// Prepared is a record encoded ahead of the transaction that stages it.
// A change whose record is known before its transaction starts (CreateKey
// knows its response in advance) encodes it outside, so the group commit's
// serial section only copies bytes.
type Prepared struct {
	eventID string
	line    []byte
}

// Prepare encodes rec for StagePrepared.
func Prepare(rec *Record) (Prepared, error) {
	line, err := encodeLine(rec)
	if err != nil {
		return Prepared{}, fmt.Errorf("audit: encode record: %w", err)
	}
	defer releaseLine(line)
	// The store may keep the value until the transaction ends, so it gets
	// its own copy (without the newline the shipper adds) rather than the
	// pooled buffer.
	return Prepared{eventID: rec.EventID, line: bytes.Clone((*line)[:len(*line)-1])}, nil
}

// StagePrepared puts a prepared record into tx's outbox, as Stage does. A
// transaction that runs again may stage the same Prepared again.
func (s *Shipper) StagePrepared(tx store.Tx, p Prepared) error {
	return tx.Put(layout.Outbox(s.node, s.clock.Now(), p.eventID), p.line)
}

// Kick asks for a shipping round soon (after a commit that staged
// records). It never blocks.
func (s *Shipper) Kick() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// ShipSpacing is the least time between two shipping rounds of Run. Every
// commit kicks the shipper, and every round costs an fsync of the log file
// and a store commit; under load, rounds one per group commit took a third
// of CreateKey's CPU. The records wait durably in the store meanwhile, so
// spacing the rounds only delays when they appear in the file.
const ShipSpacing = 50 * time.Millisecond

// Run ships on every kick, at most once per ShipSpacing, and every
// ShipRetryInterval, until ctx ends.
func (s *Shipper) Run(ctx context.Context) {
	t := s.clock.NewTicker(ShipRetryInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.kick:
		case <-t.C():
		}
		if err := s.Ship(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("shipping audit records to the log file failed; they stay in the store and will be retried", "error", err.Error())
		}
		if clock.Sleep(ctx, s.clock, ShipSpacing) != nil {
			return
		}
	}
}

// Ship moves every record in the outbox to the log file.
func (s *Shipper) Ship(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ship(ctx, s.own(), nil)
}

// Recover ships what a crash left in the node's outbox and in the legacy
// one, leaving out the records the log file already holds. Run it before
// the node serves.
func (s *Shipper) Recover(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, box := range []outbox{legacy, s.own()} {
		if err := s.recover(ctx, box); err != nil {
			return err
		}
	}
	return nil
}

func (s *Shipper) recover(ctx context.Context, box outbox) error {
	var pending bool
	err := s.store.View(ctx, func(tx store.Tx) error {
		items, err := tx.Scan(box.prefix, "", 1)
		pending = len(items) > 0
		return err
	})
	if err != nil || !pending {
		return err
	}
	shipped, err := s.shippedAfterMark(ctx, box.mark)
	if err != nil {
		return err
	}
	return s.ship(ctx, box, shipped)
}

// Reopen reopens the log file (log rotation) between shipping rounds.
func (s *Shipper) Reopen() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.file.Reopen()
}

// ship moves box to the file in batches that fit one transaction, leaving
// out the event IDs in skip. The caller holds s.mu.
func (s *Shipper) ship(ctx context.Context, box outbox, skip map[string]bool) error {
	if s.unconfirmed == nil {
		s.unconfirmed = map[string]bool{}
	}
	batch := layout.Batch(s.store.Limits(), layout.ShippedBatch, layout.ShippedRecord)
	for {
		var items []store.Item
		err := s.store.View(ctx, func(tx store.Tx) error {
			var err error
			items, err = tx.Scan(box.prefix, "", batch)
			return err
		})
		if err != nil || len(items) == 0 {
			return err
		}
		var lines bytes.Buffer
		var appended []string
		for _, it := range items {
			id, _ := layout.OutboxEventID(it.Key)
			if id != "" && (skip[id] || s.unconfirmed[id]) {
				continue
			}
			lines.Write(it.Value)
			lines.WriteByte('\n')
			appended = append(appended, id)
		}
		at := s.file.Position()
		if lines.Len() > 0 {
			if at, err = s.file.AppendDurable(lines.Bytes()); err != nil {
				return err
			}
		}
		for _, id := range appended {
			s.unconfirmed[id] = true
		}
		mark, err := json.Marshal(at)
		if err != nil {
			return err
		}
		// The batch is in the file: confirm it even if the round's context
		// has ended meanwhile (a shutdown), rather than leave it to be
		// confirmed by the next round.
		err = s.store.Update(context.WithoutCancel(ctx), func(tx store.Tx) error {
			for _, it := range items {
				if err := tx.Delete(it.Key); err != nil {
					return err
				}
			}
			return tx.Put(box.mark, mark)
		})
		if err != nil {
			return err
		}
		for _, it := range items {
			if id, _ := layout.OutboxEventID(it.Key); id != "" {
				delete(s.unconfirmed, id)
			}
		}
	}
}

// shippedAfterMark returns the event IDs of the records in the log file
// after the position the last confirmed batch recorded at markKey: the only
// records a crash can have left both in the file and in the outbox. If the
// file is not the one the position names (rotated away) or is shorter, the
// whole file is read.
func (s *Shipper) shippedAfterMark(ctx context.Context, markKey string) (map[string]bool, error) {
	var mark Position
	err := s.store.View(ctx, func(tx store.Tx) error {
		item, err := tx.Get(markKey)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return json.Unmarshal(item.Value, &mark)
	})
	if err != nil {
		return nil, fmt.Errorf("audit: read the shipped position: %w", err)
	}
	return eventIDsAfter(s.file.Path(), mark)
}
