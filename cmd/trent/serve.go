package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/trent-kms/trent/internal/server"
)

// serveFlags are the flags of trent serve; each has an environment variable.
type serveFlags struct {
	listen      string
	dataDir     string
	rootKeyFile string
	dev         bool
	devAccount  string
	logLevel    slog.Level
}

// parseServeFlags reads the flags of trent serve and their environment
// variables (env.go). A flag given on the command line wins, and then its
// variable is not read at all, so a bad value there cannot fail the start.
func parseServeFlags(args []string, stderr io.Writer) (*serveFlags, error) {
	f := &serveFlags{}
	fs := flag.NewFlagSet("trent serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dev, devErr := envBool("TRENT_DEV")
	fs.StringVar(&f.listen, "listen", envString("TRENT_LISTEN", server.DefaultListen), "address to listen on (TRENT_LISTEN)")
	fs.StringVar(&f.dataDir, "data-dir", envString("TRENT_DATA_DIR", server.DefaultDataDir), "directory of the embedded store and the audit log (TRENT_DATA_DIR)")
	fs.StringVar(&f.rootKeyFile, "root-key-file", envString("TRENT_ROOT_KEY_FILE", ""), "root key file; required without --dev (TRENT_ROOT_KEY_FILE)")
	fs.BoolVar(&f.dev, "dev", dev, "development mode: create the root key in the data directory on first start (TRENT_DEV: "+boolValues+")")
	fs.StringVar(&f.devAccount, "dev-account", envString("TRENT_DEV_ACCOUNT", server.DefaultDevAccount), "account of access keys that are not 12-digit account IDs (TRENT_DEV_ACCOUNT)")
	logLevel := fs.String("log-level", envString("TRENT_LOG_LEVEL", "info"), "debug, info, warn or error (TRENT_LOG_LEVEL)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	given := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	if devErr != nil && !given["dev"] {
		return nil, devErr
	}
	if err := f.logLevel.UnmarshalText([]byte(*logLevel)); err != nil {
		source := fmt.Sprintf("TRENT_LOG_LEVEL=%q", *logLevel)
		if given["log-level"] {
			source = fmt.Sprintf("--log-level %q", *logLevel)
		}
		return nil, fmt.Errorf("%s is not a log level: use debug, info, warn or error", source)
	}
	return f, nil
}

func serve(ctx context.Context, args []string, stderr io.Writer) int {
	f, err := parseServeFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "trent serve: %v\n", err)
		return 2
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: f.logLevel}))
	if !f.dev && f.rootKeyFile == "" {
		log.Error("a root key file is required: pass --root-key-file (or TRENT_ROOT_KEY_FILE; trent create-root-key <path> makes one), or use --dev for a local server")
		return 1
	}
	node, err := server.Open(server.Config{
		DataDir: f.dataDir, RootKeyFile: f.rootKeyFile, Dev: f.dev, DevAccount: f.devAccount, Logger: log,
	})
	if err != nil {
		log.Error("cannot start", "error", err.Error())
		return 1
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		log.Error("cannot listen", "address", f.listen, "error", err.Error())
		node.Close()
		return 1
	}
	node.Start()
	log.Info("trent is serving the AWS KMS API", "address", "http://"+ln.Addr().String(), "data_dir", f.dataDir, "dev", f.dev)

	httpServer := &http.Server{
		Handler:           node.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- httpServer.Serve(ln) }()

	code := 0
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case err := <-serveErr:
		log.Error("server failed", "error", err.Error())
		code = 1
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil {
		log.Warn("requests still running at shutdown were cut off", "error", err.Error())
	}
	if err := node.Close(); err != nil {
		log.Error("closing the data directory failed", "error", err.Error())
		code = 1
	}
	log.Info("stopped")
	return code
}
