package etcd

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/trent-kms/trent/internal/store"
)

// usernameSlack is room in the request for the name of an authenticated
// etcd user, which the server adds to the request header before it checks
// --max-request-bytes.
const usernameSlack = 256

// commit sends t's writes in one Txn, guarded by compares on everything t
// read, and reports whether it was applied: false means a compare failed
// (another writer changed what fn read) or the commit was refused in a way
// a new attempt may cure; nothing was written then.
//
// The Txn carries, besides the writes, the put of a fresh marker key and
// the compare that the marker does not exist yet; outcome.go explains how
// they settle a commit whose reply was lost.
func (s *Store) commit(ctx context.Context, t *tx) (bool, error) {
	if len(t.writes) == 0 {
		// An Update that only read has read one snapshot, which is a
		// serial point of its own; there is nothing to commit.
		return true, nil
	}
	lease, err := s.markers.current(ctx)
	if err != nil {
		return false, s.commitError(ctx, "grant the commit marker's lease", err)
	}
	marker := s.keys.markers + newMarkerID()
	cmps := t.compares()
	cmps = append(cmps, markerAbsent(marker))
	ops := t.ops(s.keys)
	ops = append(ops, clientv3.OpPut(marker, committedMark, clientv3.WithLease(lease.id)))

	if n := requestSize(cmps, t, s.keys, marker, lease.id); n+usernameSlack > s.maxRequest {
		// Only keys read that are far longer than any the service uses
		// get here (see requestReserve); the budget admitted the rest.
		return false, fmt.Errorf("store/etcd: the commit would be a %d-byte request, over the server's --max-request-bytes of %d (the keys read are too long to compare): %w", n, s.maxRequest, store.ErrTooLarge)
	}
	s.stats.commits.Add(1)
	resp, err := s.cli.Txn(ctx).If(cmps...).Then(ops...).Commit()
	if err == nil {
		if resp.Succeeded {
			s.noteSeen(resp.Header.Revision)
		}
		return resp.Succeeded, nil
	}
	if !outcomeUnknown(err) {
		if errors.Is(err, rpctypes.ErrLeaseNotFound) {
			// The lease ended sooner than our clock said it would; take
			// a new one and try again.
			s.markers.forget(lease)
			return false, nil
		}
		return false, s.commitError(ctx, "commit", err)
	}
	return s.settle(ctx, marker, lease, err)
}

// compares guards the commit on t's snapshot: every key read still has the
// ModRevision it had then (0: still absent), and no key in a scanned range
// was written after it.
func (t *tx) compares() []clientv3.Cmp {
	keys := make([]string, 0, len(t.readRevs))
	for k := range t.readRevs {
		keys = append(keys, k)
	}
	slices.Sort(keys) // a stable request, for logs and tests
	cmps := make([]clientv3.Cmp, 0, len(keys)+len(t.guards)+1)
	for _, k := range keys {
		cmps = append(cmps, clientv3.Compare(clientv3.ModRevision(t.s.keys.item(k)), "=", t.readRevs[k]))
	}
	for _, g := range t.guards {
		cmps = append(cmps, clientv3.Compare(clientv3.ModRevision(g.start).WithRange(g.end), "<", t.rev+1))
	}
	return cmps
}

// ops returns t's writes as etcd operations, in key order.
func (t *tx) ops(ks keyspace) []clientv3.Op {
	ops := make([]clientv3.Op, 0, len(t.writes)+1)
	for _, k := range t.writeKeys() {
		if w := t.writes[k]; w.deleted {
			ops = append(ops, clientv3.OpDelete(ks.item(k)))
		} else {
			ops = append(ops, clientv3.OpPut(ks.item(k), string(w.value)))
		}
	}
	return ops
}

func (t *tx) writeKeys() []string {
	keys := make([]string, 0, len(t.writes))
	for k := range t.writes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// requestSize is the size of the raft request etcd builds from the commit
// and holds to --max-request-bytes: the Txn in an InternalRaftRequest whose
// header has its largest ID and auth revision.
func requestSize(cmps []clientv3.Cmp, t *tx, ks keyspace, marker string, lease clientv3.LeaseID) int {
	txn := &pb.TxnRequest{}
	for i := range cmps {
		txn.Compare = append(txn.Compare, cmps[i].GetCompare())
	}
	for _, k := range t.writeKeys() {
		if w := t.writes[k]; w.deleted {
			txn.Success = append(txn.Success, &pb.RequestOp{Request: &pb.RequestOp_RequestDeleteRange{RequestDeleteRange: &pb.DeleteRangeRequest{Key: []byte(ks.item(k))}}})
		} else {
			txn.Success = append(txn.Success, &pb.RequestOp{Request: &pb.RequestOp_RequestPut{RequestPut: &pb.PutRequest{Key: []byte(ks.item(k)), Value: w.value}}})
		}
	}
	txn.Success = append(txn.Success, &pb.RequestOp{Request: &pb.RequestOp_RequestPut{RequestPut: &pb.PutRequest{Key: []byte(marker), Value: []byte(committedMark), Lease: int64(lease)}}})
	return proto.Size(&pb.InternalRaftRequest{
		Header: &pb.RequestHeader{ID: math.MaxUint64, AuthRevision: math.MaxUint64},
		Txn:    txn,
	})
}

// outcomeUnknown reports whether a failed Txn may have been applied: the
// request may have reached the cluster before the connection, the leader
// or the deadline gave out. Only errors that say the server refused the
// request before applying it are known not to have been applied.
func outcomeUnknown(err error) bool {
	var code codes.Code
	var etcdErr rpctypes.EtcdError
	if errors.As(err, &etcdErr) {
		code = etcdErr.Code()
	} else if st, ok := status.FromError(err); ok {
		code = st.Code()
	} else {
		return true // a context error, or one of the connection's
	}
	switch code {
	case codes.InvalidArgument, codes.NotFound, codes.AlreadyExists, codes.PermissionDenied,
		codes.ResourceExhausted, codes.FailedPrecondition, codes.OutOfRange,
		codes.Unimplemented, codes.Unauthenticated:
		return false
	}
	return true
}

// commitError translates an error that settles the commit as not applied.
// The cluster's not answering in time is ErrUnavailable; a refusal of the
// request is not.
func (s *Store) commitError(ctx context.Context, what string, err error) error {
	switch {
	case s.closed.Load():
		return store.ErrClosed
	case ctx.Err() != nil:
		return fmt.Errorf("store/etcd: %s: %w: %w", what, ctx.Err(), store.ErrUnavailable)
	case errors.Is(err, rpctypes.ErrTooManyOps), errors.Is(err, rpctypes.ErrRequestTooLarge):
		return fmt.Errorf("store/etcd: %s: the server refused a transaction within the declared limits %+v (is it running with a --max-txn-ops or --max-request-bytes below the store's options?): %w", what, s.limits, err)
	case outcomeUnknown(err):
		return fmt.Errorf("store/etcd: %s: %w: %w", what, err, store.ErrUnavailable)
	}
	return fmt.Errorf("store/etcd: %s: %w", what, err)
}
