package metrics

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trent-kms/trent/internal/clock"
)

// KeyCount is the number of keys in one state with one key spec.
type KeyCount struct {
	State, Spec string
	Keys        int
}

// Counting the keys reads every key record, so its cost grows with the
// store: a few milliseconds for a thousand keys, seconds for a million.
// Scrapes drive it, and a count is reused until it is older than
// keyCountMinAge and than keyCountCostFactor times what it took, which
// bounds the counting to about 1% of one core at any store size while
// small stores get a fresh count at every scrape past keyCountMinAge.
const (
	keyCountMinAge     = 10 * time.Second
	keyCountCostFactor = 100
	// keyCountWait is how long a scrape waits for a count it started (or
	// found running) before it answers with the previous one.
	keyCountWait = time.Second
)

var (
	keysDesc = prometheus.NewDesc("trent_keys",
		"Keys by key state and key spec, as of trent_keys_counted_timestamp_seconds.",
		[]string{"state", "spec"}, nil)
	keysCountedDesc = prometheus.NewDesc("trent_keys_counted_timestamp_seconds",
		"When the keys in trent_keys were counted (Unix time); a count is reused until it is at least 10 s old and 100 times as old as it took.",
		nil, nil)
	keyCountErrorsDesc = prometheus.NewDesc("trent_keys_count_errors_total",
		"Counts of the keys that failed (the store could not be read); trent_keys keeps the last count that worked.",
		nil, nil)
)

// CountKeysWith adds the key gauges, counted by count. The counts start
// on scrapes and run in the background with ctx. Before closing what count
// reads, cancel ctx and call stop: it starts no more counts and waits for
// the one running.
func (m *Metrics) CountKeysWith(ctx context.Context, clk clock.Clock, count func(context.Context) ([]KeyCount, error)) (stop func()) {
	c := &keyCounter{ctx: ctx, clock: clk, count: count}
	m.reg.MustRegister(c)
	return c.stop
}

// keyCounter is the collector of the key gauges.
type keyCounter struct {
	ctx   context.Context
	clock clock.Clock
	count func(context.Context) ([]KeyCount, error)
	wg    sync.WaitGroup

	mu      sync.Mutex
	last    []KeyCount
	at      time.Time // when last was counted; zero before the first count
	took    time.Duration
	errors  int
	running chan struct{} // open while a count runs
	stopped bool
}

func (c *keyCounter) stop() {
	c.mu.Lock()
	c.stopped = true
	c.mu.Unlock()
	c.wg.Wait()
}

func (c *keyCounter) Describe(ch chan<- *prometheus.Desc) {
	ch <- keysDesc
	ch <- keysCountedDesc
	ch <- keyCountErrorsDesc
}

func (c *keyCounter) Collect(ch chan<- prometheus.Metric) {
	if done := c.refresh(); done != nil {
		wait, cancel := clock.WithLazyTimeout(c.ctx, keyCountWait)
		select {
		case <-done:
		case <-wait.Done():
		}
		cancel()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	ch <- prometheus.MustNewConstMetric(keyCountErrorsDesc, prometheus.CounterValue, float64(c.errors))
	if c.at.IsZero() {
		return
	}
	for _, k := range c.last {
		ch <- prometheus.MustNewConstMetric(keysDesc, prometheus.GaugeValue, float64(k.Keys), k.State, k.Spec)
	}
	ch <- prometheus.MustNewConstMetric(keysCountedDesc, prometheus.GaugeValue, float64(c.at.UnixNano())/1e9)
}

// refresh starts a count if the last one is stale and none runs, and
// returns the channel closed when the running count ends (nil if none
// runs).
func (c *keyCounter) refresh() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running != nil {
		return c.running
	}
	age := c.clock.Now().Sub(c.at)
	if !c.at.IsZero() && (age < keyCountMinAge || age < keyCountCostFactor*c.took) {
		return nil
	}
	if c.stopped {
		return nil
	}
	done := make(chan struct{})
	c.running = done
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		start := c.clock.Now()
		counts, err := c.count(c.ctx)
		end := c.clock.Now()
		c.mu.Lock()
		if err != nil {
			c.errors++
		} else {
			c.last, c.at, c.took = counts, end, end.Sub(start)
		}
		c.running = nil
		c.mu.Unlock()
		close(done)
	}()
	return done
}
