package bench

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// Ratio compares one server's result with the base's (the floor's) for
// the same operation and client count.
type Ratio struct {
	Label, Operation string
	Clients          int
	OpsPerSecond     float64
	BaseOpsPerSecond float64
	// Throughput is OpsPerSecond / BaseOpsPerSecond: below 1, the server
	// does less than the floor.
	Throughput   float64
	P99, BaseP99 float64
	// P99Ratio is P99 / BaseP99: above 1, the server is slower.
	P99Ratio float64
}

// Compare pairs every result of each report with the base's result of the
// same operation and client count; results the base lacks, or that either
// side could not run cleanly (setup failed, errors, no ops), are left out.
func Compare(base *Report, others ...*Report) []Ratio {
	var out []Ratio
	for _, o := range others {
		for _, res := range o.Results {
			b, ok := base.Find(res.Operation, res.Clients)
			if !ok || !clean(b) || !clean(res) {
				continue
			}
			out = append(out, Ratio{
				Label: o.Label, Operation: res.Operation, Clients: res.Clients,
				OpsPerSecond: res.OpsPerSecond, BaseOpsPerSecond: b.OpsPerSecond, Throughput: res.OpsPerSecond / b.OpsPerSecond,
				P99: res.Latency.P99, BaseP99: b.Latency.P99, P99Ratio: res.Latency.P99 / b.Latency.P99,
			})
		}
	}
	return out
}

func clean(r Result) bool {
	return r.SetupError == "" && r.Errors == 0 && r.Ops > 0 && r.Latency.P99 > 0
}

// WriteRatios writes ratios as an aligned table, naming the base.
func WriteRatios(w io.Writer, baseLabel string, ratios []Ratio) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "server\toperation\tclients\tops/s\t%s ops/s\tops/s ratio\tp99 µs\t%s p99 µs\tp99 ratio\t\n", baseLabel, baseLabel)
	for _, r := range ratios {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.0f\t%.0f\t%.2f\t%.0f\t%.0f\t%.2f\t\n", r.Label, r.Operation, r.Clients,
			r.OpsPerSecond, r.BaseOpsPerSecond, r.Throughput, r.P99, r.BaseP99, r.P99Ratio)
	}
	return tw.Flush()
}
