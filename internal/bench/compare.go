package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
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
	// CPUPerOp and BaseCPUPerOp are the servers' CPU µs per request, and
	// CPURatio is BaseCPUPerOp / CPUPerOp, oriented like Throughput (below
	// 1, the server burns more per request than the base). For a pinned,
	// CPU-bound server it predicts the throughput ratio, and unlike it does
	// not move when the VM's core slows down between the two windows. All
	// three are 0 when either side's CPU time was not measured.
	CPUPerOp     float64 `json:",omitempty"`
	BaseCPUPerOp float64 `json:",omitempty"`
	CPURatio     float64 `json:",omitempty"`
}

// Comparison is what `trent-bench compare --json` writes: the base's label
// and the ratios against it.
type Comparison struct {
	Base   string
	Ratios []Ratio
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
			r := Ratio{
				Label: o.Label, Operation: res.Operation, Clients: res.Clients,
				OpsPerSecond: res.OpsPerSecond, BaseOpsPerSecond: b.OpsPerSecond, Throughput: res.OpsPerSecond / b.OpsPerSecond,
				P99: res.Latency.P99, BaseP99: b.Latency.P99, P99Ratio: res.Latency.P99 / b.Latency.P99,
			}
			if res.ServerCPUMicrosPerOp > 0 && b.ServerCPUMicrosPerOp > 0 {
				r.CPUPerOp, r.BaseCPUPerOp = res.ServerCPUMicrosPerOp, b.ServerCPUMicrosPerOp
				r.CPURatio = b.ServerCPUMicrosPerOp / res.ServerCPUMicrosPerOp
			}
			out = append(out, r)
		}
	}
	return out
}

func clean(r Result) bool {
	return r.SetupError == "" && r.Errors == 0 && r.Ops > 0 && r.Latency.P99 > 0
}

// WriteRatios writes ratios as an aligned table, naming the base. The CPU
// columns appear when any ratio has them.
func WriteRatios(w io.Writer, baseLabel string, ratios []Ratio) error {
	withCPU := slices.ContainsFunc(ratios, func(r Ratio) bool { return r.CPURatio > 0 })
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "server\toperation\tclients\tops/s\t%s ops/s\tops/s ratio\tp99 µs\t%s p99 µs\tp99 ratio\t", baseLabel, baseLabel)
	if withCPU {
		fmt.Fprintf(tw, "cpu µs/op\t%s cpu µs/op\tcpu/op ratio\t", baseLabel)
	}
	fmt.Fprintln(tw)
	for _, r := range ratios {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.0f\t%.0f\t%.2f\t%.0f\t%.0f\t%.2f\t", r.Label, r.Operation, r.Clients,
			r.OpsPerSecond, r.BaseOpsPerSecond, r.Throughput, r.P99, r.BaseP99, r.P99Ratio)
		switch {
		case !withCPU:
		case r.CPURatio > 0:
			fmt.Fprintf(tw, "%.1f\t%.1f\t%.2f\t", r.CPUPerOp, r.BaseCPUPerOp, r.CPURatio)
		default:
			fmt.Fprint(tw, "-\t-\t-\t")
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

// WriteJSON writes the comparison as indented JSON.
func (c *Comparison) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(c)
}

// ReadComparison reads a comparison written by WriteJSON.
func ReadComparison(rd io.Reader) (*Comparison, error) {
	var c Comparison
	if err := json.NewDecoder(rd).Decode(&c); err != nil {
		return nil, err
	}
	return &c, nil
}
