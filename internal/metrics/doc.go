// Package metrics is Trent's Prometheus instrumentation: what the wire
// layer reports about every request, what the store and the scheduler
// report about their work, and the /metrics handler that exposes it on the
// operations listener (trent serve --metrics-listen), away from the API.
package metrics
