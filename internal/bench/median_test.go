package bench

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestSpread(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want Spread
	}{
		{[]float64{2}, Spread{2, 2, 2, 1}},
		{[]float64{3, 1, 2}, Spread{2, 1, 3, 3}},
		{[]float64{4, 1, 3, 2}, Spread{2.5, 1, 4, 4}},
		{[]float64{0.5, 0.9, 0.7, 0.6, 0.8}, Spread{0.7, 0.5, 0.9, 5}},
	} {
		in := append([]float64(nil), c.in...)
		if got := spread(c.in); got != c.want {
			t.Errorf("spread(%v) = %+v, want %+v", in, got, c.want)
		}
		for i := range in {
			if in[i] != c.in[i] {
				t.Fatalf("spread sorted its input")
			}
		}
	}
}

// TestSummarize groups by server, base, operation and clients across
// rounds, keeps first-seen order, and summarises the CPU ratio over only
// the rounds that measured it.
func TestSummarize(t *testing.T) {
	round := func(thr, p99, cpu float64) *Comparison {
		return &Comparison{Base: "floor", Ratios: []Ratio{
			{Label: "trent", Operation: "Encrypt-32B", Clients: 64, Throughput: thr, P99Ratio: p99, CPURatio: cpu},
			{Label: "trent", Operation: "Decrypt-32B", Clients: 64, Throughput: thr / 2, P99Ratio: p99 * 2},
		}}
	}
	other := &Comparison{Base: "local-kms", Ratios: []Ratio{{Label: "trent", Operation: "Encrypt-32B", Clients: 64, Throughput: 3, P99Ratio: 0.3}}}
	sums := Summarize([]*Comparison{round(0.4, 2, 0.5), round(0.6, 1, 0), round(0.5, 3, 0.7), other})
	if len(sums) != 3 {
		t.Fatalf("%d rows: %+v", len(sums), sums)
	}
	enc := sums[0]
	if enc.Operation != "Encrypt-32B" || enc.Base != "floor" || enc.Throughput != (Spread{0.5, 0.4, 0.6, 3}) || enc.P99Ratio != (Spread{2, 1, 3, 3}) {
		t.Errorf("Encrypt: %+v", enc)
	}
	if enc.CPURatio == nil || *enc.CPURatio != (Spread{0.6, 0.5, 0.7, 2}) {
		t.Errorf("Encrypt cpu: %+v", enc.CPURatio)
	}
	if dec := sums[1]; dec.Operation != "Decrypt-32B" || dec.CPURatio != nil || dec.Throughput.Median != 0.25 {
		t.Errorf("Decrypt: %+v", dec)
	}
	if lk := sums[2]; lk.Base != "local-kms" || lk.Throughput.Rounds != 1 {
		t.Errorf("local-kms row: %+v", lk)
	}
	var buf bytes.Buffer
	if err := WriteSummaries(&buf, sums); err != nil {
		t.Fatal(err)
	}
	table := buf.String()
	for _, want := range []string{"cpu/op ratio", "[0.40–0.60]", "[0.50–0.70]", "local-kms"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	b, err := json.Marshal(sums)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(b), `"CPURatio"`) != 1 {
		t.Errorf("JSON: %s", b)
	}
}
