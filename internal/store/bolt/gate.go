package bolt

import "go.etcd.io/bbolt"

// Why read transactions are gated
//
// bbolt's Tx.Commit (v1.5.0, tx.go: Commit → writeMeta) writes the new
// meta page into the file and only then calls fdatasync. The file is
// mapped shared, so a read transaction that begins between the two reads
// the new meta page and with it the whole commit, before the commit is
// durable. A power cut in that window loses a commit that a reader has
// already acted on: the service could hand out a ciphertext under key
// material that never reached the disk.
//
// The store therefore keeps a gate: an Update holds it exclusively across
// Commit, and a read transaction holds it shared only while it begins.
// A View or Check that begins during a commit waits for the commit's
// fdatasync, then reads it; one that had begun before reads its snapshot
// undisturbed. Only the begin waits, so a long View never delays a
// commit's return, and Views still run alongside each other and alongside
// an Update's fn.
//
// Lock order, to keep clear of bbolt's mmaplock: a commit that grows the
// file remaps it, taking mmaplock exclusively and so waiting for every
// open read transaction, each of which holds mmaplock shared from begin to
// end. That is safe because no read transaction waits for the gate while
// holding mmaplock: the gate is taken before bbolt's Begin and released as
// soon as it returns. (Taking the gate after Begin would deadlock: the
// reader holds mmaplock and waits for the gate, the committer holds the
// gate and waits for mmaplock.) A View must still not call View or Update
// from inside its fn, which deadlocks bbolt on its own.
//
// Not covered: if the fdatasync itself fails, the meta page is already in
// the file, so transactions that begin afterwards read a commit that
// Update reported as failed and that may not be on disk. Closing that
// needs the store to stop serving after a failed commit until it is
// reopened, as PostgreSQL stops after a failed fsync.

// beginRead starts a read transaction once no commit is between writing
// its meta page and returning from fdatasync.
func (s *Store) beginRead() (*bbolt.Tx, error) {
	s.gate.RLock()
	defer s.gate.RUnlock()
	return s.begin(false)
}

// commit commits btx with new read transactions held back until it is
// durable (or has failed).
func (s *Store) commit(btx *bbolt.Tx) error {
	s.gate.Lock()
	defer s.gate.Unlock()
	return btx.Commit()
}
