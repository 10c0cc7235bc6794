package kms

import (
	"context"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/store"
)

// update commits the change a request makes, together with the request's
// audit record: fn does the change in tx and returns the operation's output
// (what the record's responseElements show), and the record is staged in
// the same transaction. So the change is never committed without its
// record and is never acknowledged before the record is durable (docs/
// architecture.md, "Audit"). Every request-driven store write goes through
// here; a test checks there is no other Update in request paths.
//
// fn may run more than once (the store reruns it after a conflict). Each
// attempt starts from what the request had recorded before the
// transaction, so a rolled-back attempt leaves nothing in the record.
func (s *Service) update(ctx context.Context, fn func(tx store.Tx) (output any, err error)) error {
	return s.commit(ctx, nil, fn)
}

// updateKnown is update for a change whose output is known before the
// transaction (CreateKey): the audit record is built and encoded first, on
// the request's goroutine, so that the store's group commit, which runs
// the functions of a batch one after another, spends its serial time on
// the change alone. fn must record nothing in the request's audit details:
// the record is already made.
func (s *Service) updateKnown(ctx context.Context, output any, fn func(tx store.Tx) error) error {
	rec := audit.DetailsFrom(ctx).Record(output, nil)
	if rec == nil {
		return s.commit(ctx, nil, func(tx store.Tx) (any, error) { return output, fn(tx) })
	}
	prepared, err := audit.Prepare(rec)
	if err != nil {
		return kmserr.Internal(err)
	}
	return s.commit(ctx, &prepared, func(tx store.Tx) (any, error) { return output, fn(tx) })
}

// commit runs fn in a store transaction and stages the request's audit
// record with its change: prepared if given, else the record built from
// fn's output.
func (s *Service) commit(ctx context.Context, prepared *audit.Prepared, fn func(tx store.Tx) (output any, err error)) error {
	d := audit.DetailsFrom(ctx)
	mark := d.Mark()
	err := s.store.Update(ctx, func(tx store.Tx) error {
		d.Rewind(mark)
		out, err := fn(tx)
		if err != nil {
			return err
		}
		if prepared != nil {
			return s.audit.StagePrepared(tx, *prepared)
		}
		rec := d.Record(out, nil)
		if rec == nil {
			return nil // not a request (a test calling the service directly)
		}
		return s.audit.Stage(tx, rec)
	})
	if err != nil {
		return storeErr(err)
	}
	d.MarkStaged()
	s.audit.Kick()
	return nil
}

// serviceEvent commits a change Trent makes on its own (rotation,
// deletion) together with its AwsServiceEvent record; see update. fn
// reports whether it made the change the record describes (it may instead
// only drop a stale index entry); the record is staged only then, and
// must not be nil then. The record is built by the caller outside the
// transaction, which may run again.
func (s *Service) serviceEvent(ctx context.Context, rec *audit.Record, fn func(tx store.Tx) (changed bool, err error)) (bool, error) {
	var changed bool
	err := s.store.Update(ctx, func(tx store.Tx) error {
		var err error
		if changed, err = fn(tx); err != nil || !changed {
			return err
		}
		return s.audit.Stage(tx, rec)
	})
	if err != nil {
		return false, err
	}
	if changed {
		s.audit.Kick()
	}
	return changed, nil
}
