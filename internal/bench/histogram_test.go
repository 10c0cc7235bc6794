package bench

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// within reports whether got is within frac of want.
func within(got, want time.Duration, frac float64) bool {
	return math.Abs(float64(got-want)) <= frac*float64(want)
}

// TestHistogramQuantilesOfUniform: 1..100,000 µs once each (in random
// order) has its q-quantile at q·100,000 µs; the histogram must give each
// within its 0.4% precision.
func TestHistogramQuantilesOfUniform(t *testing.T) {
	const n = 100_000
	vals := make([]time.Duration, n)
	for i := range vals {
		vals[i] = time.Duration(i+1) * time.Microsecond
	}
	rand.Shuffle(n, func(i, j int) { vals[i], vals[j] = vals[j], vals[i] })
	var h Histogram
	for _, v := range vals {
		h.Record(v)
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 50_000 * time.Microsecond}, {0.99, 99_000 * time.Microsecond}, {0.999, 99_900 * time.Microsecond}, {1, n * time.Microsecond}} {
		if got := h.Quantile(c.q); !within(got, c.want, 0.004) {
			t.Errorf("q=%v: got %v, want %v ±0.4%%", c.q, got, c.want)
		}
	}
	if h.Count() != n {
		t.Errorf("count %d", h.Count())
	}
	if want := time.Duration(n+1) * time.Microsecond / 2; h.Mean() != want {
		t.Errorf("mean %v, want %v", h.Mean(), want)
	}
	if h.Max() != n*time.Microsecond {
		t.Errorf("max %v", h.Max())
	}
}

// TestHistogramTail: 990 requests at 1 ms and 10 at 100 ms: the 99th
// percentile (rank 990) is still 1 ms, the 99.9th (rank 999) is 100 ms.
func TestHistogramTail(t *testing.T) {
	var h Histogram
	for range 990 {
		h.Record(time.Millisecond)
	}
	for range 10 {
		h.Record(100 * time.Millisecond)
	}
	if got := h.Quantile(0.99); !within(got, time.Millisecond, 0.004) {
		t.Errorf("p99 %v, want 1ms", got)
	}
	if got := h.Quantile(0.999); !within(got, 100*time.Millisecond, 0.004) {
		t.Errorf("p999 %v, want 100ms", got)
	}
	if got := h.Quantile(0.5); !within(got, time.Millisecond, 0.004) {
		t.Errorf("p50 %v, want 1ms", got)
	}
}

// TestHistogramSmallValuesAreExact: below 256 ns every value has a bucket.
func TestHistogramSmallValuesAreExact(t *testing.T) {
	var h Histogram
	for v := 1; v <= 200; v++ {
		h.Record(time.Duration(v))
	}
	if got := h.Quantile(0.5); got != 100 {
		t.Errorf("p50 %v, want 100ns", got)
	}
	if got := h.Quantile(0.99); got != 198 {
		t.Errorf("p99 %v, want 198ns", got)
	}
}

// TestHistogramBucketsCoverTheirValues checks the bucket arithmetic against
// random values of every magnitude: each value lies in its bucket, and the
// bucket is at most 1/128 of its low end wide.
func TestHistogramBucketsCoverTheirValues(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 200_000 {
		v := r.Uint64() >> r.UintN(64)
		i := bucketOf(v)
		if i < 0 || i >= histBuckets {
			t.Fatalf("value %d: bucket %d out of range", v, i)
		}
		if i == histBuckets-1 && v >= 1<<(histMaxExp+histSubBits+1) {
			continue // the overflow bucket
		}
		low, width := bucketRange(i)
		if v < low || v >= low+width {
			t.Fatalf("value %d in bucket %d = [%d, %d)", v, i, low, low+width)
		}
		if low >= 256 && float64(width)/float64(low) > 1.0/128 {
			t.Fatalf("bucket %d: width %d too wide for %d", i, width, low)
		}
	}
}

// TestHistogramMergeEqualsOneHistogram: clients' histograms merged give
// the quantiles one histogram of all the values gives.
func TestHistogramMergeEqualsOneHistogram(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var all, a, b Histogram
	var vals []time.Duration
	for i := range 10_000 {
		v := time.Duration(r.ExpFloat64() * float64(200*time.Microsecond))
		vals = append(vals, v)
		all.Record(v)
		if i%3 == 0 {
			a.Record(v)
		} else {
			b.Record(v)
		}
	}
	a.Merge(&b)
	slices.Sort(vals)
	for _, q := range []float64{0.5, 0.99, 0.999} {
		if a.Quantile(q) != all.Quantile(q) {
			t.Errorf("q=%v: merged %v, single %v", q, a.Quantile(q), all.Quantile(q))
		}
		exact := vals[int(math.Ceil(q*float64(len(vals))))-1]
		if !within(a.Quantile(q), exact, 0.004) {
			t.Errorf("q=%v: %v, exact %v", q, a.Quantile(q), exact)
		}
	}
	if a.Count() != all.Count() || a.Max() != all.Max() || a.Mean() != all.Mean() {
		t.Errorf("merged count/max/mean %d/%v/%v, single %d/%v/%v", a.Count(), a.Max(), a.Mean(), all.Count(), all.Max(), all.Mean())
	}
}

func TestHistogramEmpty(t *testing.T) {
	var h Histogram
	if h.Quantile(0.99) != 0 || h.Mean() != 0 || h.Max() != 0 {
		t.Fatal("an empty histogram reports non-zero values")
	}
}
