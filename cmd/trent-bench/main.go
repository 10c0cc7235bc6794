// Command trent-bench measures a KMS endpoint and serves the "floor" it is
// compared with.
//
//	trent-bench [run] --endpoint http://127.0.0.1:4000 --clients 1,16,64 --duration 2s --ops all --json out.json
//	trent-bench floor --listen 127.0.0.1:4100
//	trent-bench compare [--json ratios.json] floor.json trent.json [more.json ...]
//	trent-bench median [--json summary.json] round1.json round2.json ...
//
// The work is in internal/bench; this file parses flags and wires it up.
// scripts/bench.sh runs the side-by-side comparison.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/trent-kms/trent/internal/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `usage: trent-bench [run] [flags]         drive a KMS endpoint, report ops/s, latency, errors
       trent-bench floor --listen ADDR     serve the floor (Encrypt, Decrypt, GenerateDataKey; fixed credential)
       trent-bench compare [--json OUT] BASE.json OTHER.json...   ratios of reports against the base
       trent-bench median [--json OUT] RATIOS.json...   median, min, max of compare --json files (rounds)
       trent-bench ops                     list the operations

Run 'trent-bench run --help' for the generator's flags.
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "run":
			return runGenerator(ctx, args[1:], stdout, stderr)
		case "floor":
			return runFloor(ctx, args[1:], stderr)
		case "compare":
			return runCompare(args[1:], stdout, stderr)
		case "median":
			return runMedian(args[1:], stdout, stderr)
		case "ops":
			for _, op := range bench.Operations {
				fmt.Fprintf(stdout, "%-22s %s\n", op.Name, op.Doc)
			}
			return 0
		case "help", "-h", "-help", "--help":
			fmt.Fprint(stdout, usage)
			return 0
		}
	}
	return runGenerator(ctx, args, stdout, stderr)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func runGenerator(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("trent-bench run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	endpoint := fs.String("endpoint", "http://127.0.0.1:4000", "KMS endpoint URL")
	region := fs.String("region", envOr("AWS_REGION", "us-east-1"), "Region to sign for (AWS_REGION)")
	accessKey := fs.String("access-key", envOr("AWS_ACCESS_KEY_ID", "test"), "access key ID (AWS_ACCESS_KEY_ID)")
	secretKey := fs.String("secret-key", envOr("AWS_SECRET_ACCESS_KEY", "test-secret"), "secret access key (AWS_SECRET_ACCESS_KEY)")
	sessionToken := fs.String("session-token", os.Getenv("AWS_SESSION_TOKEN"), "session token (AWS_SESSION_TOKEN)")
	credsFrom := fs.String("credentials-from", "", "read the access key from this file: the JSON `trent account create` prints (overrides the key flags)")
	clients := fs.String("clients", "1,16,64", "concurrent clients, a comma-separated list run in turn")
	duration := fs.Duration("duration", 2*time.Second, "timed window per operation and client count")
	warmup := fs.Duration("warmup", 500*time.Millisecond, "untimed load before each timed window")
	ops := fs.String("ops", "all", "comma-separated operations, or all (see trent-bench ops)")
	keyID := fs.String("key-id", "", "symmetric key to use instead of creating one (any value for the floor)")
	jsonOut := fs.String("json", "", "also write the report as JSON to this file")
	label := fs.String("label", "", "name of the server in the report, for trent-bench compare")
	timeout := fs.Duration("timeout", 30*time.Second, "per-request timeout")
	quiet := fs.Bool("quiet", false, "no progress lines on stderr")
	serverPID := fs.Int("server-pid", 0, "process ID of the server, on this machine: its CPU time per request is measured (Linux only)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "trent-bench: unexpected arguments %v\n", fs.Args())
		return 2
	}
	counts, err := parseClients(*clients)
	if err != nil {
		fmt.Fprintf(stderr, "trent-bench: --clients: %v\n", err)
		return 2
	}
	operations, err := bench.LookupOperations(splitList(*ops))
	if err != nil {
		fmt.Fprintf(stderr, "trent-bench: --ops: %v\n", err)
		return 2
	}
	if *duration <= 0 || *warmup < 0 || *timeout <= 0 {
		fmt.Fprintln(stderr, "trent-bench: --duration and --timeout must be positive, --warmup not negative")
		return 2
	}
	creds := aws.Credentials{AccessKeyID: *accessKey, SecretAccessKey: *secretKey, SessionToken: *sessionToken}
	if *credsFrom != "" {
		if creds, err = readAccountCredentials(*credsFrom); err != nil {
			fmt.Fprintf(stderr, "trent-bench: --credentials-from: %v\n", err)
			return 2
		}
	}

	var serverCPU func() (time.Duration, error)
	if *serverPID != 0 {
		if serverCPU, err = bench.ProcessCPU(*serverPID); err != nil {
			fmt.Fprintf(stderr, "trent-bench: --server-pid: %v\n", err)
			return 2
		}
	}

	caller := bench.NewCaller(*endpoint, *region, creds, maxOf(counts), *timeout, time.Now)
	defer caller.Close()
	cfg := bench.Config{
		Caller: caller, Ops: operations, Clients: counts, Duration: *duration, Warmup: *warmup,
		KeyID: *keyID, Now: time.Now, ServerCPU: serverCPU,
	}
	if !*quiet {
		cfg.Progress = stderr
	}
	rep, runErr := bench.Run(ctx, cfg)
	if rep == nil {
		fmt.Fprintf(stderr, "trent-bench: %v\n", runErr)
		return 1
	}
	rep.Label = *label
	if err := rep.WriteTable(stdout); err != nil {
		fmt.Fprintf(stderr, "trent-bench: %v\n", err)
		return 1
	}
	if *jsonOut != "" {
		if err := writeFile(*jsonOut, rep.WriteJSON); err != nil {
			fmt.Fprintf(stderr, "trent-bench: --json: %v\n", err)
			return 1
		}
	}
	if runErr != nil {
		fmt.Fprintf(stderr, "trent-bench: stopped early: %v\n", runErr)
		return 1
	}
	return 0
}

// readAccountCredentials reads the access key out of `trent account
// create`'s output ({"Account":..., "AccessKey":{"AccessKeyId", "SecretAccessKey"}}).
func readAccountCredentials(path string) (aws.Credentials, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return aws.Credentials{}, err
	}
	var out struct {
		AccessKey struct{ AccessKeyId, SecretAccessKey string }
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return aws.Credentials{}, err
	}
	if out.AccessKey.AccessKeyId == "" || out.AccessKey.SecretAccessKey == "" {
		return aws.Credentials{}, fmt.Errorf("%s has no AccessKey.AccessKeyId and SecretAccessKey", path)
	}
	return aws.Credentials{AccessKeyID: out.AccessKey.AccessKeyId, SecretAccessKey: out.AccessKey.SecretAccessKey}, nil
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func parseClients(s string) ([]int, error) {
	var out []int
	for _, part := range splitList(s) {
		n, err := strconv.Atoi(part)
		if err != nil || n < 1 || n > 4096 {
			return nil, fmt.Errorf("%q is not a client count from 1 to 4096", part)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, errors.New("no client counts")
	}
	return out, nil
}

func maxOf(xs []int) int {
	m := 0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

func runFloor(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("trent-bench floor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:4100", "address to listen on")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(stderr, "trent-bench floor: %v\n", err)
		return 1
	}
	srv := &http.Server{Handler: bench.NewFloor(time.Now), ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: 64 << 10}
	fmt.Fprintf(stderr, "floor listening on %s (access key %s, secret %s)\n", ln.Addr(), bench.FloorAccessKeyID, bench.FloorSecretAccessKey)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
		return 0
	case err := <-done:
		fmt.Fprintf(stderr, "trent-bench floor: %v\n", err)
		return 1
	}
}
