package leader

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"

	"github.com/trent-kms/trent/internal/clock"
)

// DefaultTTL is the session lease's time to live: the failover bound. A
// leader that dies holds leadership at most this long after its last
// renewal; one that shuts down hands it over at once.
const DefaultTTL = 5 * time.Second

// minTTL is etcd's smallest lease on default election timing (1.5 times
// the 1 s election timeout, rounded up); a shorter TTL would be raised by
// the server behind our back.
const minTTL = 2 * time.Second

// resignTimeout bounds giving up leadership at shutdown, so that a node
// cut off from etcd still stops; the lease then runs out on its own.
const resignTimeout = 2 * time.Second

// ErrNoLeader is Leader's answer when nobody leads.
var ErrNoLeader = errors.New("leader: no node leads")

// Why a term ends; logged, never shown to clients.
var (
	errLeaseGone        = errors.New("the session lease is gone from etcd")
	errLeaseUnconfirmed = errors.New("no lease renewal confirmed in time: etcd may expire the lease soon")
	errSessionEnded     = errors.New("the session's keep-alive stream ended")
	errKeyDeleted       = errors.New("this node's candidacy key was deleted")
	errLeadReturned     = errors.New("the lead function returned")
)

// Options configures an Election.
type Options struct {
	// Client talks to the etcd cluster. The Election does not close it.
	Client *clientv3.Client
	// Prefix is the election's key prefix in etcd (each candidate puts
	// one key under Prefix + "/"). Every node of a cluster uses the same.
	Prefix string
	// Name identifies this node in the election; Leader returns the
	// leader's Name.
	Name string
	// TTL is the session lease's time to live, in whole seconds, at
	// least 2 s. Zero means DefaultTTL.
	TTL time.Duration
	// Clock paces renewals, the lease deadline and the pause before
	// standing again. etcd times the lease in real time, so outside tests
	// it must be the real clock. Nil means clock.Real.
	Clock clock.Clock
	// MinBackoff and MaxBackoff bound the pause before standing again
	// after a term ended or failed; it doubles after each failure. Zero
	// means 100 ms and TTL.
	MinBackoff, MaxBackoff time.Duration
	// Log receives terms won and lost. Nil discards.
	Log *slog.Logger
}

// Election is leadership elected through etcd with
// go.etcd.io/etcd/client/v3/concurrency: each term is one session (a
// lease kept alive) and one campaign; the oldest candidacy key under the
// prefix leads.
type Election struct {
	cli        *clientv3.Client
	prefix     string
	name       string
	ttl        time.Duration
	clock      clock.Clock
	minBackoff time.Duration
	maxBackoff time.Duration
	log        *slog.Logger
	leading    atomic.Bool
}

var _ Leadership = (*Election)(nil)

