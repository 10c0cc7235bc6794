package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/store/etcd"
)

// ReportEtcd adds the etcd store's traffic, read from st at every scrape:
//   - trent_etcd_requests_total{purpose}: requests sent to etcd (see
//     etcd.Stats for the purposes). A node whose cache is warm sends none
//     for its cryptographic requests: only heartbeats, and reads and
//     commits of the requests that change something;
//   - trent_store_views_total{source}: read transactions by where they
//     read, "cache" or "etcd";
//   - trent_etcd_cache_reloads_total: the cache's full loads after its
//     watch ended;
//   - trent_etcd_cache_staleness_seconds: how old the cache's latest
//     confirmation is, on clk (the store's clock); a value above the
//     consistency bound means reads are going to etcd.
func (m *Metrics) ReportEtcd(st *etcd.Store, clk clock.Clock) {
	m.reg.MustRegister(&etcdCollector{st: st, clock: clk})
}

var (
	etcdRequestsDesc = prometheus.NewDesc("trent_etcd_requests_total",
		"Requests sent to etcd by the store, by purpose (read, commit, fence, lease, load, heartbeat, progress).", []string{"purpose"}, nil)
	storeViewsDesc = prometheus.NewDesc("trent_store_views_total",
		"Read transactions, by where they read: cache (the watch-fed cache, no request) or etcd.", []string{"source"}, nil)
	cacheReloadsDesc = prometheus.NewDesc("trent_etcd_cache_reloads_total",
		"Times the cache's watch ended and the cache loaded the store again.", nil, nil)
	cacheStalenessDesc = prometheus.NewDesc("trent_etcd_cache_staleness_seconds",
		"Age of the cache's latest confirmation that it holds every acknowledged write; above --consistency-bound, reads go to etcd.", nil, nil)
)

type etcdCollector struct {
	st    *etcd.Store
	clock clock.Clock
}

func (c *etcdCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- etcdRequestsDesc
	ch <- storeViewsDesc
	ch <- cacheReloadsDesc
	ch <- cacheStalenessDesc
}

func (c *etcdCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.st.Stats()
	for purpose, n := range s.Requests {
		ch <- prometheus.MustNewConstMetric(etcdRequestsDesc, prometheus.CounterValue, float64(n), purpose)
	}
	for source, n := range s.Views {
		ch <- prometheus.MustNewConstMetric(storeViewsDesc, prometheus.CounterValue, float64(n), source)
	}
	ch <- prometheus.MustNewConstMetric(cacheReloadsDesc, prometheus.CounterValue, float64(s.CacheReloads))
	if !s.CacheConfirmed.IsZero() {
		ch <- prometheus.MustNewConstMetric(cacheStalenessDesc, prometheus.GaugeValue, c.clock.Now().Sub(s.CacheConfirmed).Seconds())
	}
}
