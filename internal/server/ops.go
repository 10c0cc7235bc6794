package server

import (
	"context"
	"net/http"
	"time"

	"github.com/trent-kms/trent/internal/layout"
	"github.com/trent-kms/trent/internal/metrics"
	"github.com/trent-kms/trent/internal/scheduler"
	"github.com/trent-kms/trent/internal/store"
)

// readyTimeout bounds the store read /readyz makes.
const readyTimeout = 2 * time.Second

// OpsHandler serves the operations endpoints, on a listener of their own
// (trent serve --metrics-listen), never on the API's:
//
//   - /metrics: the Prometheus metrics;
//   - /healthz: 200 while the process runs;
//   - /readyz: 200 when the store answers a read of the root key's check
//     value (a node is assembled only once its root key opens that value,
//     so the key is loaded), else 503 with the reason.
func (n *Node) OpsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", n.metrics.Handler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := n.ready(r.Context()); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("not ready: " + err.Error() + "\n"))
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	return mux
}

// ready reports why the node cannot serve requests, or nil.
func (n *Node) ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	return n.store.View(ctx, func(tx store.Tx) error {
		_, err := tx.Get(layout.MetaRootKeyCheck)
		return err
	})
}

// countKeysForMetrics adds the gauges of keys by state and spec to the
// metrics; scrapes start the counts (metrics.CountKeysWith says how often).
func (n *Node) countKeysForMetrics() {
	ctx, cancel := context.WithCancel(context.Background())
	stop := n.metrics.CountKeysWith(ctx, n.cfg.Clock, func(ctx context.Context) ([]metrics.KeyCount, error) {
		counts, err := n.service.CountKeys(ctx)
		out := make([]metrics.KeyCount, 0, len(counts))
		for class, keys := range counts {
			out = append(out, metrics.KeyCount{State: string(class.State), Spec: string(class.Spec), Keys: keys})
		}
		return out, err
	})
	n.stopCounting = func() { cancel(); stop() }
}

// countedTask is the scheduler's task with each run counted in the
// metrics.
type countedTask struct {
	scheduler.Task
	m *metrics.Metrics
}

func (t countedTask) RunDue(ctx context.Context, now time.Time) error {
	err := t.Task.RunDue(ctx, now)
	t.m.ObserveSchedulerRun(err)
	return err
}
