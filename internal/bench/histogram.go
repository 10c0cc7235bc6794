package bench

import (
	"math/bits"
	"time"
)

// Histogram records durations in log-linear buckets: exact below 256 ns,
// then 128 buckets per power of two, so every bucket is at most 1/128
// (0.78%) of its values wide. Its memory is fixed (histBuckets counters)
// whatever it records. The zero value is ready to use; it is not safe for
// concurrent use (each client keeps its own, merged at the end).
type Histogram struct {
	counts [histBuckets]uint64
	total  uint64
	sum    time.Duration
	max    time.Duration
}

const (
	// histSubBits is log2 of the buckets per power of two.
	histSubBits = 7
	histSub     = 1 << histSubBits
	// histMaxExp bounds the values: 2^(histMaxExp+histSubBits+1) ns is
	// about 37 minutes; longer values land in the last bucket.
	histMaxExp  = 34
	histBuckets = histSub*histMaxExp + 2*histSub
)

// bucketOf is the bucket of v ns: with e = max(0, bitlen(v)-8), the bucket
// is 128e + v>>e, so values below 256 have a bucket each and above that a
// bucket spans 2^e ns of values in [128·2^e, 256·2^e).
func bucketOf(v uint64) int {
	e := max(bits.Len64(v)-(histSubBits+1), 0)
	if e > histMaxExp {
		return histBuckets - 1
	}
	return histSub*e + int(v>>uint(e))
}

// bucketRange is the smallest value of bucket i and its width.
func bucketRange(i int) (low, width uint64) {
	e := max(i/histSub-1, 0)
	return uint64(i-histSub*e) << uint(e), 1 << uint(e)
}

// Record adds one duration; negative durations count as zero.
func (h *Histogram) Record(d time.Duration) {
	d = max(d, 0)
	h.counts[bucketOf(uint64(d))]++
	h.total++
	h.sum += d
	h.max = max(h.max, d)
}

// Merge adds o's values to h.
func (h *Histogram) Merge(o *Histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.total += o.total
	h.sum += o.sum
	h.max = max(h.max, o.max)
}

// Count is the number of values recorded.
func (h *Histogram) Count() uint64 { return h.total }

// Max is the largest value recorded (exact).
func (h *Histogram) Max() time.Duration { return h.max }

// Mean is the mean of the values recorded (exact), 0 when empty.
func (h *Histogram) Mean() time.Duration {
	if h.total == 0 {
		return 0
	}
	return h.sum / time.Duration(h.total)
}

// Quantile returns the q-quantile (0 < q <= 1): the value of rank
// ceil(q·n) in sorted order, as the middle of its bucket (so within 0.4%
// of the true value), capped at the exact maximum. 0 when empty.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.total == 0 {
		return 0
	}
	rank := uint64(q * float64(h.total))
	if float64(rank) < q*float64(h.total) {
		rank++
	}
	rank = min(max(rank, 1), h.total)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			low, width := bucketRange(i)
			return min(time.Duration(low+(width-1)/2), h.max)
		}
	}
	return h.max
}
