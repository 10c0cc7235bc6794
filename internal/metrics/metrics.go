package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// codeDisabled is the error code of a cryptographic operation on a
// disabled key (kmserr.CodeDisabled; the AWS name, kept here so that this
// package needs nothing but the code).
const codeDisabled = "DisabledException"

// Metrics holds Trent's collectors, in a registry of its own (not the
// process-wide default, so that two nodes in one test process do not
// collide).
type Metrics struct {
	reg *prometheus.Registry

	requests      *prometheus.CounterVec
	duration      *prometheus.HistogramVec
	disabledUse   *prometheus.CounterVec
	schedulerRuns *prometheus.CounterVec
	storeDuration *prometheus.HistogramVec
}

// New returns the metrics of one node, with the Go runtime's and the
// process's collectors beside Trent's own.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trent_requests_total",
			Help: "KMS API requests by operation, outcome (success, client_error, server_error) and error code (empty on success).",
		}, []string{"operation", "outcome", "error_code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "trent_request_duration_seconds",
			Help:    "Time from a KMS API request's arrival to its response, by operation.",
			Buckets: []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5},
		}, []string{"operation"}),
		disabledUse: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trent_disabled_key_use_total",
			Help: "Requests refused because the key is disabled (DisabledException), by operation: the alarm AWS recommends before deleting a key.",
		}, []string{"operation"}),
		schedulerRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trent_scheduler_runs_total",
			Help: "Runs of the scheduler (rotation, deletion, expiry), by outcome (ok, error).",
		}, []string{"outcome"}),
		storeDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "trent_store_transaction_duration_seconds",
			Help:    "Time of store transactions, by kind (view, update) and outcome (ok, error); an update includes its durable commit.",
			Buckets: []float64{0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1},
		}, []string{"kind", "outcome"}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.disabledUse, m.schedulerRuns, m.storeDuration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// ObserveRequest records one finished API request: its operation ("" when
// the request named none Trent knows), its error code ("" on success), its
// HTTP status and how long it took.
func (m *Metrics) ObserveRequest(operation, errorCode string, status int, elapsed time.Duration) {
	if operation == "" {
		operation = "unknown"
	}
	m.requests.WithLabelValues(operation, outcome(status), errorCode).Inc()
	m.duration.WithLabelValues(operation).Observe(elapsed.Seconds())
	if errorCode == codeDisabled {
		m.disabledUse.WithLabelValues(operation).Inc()
	}
}

// ReportLeading adds trent_scheduler_leader, 1 while leading() says this
// node runs the background work (rotation, deletion, expiry), else 0.
func (m *Metrics) ReportLeading(leading func() bool) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "trent_scheduler_leader",
		Help: "1 while this node runs the background work (rotation, deletion, expiry): always on its own, on the elected node in a cluster.",
	}, func() float64 {
		if leading() {
			return 1
		}
		return 0
	}))
}

// ObserveSchedulerRun records one run of the scheduler.
func (m *Metrics) ObserveSchedulerRun(err error) {
	m.schedulerRuns.WithLabelValues(okOrError(err)).Inc()
}

func outcome(status int) string {
	switch {
	case status < 400:
		return "success"
	case status < 500:
		return "client_error"
	default:
		return "server_error"
	}
}

func okOrError(err error) string {
	if err != nil {
		return "error"
	}
	return "ok"
}
