// Command trent is a self-hosted key management service that speaks the AWS
// KMS API.
//
//	trent serve --dev            a local server with an embedded store
//	trent serve --root-key-file /etc/trent/root.key --data-dir /var/lib/trent
//
// Every flag has an environment variable (TRENT_LISTEN, TRENT_DATA_DIR, ...);
// a flag given on the command line wins.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
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
  serve            run the server (trent serve --help for its flags)
  create-root-key  write a new root key file: trent create-root-key <path>
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
		return serve(ctx, args[1:], stderr)
	case "create-root-key":
		return createRootKey(args[1:], stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stderr, usage)
		return 0
	}
	fmt.Fprintf(stderr, "trent: unknown command %q\n\n%s", args[0], usage)
	return 2
}