// NewElection checks opts and returns an Election; Run takes part.
func NewElection(opts Options) (*Election, error) {
	if opts.Client == nil {
		return nil, errors.New("leader: no etcd client")
	}
	if opts.Prefix == "" {
		return nil, errors.New("leader: empty election prefix: every node must campaign under the same one")
	}
	if opts.Name == "" {
		return nil, errors.New("leader: empty node name: Leader could not tell who leads")
	}
	ttl := opts.TTL
	if ttl == 0 {
		ttl = DefaultTTL
	}
	if ttl < minTTL || ttl%time.Second != 0 {
		return nil, fmt.Errorf("leader: TTL %v: a lease TTL is whole seconds, at least %v", ttl, minTTL)
	}
	e := &Election{
		cli:        opts.Client,
		prefix:     opts.Prefix,
		name:       opts.Name,
		ttl:        ttl,
		clock:      opts.Clock,
		minBackoff: opts.MinBackoff,
		maxBackoff: opts.MaxBackoff,
		log:        opts.Log,
	}
	if e.clock == nil {
		e.clock = clock.Real{}
	}
	if e.minBackoff <= 0 {
		e.minBackoff = 100 * time.Millisecond
	}
	if e.maxBackoff <= 0 {
		e.maxBackoff = ttl
	}
	if e.maxBackoff < e.minBackoff {
		e.maxBackoff = e.minBackoff
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	return e, nil
}

// TTL is the session lease's time to live, the failover bound.
func (e *Election) TTL() time.Duration { return e.ttl }

// Leading reports whether lead is running on this node now.
func (e *Election) Leading() bool { return e.leading.Load() }

// Leader returns the Name of the node that leads now, as etcd sees it: the
// oldest candidacy key. It answers ErrNoLeader between terms.
func (e *Election) Leader(ctx context.Context) (string, error) {
	resp, err := e.cli.Get(ctx, e.prefix+"/", clientv3.WithFirstCreate()...)
	if err != nil {
		return "", fmt.Errorf("leader: read the election: %w", err)
	}
	if len(resp.Kvs) == 0 {
		return "", ErrNoLeader
	}
	return string(resp.Kvs[0].Value), nil
}

// Run stands for election until ctx is done, one term after another,
// pausing between them (doubling up to MaxBackoff while terms fail). It
// returns nil, or at shutdown the error of giving up leadership, in which
// case the successor waits for the lease to run out.
func (e *Election) Run(ctx context.Context, lead func(ctx context.Context)) error {
	backoff := e.minBackoff
	for {
		led, why, resignErr := e.term(ctx, lead)
		if ctx.Err() != nil {
			return resignErr
		}
		if led {
			backoff = e.minBackoff
			e.log.Warn("stopped leading background work", "node", e.name, "reason", why)
		} else {
			e.log.Warn("could not stand for leadership; retrying", "node", e.name, "error", why, "retry_in", backoff)
		}
		if clock.Sleep(ctx, e.clock, backoff) != nil {
			return nil
		}
		if !led {
			backoff = min(2*backoff, e.maxBackoff)
		}
	}
}

// term is one session: grant a lease, campaign, lead until the lease is
// in doubt or lead returns, then give the lease back. It reports whether
// this node led, why the term ended, and a failure to give up leadership.
func (e *Election) term(ctx context.Context, lead func(ctx context.Context)) (led bool, why, resignErr error) {
	termCtx, end := context.WithCancelCause(ctx)
	defer end(nil)

	// The lease cannot expire on etcd before granted+TTL: etcd starts
	// its clock after receiving the request, which is after this.
	granted := e.clock.Now()
	grant, err := e.cli.Grant(termCtx, int64(e.ttl/time.Second))
	if err != nil {
		return false, fmt.Errorf("grant a session lease: %w", err), nil
	}
	guard := newLeaseGuard(e.ttl, granted.Add(time.Duration(grant.TTL)*time.Second))
	// The session's context is detached from ctx because Session.Close
	// revokes the lease with it, and at shutdown that revoke is what
	// hands leadership over at once.
	sess, err := concurrency.NewSession(e.cli, concurrency.WithLease(grant.ID),
		concurrency.WithTTL(int(grant.TTL)), concurrency.WithContext(context.WithoutCancel(ctx)))
	if err != nil {
		e.revoke(ctx, grant.ID)
		return false, fmt.Errorf("start a session: %w", err), nil
	}
	defer func() {
		end(nil) // stop the term's helpers before the lease goes
		// Revoking the lease deletes the candidacy key, so a successor's
		// campaign wins now rather than when the lease runs out.
		if err := sess.Close(); err != nil && !errors.Is(err, rpctypes.ErrLeaseNotFound) && resignErr == nil {
			resignErr = fmt.Errorf("leader: revoke the session lease: %w", err)
		}
	}()
	go e.keepLease(termCtx, grant.ID, guard, end)
	go func() {
		select {
		case <-sess.Done():
			end(errSessionEnded)
		case <-termCtx.Done():
		}
	}()

	el := concurrency.NewElection(sess, e.prefix)
	if err := el.Campaign(termCtx, e.name); err != nil {
		return false, whyEnded(termCtx, fmt.Errorf("campaign: %w", err)), nil
	}
	// Campaign can return after the session's lease expired (it waits for
	// older keys' deletion, not for its own key's survival): lead only if
	// this node's key is still there, and stop if it ever goes.
	if err := e.watchOwnKey(termCtx, el, end); err != nil {
		return false, whyEnded(termCtx, err), nil
	}

	e.log.Info("leading background work", "node", e.name, "key", el.Key())
	e.leading.Store(true)
	lead(termCtx)
	e.leading.Store(false)
	end(errLeadReturned)

	resignCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), resignTimeout)
	defer cancel()
	// Resign deletes the candidacy key; if it fails (etcd unreachable),
	// the deferred revoke of the lease deletes it too, and only that
	// revoke's failure is worth reporting.
	_ = el.Resign(resignCtx)
	return true, context.Cause(termCtx), nil
}

// watchOwnKey checks that this node's candidacy key still exists and ends
// the term when it is deleted (the lease revoked by an operator, expired,
// or the key removed), or when the watch breaks and that can no longer be
// known.
func (e *Election) watchOwnKey(ctx context.Context, el *concurrency.Election, end context.CancelCauseFunc) error {
	resp, err := e.cli.Get(ctx, el.Key())
	if err != nil {
		return fmt.Errorf("confirm the candidacy key: %w", err)
	}
	if len(resp.Kvs) == 0 || resp.Kvs[0].CreateRevision != el.Rev() {
		return errKeyDeleted
	}
	wch := e.cli.Watch(ctx, el.Key(), clientv3.WithRev(resp.Header.Revision+1), clientv3.WithFilterPut())
	go func() {
		for wr := range wch {
			for _, ev := range wr.Events {
				if ev.Type == mvccpb.Event_DELETE {
					end(errKeyDeleted)
					return
				}
			}
			if err := wr.Err(); err != nil {
				end(fmt.Errorf("watch of the candidacy key failed: %w", err))
				return
			}
		}
		end(errors.New("watch of the candidacy key closed"))
	}()
	return nil
}

// revoke gives back a lease that no session holds, bounded in time.
func (e *Election) revoke(ctx context.Context, id clientv3.LeaseID) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), resignTimeout)
	defer cancel()
	_, _ = e.cli.Revoke(rctx, id)
}

// whyEnded prefers the cause that ended the term over the error it caused.
func whyEnded(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); cause != nil {
		return cause
	}
	return err
}
