package bench

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
)

// Rounds. On a VM whose core speeds up and slows down by tens of percent
// within a minute, one ratio is noise; scripts/bench.sh therefore measures
// every server in short interleaved rounds and takes, per row, the median
// of the rounds' ratios, with min and max to show the spread.

// Spread is the median, min and max of one ratio over the rounds that had
// it.
type Spread struct {
	Median, Min, Max float64
	Rounds           int
}

// RatioSummary is one (server, base, operation, clients) row over rounds.
type RatioSummary struct {
	Label, Base, Operation string
	Clients                int
	Throughput, P99Ratio   Spread
	// CPURatio is over the rounds whose ratio had the CPU measured; nil
	// when none had.
	CPURatio *Spread `json:",omitempty"`
}

type summaryKey struct {
	label, base, op string
	clients         int
}

// Summarize groups the ratios of every comparison (one per round) by
// server, base, operation and client count, in the order rows first
// appear, and summarises each ratio over the rounds.
func Summarize(rounds []*Comparison) []RatioSummary {
	type acc struct{ thr, p99, cpu []float64 }
	var order []summaryKey
	accs := map[summaryKey]*acc{}
	for _, c := range rounds {
		for _, r := range c.Ratios {
			k := summaryKey{r.Label, c.Base, r.Operation, r.Clients}
			a, ok := accs[k]
			if !ok {
				a = &acc{}
				accs[k] = a
				order = append(order, k)
			}
			a.thr = append(a.thr, r.Throughput)
			a.p99 = append(a.p99, r.P99Ratio)
			if r.CPURatio > 0 {
				a.cpu = append(a.cpu, r.CPURatio)
			}
		}
	}
	out := make([]RatioSummary, 0, len(order))
	for _, k := range order {
		a := accs[k]
		s := RatioSummary{Label: k.label, Base: k.base, Operation: k.op, Clients: k.clients, Throughput: spread(a.thr), P99Ratio: spread(a.p99)}
		if len(a.cpu) > 0 {
			cpu := spread(a.cpu)
			s.CPURatio = &cpu
		}
		out = append(out, s)
	}
	return out
}

// spread summarises xs (not empty); an even count's median is the mean
// of the middle two.
func spread(xs []float64) Spread {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	m := s[n/2]
	if n%2 == 0 {
		m = (s[n/2-1] + s[n/2]) / 2
	}
	return Spread{Median: m, Min: s[0], Max: s[n-1], Rounds: n}
}

// WriteSummaries writes the summaries as an aligned table: per ratio its
// median and, in brackets, min–max over the rounds.
func WriteSummaries(w io.Writer, sums []RatioSummary) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "server\tbase\toperation\tclients\trounds\tops/s ratio\t[min–max]\tp99 ratio\t[min–max]\tcpu/op ratio\t[min–max]\t")
	for _, s := range sums {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%s\t", s.Label, s.Base, s.Operation, s.Clients, s.Throughput.Rounds,
			spreadCells(&s.Throughput), spreadCells(&s.P99Ratio))
		if s.CPURatio != nil {
			fmt.Fprintf(tw, "%s\t", spreadCells(s.CPURatio))
		} else {
			fmt.Fprint(tw, "-\t-\t")
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

func spreadCells(s *Spread) string {
	return fmt.Sprintf("%.2f\t[%.2f–%.2f]", s.Median, s.Min, s.Max)
}
