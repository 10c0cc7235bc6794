package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
)

// Report is a generator run's numbers; the JSON output is this struct.
type Report struct {
	// Label names the server measured (floor, trent-dev, ...), for
	// comparisons; the generator's --label.
	Label           string   `json:"Label,omitempty"`
	Endpoint        string   `json:"Endpoint"`
	Region          string   `json:"Region"`
	DurationSeconds float64  `json:"DurationSeconds"`
	WarmupSeconds   float64  `json:"WarmupSeconds"`
	Results         []Result `json:"Results"`
}

// Result is one operation at one client count.
type Result struct {
	Operation string `json:"Operation"`
	Clients   int    `json:"Clients"`
	// Ops counts successful requests, Errors failed ones (by code in
	// ErrorCodes; FirstError is one message, for diagnosis).
	Ops        uint64            `json:"Ops"`
	Errors     uint64            `json:"Errors"`
	ErrorCodes map[string]uint64 `json:"ErrorCodes"`
	FirstError string            `json:"FirstError,omitempty"`
	// Seconds is the measured window: from the start until the last
	// request in flight at the deadline finished.
	Seconds      float64 `json:"Seconds"`
	OpsPerSecond float64 `json:"OpsPerSecond"`
	// Latency is of successful requests only, in microseconds.
	Latency Latency `json:"LatencyMicros"`
	// ServerCPUSeconds is the CPU time (user + system) the server process
	// used during the timed window, and ServerCPUMicrosPerOp that divided
	// by Ops; both 0 when not measured (trent-bench run --server-pid).
	// Failed requests are few or none in a clean run, so dividing by the
	// successful ones only is what a comparison of clean runs needs.
	ServerCPUSeconds     float64 `json:"ServerCPUSeconds,omitempty"`
	ServerCPUMicrosPerOp float64 `json:"ServerCPUMicrosPerOp,omitempty"`
	// ServerCPUError says why the server's CPU time could not be read.
	ServerCPUError string `json:"ServerCPUError,omitempty"`
	// SetupError says why the operation was not run.
	SetupError string `json:"SetupError,omitempty"`
}

// Latency quantiles in microseconds (from the histogram: within 0.4%);
// Mean and Max are exact.
type Latency struct {
	P50  float64 `json:"P50"`
	P99  float64 `json:"P99"`
	P999 float64 `json:"P999"`
	Mean float64 `json:"Mean"`
	Max  float64 `json:"Max"`
}

// Find returns the result of op at clients.
func (r *Report) Find(op string, clients int) (Result, bool) {
	for _, res := range r.Results {
		if res.Operation == op && res.Clients == clients {
			return res, true
		}
	}
	return Result{}, false
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// ReadReport reads a report written by WriteJSON.
func ReadReport(rd io.Reader) (*Report, error) {
	var r Report
	if err := json.NewDecoder(rd).Decode(&r); err != nil {
		return nil, err
	}
	return &r, nil
}

// WriteTable writes the results as an aligned table.
func (r *Report) WriteTable(w io.Writer) error {
	// The CPU column appears only when the server's CPU was measured.
	withCPU := slices.ContainsFunc(r.Results, func(res Result) bool { return res.ServerCPUMicrosPerOp > 0 })
	cpuHead, cpuNone := "", ""
	if withCPU {
		cpuHead, cpuNone = "cpu µs/op\t", "-\t"
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "operation\tclients\tops\tops/s\tp50 µs\tp99 µs\tp999 µs\t"+cpuHead+"errors\t")
	for _, res := range r.Results {
		if res.SetupError != "" {
			fmt.Fprintf(tw, "%s\t%d\t-\t-\t-\t-\t-\t%ssetup failed\t\n", res.Operation, res.Clients, cpuNone)
			continue
		}
		cpu := ""
		if withCPU {
			cpu = cpuNone
			if res.ServerCPUMicrosPerOp > 0 {
				cpu = fmt.Sprintf("%.1f\t", res.ServerCPUMicrosPerOp)
			}
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.0f\t%.0f\t%.0f\t%.0f\t%s%s\t\n", res.Operation, res.Clients, res.Ops, res.OpsPerSecond,
			res.Latency.P50, res.Latency.P99, res.Latency.P999, cpu, errorSummary(res))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, res := range r.Results {
		switch {
		case res.SetupError != "":
			fmt.Fprintf(w, "%s clients=%d: setup failed: %s\n", res.Operation, res.Clients, res.SetupError)
		case res.FirstError != "":
			fmt.Fprintf(w, "%s clients=%d: first error: %s\n", res.Operation, res.Clients, res.FirstError)
		}
		if res.ServerCPUError != "" {
			fmt.Fprintf(w, "%s clients=%d: server CPU unknown: %s\n", res.Operation, res.Clients, res.ServerCPUError)
		}
	}
	return nil
}

// errorSummary is "0", or the count and the codes: "12 (ThrottlingException 12)".
func errorSummary(res Result) string {
	if res.Errors == 0 {
		return "0"
	}
	var parts []string
	for _, code := range slices.Sorted(maps.Keys(res.ErrorCodes)) {
		parts = append(parts, fmt.Sprintf("%s %d", code, res.ErrorCodes[code]))
	}
	return fmt.Sprintf("%d (%s)", res.Errors, strings.Join(parts, ", "))
}
