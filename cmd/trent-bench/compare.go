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
	fs := flag.NewFlagSet("trent-bench compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	jsonOut := fs.String("json", "", "also write the ratios as JSON to this file, for trent-bench median")
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: trent-bench compare [--json OUT] BASE.json OTHER.json...\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() < 2 {
		fs.Usage()
		return 2
	}
	var reports []*bench.Report
	for _, path := range fs.Args() {
		f, err := os.Open(path)
		if err != nil {
			fmt.Fprintf(stderr, "trent-bench compare: %v\n", err)
			return 1
		}
		rep, err := bench.ReadReport(f)
		f.Close()
		if err != nil {
			fmt.Fprintf(stderr, "trent-bench compare: %s: %v\n", path, err)
			return 1
		}
		if rep.Label == "" {
			rep.Label = path
		}
		reports = append(reports, rep)
	}
	c := &bench.Comparison{Base: reports[0].Label, Ratios: bench.Compare(reports[0], reports[1:]...)}
	if err := bench.WriteRatios(stdout, c.Base, c.Ratios); err != nil {
		fmt.Fprintf(stderr, "trent-bench compare: %v\n", err)
		return 1
	}
	if *jsonOut != "" {
		if err := writeFile(*jsonOut, c.WriteJSON); err != nil {
			fmt.Fprintf(stderr, "trent-bench compare: --json: %v\n", err)
			return 1
		}
	}
	return 0
}

func runMedian(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("trent-bench median", flag.ContinueOnError)
	fs.SetOutput(stderr)
	jsonOut := fs.String("json", "", "also write the summary as JSON to this file")
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: trent-bench median [--json OUT] RATIOS.json... (files from trent-bench compare --json, one per round)\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() < 1 {
		fs.Usage()
		return 2
	}
	var rounds []*bench.Comparison
	for _, path := range fs.Args() {
		f, err := os.Open(path)
		if err != nil {
			fmt.Fprintf(stderr, "trent-bench median: %v\n", err)
			return 1
		}
		c, err := bench.ReadComparison(f)
		f.Close()
		if err != nil {
			fmt.Fprintf(stderr, "trent-bench median: %s: %v\n", path, err)
			return 1
		}
		rounds = append(rounds, c)
	}
	sums := bench.Summarize(rounds)
	if err := bench.WriteSummaries(stdout, sums); err != nil {
		fmt.Fprintf(stderr, "trent-bench median: %v\n", err)
		return 1
	}
	if *jsonOut != "" {
		err := writeFile(*jsonOut, func(w io.Writer) error {
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
