package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// Config is one generator run: every operation at every client count.
type Config struct {
	Caller *Caller
	Ops    []Operation
	// Clients are the concurrency levels, each run in turn per operation.
	Clients []int
	// Duration is the timed window of one (operation, clients) run;
	// Warmup runs the same load just before it, untimed, so the connection
	// pool is full and the server warm.
	Duration, Warmup time.Duration
	// KeyID is the symmetric key to use instead of creating one.
	KeyID string
	// Now reads the clock (time.Now in trent-bench; see the package doc).
	Now func() time.Time
	// Progress, if set, gets one line per finished run.
	Progress io.Writer
	// ServerCPU, if set, reads the server's CPU time so far (ProcessCPU);
	// it is read just before and just after each timed window, so results
	// carry the server's CPU time per request.
	ServerCPU func() (time.Duration, error)
}

// Run runs every operation (in order) at every client count (in order)
// and returns the report. An operation whose setup fails is reported with
// SetupError and skipped; the run goes on. Run returns early, with what it
// has, only when ctx is done.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Now == nil || cfg.Caller == nil {
		return nil, errors.New("bench: Config needs Caller and Now")
	}
	if cfg.Duration <= 0 || len(cfg.Clients) == 0 {
		return nil, errors.New("bench: Config needs a positive Duration and at least one client count")
	}
	for _, c := range cfg.Clients {
		if c < 1 {
			return nil, fmt.Errorf("bench: client count %d is not positive", c)
		}
	}
	rep := &Report{
		Endpoint: cfg.Caller.endpoint, Region: cfg.Caller.region,
		DurationSeconds: cfg.Duration.Seconds(), WarmupSeconds: cfg.Warmup.Seconds(),
	}
	setup := &setupEnv{caller: cfg.Caller, keyID: cfg.KeyID, keys: map[string]string{}}
	for _, op := range cfg.Ops {
		req, err := op.setup(ctx, setup)
		if err != nil {
			for _, c := range cfg.Clients {
				rep.Results = append(rep.Results, Result{Operation: op.Name, Clients: c, SetupError: err.Error(), ErrorCodes: map[string]uint64{}})
			}
			if cfg.Progress != nil {
				fmt.Fprintf(cfg.Progress, "%s: setup failed: %v\n", op.Name, err)
			}
			if ctx.Err() != nil {
				return rep, ctx.Err()
			}
			continue
		}
		for _, c := range cfg.Clients {
			if cfg.Warmup > 0 {
				load(ctx, cfg.Caller, req, c, cfg.Warmup, cfg.Now)
			}
			res := timed(ctx, cfg, req, op.Name, c)
			rep.Results = append(rep.Results, res)
			if cfg.Progress != nil {
				fmt.Fprintf(cfg.Progress, "%s clients=%d: %.0f ops/s, p99 %.0f µs, %d errors%s\n", op.Name, c, res.OpsPerSecond, res.Latency.P99, res.Errors, cpuNote(res))
			}
			if ctx.Err() != nil {
				return rep, ctx.Err()
			}
		}
	}
	return rep, nil
}

// timed runs the timed window of one (operation, clients) pair, reading
// the server's CPU time around it when cfg says how. A failed read leaves
// the CPU fields zero (unknown) and says why in ServerCPUError.
func timed(ctx context.Context, cfg Config, req request, op string, clients int) Result {
	var before time.Duration
	var cpuErr error
	if cfg.ServerCPU != nil {
		before, cpuErr = cfg.ServerCPU()
	}
	res := load(ctx, cfg.Caller, req, clients, cfg.Duration, cfg.Now).result(op, clients)
	if cfg.ServerCPU == nil {
		return res
	}
	if cpuErr == nil {
		var after time.Duration
		if after, cpuErr = cfg.ServerCPU(); cpuErr == nil {
			res.setServerCPU(after - before)
		}
	}
	if cpuErr != nil {
		res.ServerCPUError = cpuErr.Error()
	}
	return res
}

func (r *Result) setServerCPU(d time.Duration) {
	r.ServerCPUSeconds = d.Seconds()
	if r.Ops > 0 {
		r.ServerCPUMicrosPerOp = micros(d) / float64(r.Ops)
	}
}

func cpuNote(r Result) string {
	switch {
	case r.ServerCPUError != "":
		return ", server CPU unknown: " + r.ServerCPUError
	case r.ServerCPUMicrosPerOp > 0:
		return fmt.Sprintf(", server CPU %.0f µs/op", r.ServerCPUMicrosPerOp)
	}
	return ""
}

// tally is what the clients of one load measured.
type tally struct {
	hist       Histogram
	errors     map[string]uint64
	firstError string
	elapsed    time.Duration
}

// load runs `clients` goroutines that send req back to back until the
// window has passed. A client checks the deadline before each request and
// never cuts one short, so the load stops cleanly: the requests in flight
// at the deadline finish and count, and elapsed runs until the last has.
// Each request is bounded by the caller's timeout, so load is too.
func load(ctx context.Context, c *Caller, req request, clients int, window time.Duration, now func() time.Time) *tally {
	type clientTally struct {
		hist       Histogram
		errors     map[string]uint64
		firstError string
	}
	per := make([]clientTally, clients)
	start := now()
	deadline := start.Add(window)
	var wg sync.WaitGroup
	for i := range per {
		ct := &per[i]
		ct.errors = map[string]uint64{}
		wg.Go(func() {
			for ctx.Err() == nil {
				t0 := now()
				if !t0.Before(deadline) {
					return
				}
				_, err := c.do(ctx, req)
				t1 := now()
				if err != nil {
					ct.errors[ErrorCode(err)]++
					if ct.firstError == "" {
						ct.firstError = err.Error()
					}
					continue
				}
				ct.hist.Record(t1.Sub(t0))
			}
		})
	}
	wg.Wait()
	t := &tally{errors: map[string]uint64{}, elapsed: now().Sub(start)}
	for i := range per {
		t.hist.Merge(&per[i].hist)
		for code, n := range per[i].errors {
			t.errors[code] += n
		}
		if t.firstError == "" {
			t.firstError = per[i].firstError
		}
	}
	return t
}

func (t *tally) result(op string, clients int) Result {
	var errs uint64
	for _, n := range t.errors {
		errs += n
	}
	r := Result{
		Operation: op, Clients: clients,
		Ops: t.hist.Count(), Errors: errs, ErrorCodes: t.errors, FirstError: t.firstError,
		Seconds: t.elapsed.Seconds(),
		Latency: Latency{
			P50: micros(t.hist.Quantile(0.50)), P99: micros(t.hist.Quantile(0.99)), P999: micros(t.hist.Quantile(0.999)),
			Mean: micros(t.hist.Mean()), Max: micros(t.hist.Max()),
		},
	}
	if r.Seconds > 0 {
		r.OpsPerSecond = float64(r.Ops) / r.Seconds
	}
	return r
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
