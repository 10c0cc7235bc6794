package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/trent-kms/trent/internal/bench"
)

// The comparison subcommands: compare (reports -> ratios) and median
// (ratios of several rounds -> median, min, max).

func runCompare(args []string, stdout, stderr io.Writer) int {
	paths, jsonOut, code, ok := fileArgs("compare", "BASE.json OTHER.json...",
		"also write the ratios as JSON to this file, for trent-bench median", 2, args, stderr)
	if !ok {
		return code
	}
	reports, err := readEach(paths, bench.ReadReport)
	if err != nil {
		fmt.Fprintf(stderr, "trent-bench compare: %v\n", err)
		return 1
	}
	for i, rep := range reports {
		if rep.Label == "" {
			rep.Label = paths[i]
		}
	}
	c := &bench.Comparison{Base: reports[0].Label, Ratios: bench.Compare(reports[0], reports[1:]...)}
	if err := bench.WriteRatios(stdout, c.Base, c.Ratios); err != nil {
		fmt.Fprintf(stderr, "trent-bench compare: %v\n", err)
		return 1
	}
	if jsonOut != "" {
		if err := writeFile(jsonOut, c.WriteJSON); err != nil {
			fmt.Fprintf(stderr, "trent-bench compare: --json: %v\n", err)
			return 1
		}
	}
	return 0
}

func runMedian(args []string, stdout, stderr io.Writer) int {
	paths, jsonOut, code, ok := fileArgs("median", "RATIOS.json... (files from trent-bench compare --json, one per round)",
		"also write the summary as JSON to this file", 1, args, stderr)
	if !ok {
		return code
	}
	rounds, err := readEach(paths, bench.ReadComparison)
	if err != nil {
		fmt.Fprintf(stderr, "trent-bench median: %v\n", err)
		return 1
	}
	sums := bench.Summarize(rounds)
	if err := bench.WriteSummaries(stdout, sums); err != nil {
		fmt.Fprintf(stderr, "trent-bench median: %v\n", err)
		return 1
	}
	if jsonOut != "" {
		err := writeFile(jsonOut, func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(sums)
		})
		if err != nil {
			fmt.Fprintf(stderr, "trent-bench median: --json: %v\n", err)
			return 1
		}
	}
	return 0
}

// fileArgs parses the flags of a subcommand that takes --json OUT and at
// least min file arguments. ok is false when the command should end now,
// with code.
func fileArgs(name, usage, jsonHelp string, min int, args []string, stderr io.Writer) (paths []string, jsonOut string, code int, ok bool) {
	fs := flag.NewFlagSet("trent-bench "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("json", "", jsonHelp)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: trent-bench %s [--json OUT] %s\n", name, usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, "", 0, false
		}
		return nil, "", 2, false
	}
	if fs.NArg() < min {
		fs.Usage()
		return nil, "", 2, false
	}
	return fs.Args(), *out, 0, true
}

// readEach reads every file with read; an error names the file.
func readEach[T any](paths []string, read func(io.Reader) (T, error)) ([]T, error) {
	out := make([]T, 0, len(paths))
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		v, err := read(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// writeFile creates path and writes it with write.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
