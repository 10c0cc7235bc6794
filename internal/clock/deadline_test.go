package clock

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

type deadlineKey struct{}

// deadlineState is what a context shows: its error, cause, deadline,
// whether Done is closed and a value from its parent.
type deadlineState struct {
	err, cause error
	deadline   time.Time
	done       bool
	value      any
}

func stateOf(ctx context.Context) deadlineState {
	s := deadlineState{err: ctx.Err(), cause: context.Cause(ctx), value: ctx.Value(deadlineKey{})}
	s.deadline, _ = ctx.Deadline()
	select {
	case <-ctx.Done():
		s.done = true
	default:
	}
	return s
}

// TestLazyDeadlineAgrees runs the same story against context.WithDeadline
// and WithLazyDeadline and compares what each shows.
func TestLazyDeadlineAgrees(t *testing.T) {
	boom := errors.New("boom")
	type story func(ctx context.Context, cancel, cancelParent func()) deadlineState
	settle := func(ctx context.Context) { // let an armed timer or a parent's cancel land
		select {
		case <-ctx.Done():
		case <-time.After(2 * time.Second):
		}
	}
	stories := map[string]struct {
		in     time.Duration // deadline from now
		parent time.Duration // the parent's own deadline, 0 for none
		run    story
	}{
		"live":                    {time.Hour, 0, func(ctx context.Context, _, _ func()) deadlineState { return stateOf(ctx) }},
		"earlier parent deadline": {time.Hour, time.Minute, func(ctx context.Context, _, _ func()) deadlineState { return stateOf(ctx) }},
		"past, unasked":           {-time.Second, 0, func(ctx context.Context, _, _ func()) deadlineState { return stateOf(ctx) }},
		"expires while waited on": {20 * time.Millisecond, 0, func(ctx context.Context, _, _ func()) deadlineState {
			settle(ctx)
			return stateOf(ctx)
		}},
		"expires unwatched, then Err": {20 * time.Millisecond, 0, func(ctx context.Context, _, _ func()) deadlineState {
			time.Sleep(40 * time.Millisecond)
			_ = ctx.Err()
			return stateOf(ctx)
		}},
		"cancelled before use": {time.Hour, 0, func(ctx context.Context, cancel, _ func()) deadlineState {
			cancel()
			return stateOf(ctx)
		}},
		"cancelled after Done": {time.Hour, 0, func(ctx context.Context, cancel, _ func()) deadlineState {
			_ = ctx.Done()
			cancel()
			return stateOf(ctx)
		}},
		"parent cancelled, unasked": {time.Hour, 0, func(ctx context.Context, _, cancelParent func()) deadlineState {
			cancelParent()
			return stateOf(ctx)
		}},
		"parent cancelled while waited on": {time.Hour, 0, func(ctx context.Context, _, cancelParent func()) deadlineState {
			_ = ctx.Done()
			cancelParent()
			settle(ctx)
			return stateOf(ctx)
		}},
		"child at the deadline": {20 * time.Millisecond, 0, func(ctx context.Context, _, _ func()) deadlineState {
			child, cancel := context.WithCancel(ctx)
			defer cancel()
			settle(child)
			return stateOf(child)
		}},
		"AfterFunc at the deadline": {20 * time.Millisecond, 0, func(ctx context.Context, _, _ func()) deadlineState {
			ran := make(chan struct{})
			context.AfterFunc(ctx, func() { close(ran) })
			select {
			case <-ran:
			case <-time.After(2 * time.Second):
				return deadlineState{err: errors.New("AfterFunc did not run")}
			}
			return stateOf(ctx)
		}},
	}
	for name, st := range stories {
		t.Run(name, func(t *testing.T) {
			var got, want deadlineState
			base := time.Now()
			for i, with := range []func(context.Context, time.Time) (context.Context, func()){
				func(p context.Context, d time.Time) (context.Context, func()) {
					ctx, cancel := context.WithDeadline(p, d)
					return ctx, cancel
				},
				WithLazyDeadline,
			} {
				parent := context.WithValue(context.Background(), deadlineKey{}, "v")
				if st.parent != 0 {
					var cancel func()
					parent, cancel = context.WithDeadline(parent, base.Add(st.parent))
					defer cancel()
				}
				parent, cancelParent := context.WithCancelCause(parent)
				ctx, cancel := with(parent, base.Add(st.in))
				s := st.run(ctx, cancel, func() { cancelParent(boom) })
				cancel()
				cancelParent(nil)
				if i == 0 {
					want = s
				} else {
					got = s
				}
			}
			if got != want {
				t.Fatalf("WithLazyDeadline shows %+v, context.WithDeadline %+v", got, want)
			}
		})
	}
}

// TestLazyDeadlineConcurrent is for -race: Done, Err, Value and cancel from
// several goroutines at once.
func TestLazyDeadlineConcurrent(t *testing.T) {
	for i := 0; i < 50; i++ {
		ctx, cancel := WithLazyDeadline(context.Background(), time.Now().Add(time.Millisecond))
		var wg sync.WaitGroup
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				switch g {
				case 0:
					<-ctx.Done()
				case 1:
					for ctx.Err() == nil {
						time.Sleep(100 * time.Microsecond)
					}
				case 2:
					_ = ctx.Value(deadlineKey{})
					cancel()
				case 3:
					child, c := context.WithCancel(ctx)
					<-child.Done()
					c()
				}
			}(g)
		}
		wg.Wait()
		if ctx.Err() == nil {
			t.Fatal("context not done")
		}
	}
}
