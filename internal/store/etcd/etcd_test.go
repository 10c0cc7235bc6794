package etcd

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/trent-kms/trent/internal/store"
	"github.com/trent-kms/trent/internal/store/storetest"
)

// openAt opens a store on the given members under prefix, failing the test
// if it cannot.
func openAt(t storetest.T, prefix string, endpoints ...string) *Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10e9)
	defer cancel()
	s, err := Open(ctx, Options{Endpoints: endpoints, Prefix: prefix})
	if err != nil {
		t.Fatalf("Open(%v): %v", endpoints, err)
	}
	return s
}

// TestSuiteSingleMember runs the conformance suite against one etcd member.
// Reopen closes the client and connects a new one to the same prefix.
func TestSuiteSingleMember(t *testing.T) {
	c := single.Get(t)
	storetest.Run(t, storetest.Harness{
		Open: func(t storetest.T) store.Store { return openAt(t, newPrefix(), c.ClientURLs[0]) },
		Reopen: func(t storetest.T, s store.Store) store.Store {
			prefix := s.(*Store).keys.data[:len(s.(*Store).keys.data)-len("d/")]
			if err := s.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			return openAt(t, prefix, c.ClientURLs[0])
		},
	})
}

// TestSuiteThreeMembers runs the conformance suite against a three-member
// cluster through spread: every store the suite opens is one client per
// member on the same prefix, and its transactions take turns among them, so
// the concurrency cases race writers connected to different members.
func TestSuiteThreeMembers(t *testing.T) {
	c := trio.Get(t)
	storetest.Run(t, storetest.Harness{
		Open: func(t storetest.T) store.Store { return openSpread(t, newPrefix(), c.ClientURLs) },
		Reopen: func(t storetest.T, s store.Store) store.Store {
			sp := s.(*spread)
			if err := sp.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			return openSpread(t, sp.prefix, c.ClientURLs)
		},
	})
}

// spread is one store made of a client per member, sharing a prefix; each
// View and Update goes to the next member in turn.
type spread struct {
	prefix string
	stores []*Store
	next   atomic.Uint64
}

func openSpread(t storetest.T, prefix string, endpoints []string) *spread {
	sp := &spread{prefix: prefix}
	for _, e := range endpoints {
		sp.stores = append(sp.stores, openAt(t, prefix, e))
	}
	return sp
}

func (sp *spread) pick() *Store {
	return sp.stores[(sp.next.Add(1)-1)%uint64(len(sp.stores))]
}

func (sp *spread) View(ctx context.Context, fn func(store.Tx) error) error {
	return sp.pick().View(ctx, fn)
}

func (sp *spread) Update(ctx context.Context, fn func(store.Tx) error) error {
	return sp.pick().Update(ctx, fn)
}

func (sp *spread) Limits() store.Limits { return sp.stores[0].Limits() }

func (sp *spread) Close() error {
	var errs []error
	for _, s := range sp.stores {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}
