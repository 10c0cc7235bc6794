// Command trent is a self-hosted key management service that speaks the AWS
// KMS API.
//
//	trent serve --dev            a local server with an embedded store
//	trent serve --root-key-file /etc/trent/root.key --data-dir /var/lib/trent
//
// Every flag has an environment variable (TRENT_LISTEN, TRENT_DATA_DIR, ...);
// a flag given on the command line wins.
//
// Help that was asked for (-h, --help, trent help) goes to stdout and exits
// 0, so it can be paged or searched; a usage error goes to stderr with the
// usage and exits 2.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	// SIGINT and SIGTERM cancel the context rather than killing the
	// process, so serve shuts down cleanly; tests stop it the same way by
	// cancelling.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `usage: trent <command> [flags]

commands:
  serve            run the server
  create-root-key  write a new root key file
  account          create and list accounts (and their root access keys)
  user             create IAM users
  role             create IAM roles; assume them for temporary credentials
  policy           put and delete inline identity-based policies
  access-key       create and delete access keys
  version          print which build this is
  help [command]   print this help, or a command's

Run 'trent <command> --help' for a command's flags.
`

// run is the whole command: main only adds the process's arguments, output
// and signals. It returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "create-root-key":
		return createRootKey(args[1:], stdout, stderr)
	case "account", "user", "role", "policy", "access-key":
		return runIdentityGroup(args[0], args[1:], stdout, stderr)
	case "version":
		return printVersion(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		if args[0] == "help" && len(args) > 1 && args[1] != "help" {
			return run(ctx, []string{args[1], "--help"}, stdout, stderr)
		}
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "trent: unknown command %q\n\n%s", args[0], usage)
	return 2
}

// command is one subcommand's flag set and the text of its help.
type command struct {
	name  string // as typed after trent
	head  string // the help above the flags; it starts with the usage line
	flags *flag.FlagSet
	// writeFlags, if set, lists the flags in the help instead of
	// flag.PrintDefaults (serve lists its settings' variables and defaults).
	writeFlags func(io.Writer)
}

func newCommand(name, head string) *command {
	fs := flag.NewFlagSet("trent "+name, flag.ContinueOnError)
	// The flag package would print its errors and its own usage to
	// stderr; parse prints them once, with this command's help.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &command{name: name, head: head, flags: fs}
}

// printHelp writes the command's help, flags included, to w.
func (c *command) printHelp(w io.Writer) {
	fmt.Fprint(w, c.head)
	hasFlags := false
	c.flags.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		fmt.Fprint(w, "\nflags:\n")
		if c.writeFlags != nil {
			c.writeFlags(w)
			return
		}
		c.flags.SetOutput(w)
		c.flags.PrintDefaults()
		c.flags.SetOutput(io.Discard)
	}
}

// parse parses args. If the command must stop here, it returns done and
// the exit code: 0 after printing the help that was asked for to stdout, 2
// after printing a usage error to stderr.
func (c *command) parse(args []string, stdout, stderr io.Writer) (code int, done bool) {
	err := c.flags.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		c.printHelp(stdout)
		return 0, true
	}
	if err != nil {
		return c.usageError(stderr, err), true
	}
	return 0, false
}

// usageError prints err, the usage line and where to find more to stderr,
// and returns the exit code of a usage error. The full help would bury the
// one line that says what is wrong.
func (c *command) usageError(stderr io.Writer, err error) int {
	usageLine, _, _ := strings.Cut(c.head, "\n")
	fmt.Fprintf(stderr, "trent %s: %v\n%s\nRun 'trent %s --help' for more.\n", c.name, err, usageLine, c.name)
	return 2
}
