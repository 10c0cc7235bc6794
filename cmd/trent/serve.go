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
	logLevel    string
}

func parseServeFlags(args []string, stderr io.Writer) (*serveFlags, error) {
	f := &serveFlags{}
	fs := flag.NewFlagSet("trent serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.listen, "listen", env("TRENT_LISTEN", server.DefaultListen), "address to listen on (TRENT_LISTEN)")
	fs.StringVar(&f.dataDir, "data-dir", env("TRENT_DATA_DIR", server.DefaultDataDir), "directory of the embedded store and the audit log (TRENT_DATA_DIR)")
	fs.StringVar(&f.rootKeyFile, "root-key-file", env("TRENT_ROOT_KEY_FILE", ""), "root key file; required without --dev (TRENT_ROOT_KEY_FILE)")
	fs.BoolVar(&f.dev, "dev", envBool("TRENT_DEV"), "development mode: create the root key in the data directory on first start (TRENT_DEV)")
	fs.StringVar(&f.devAccount, "dev-account", env("TRENT_DEV_ACCOUNT", server.DefaultDevAccount), "account of access keys that are not 12-digit account IDs (TRENT_DEV_ACCOUNT)")
	fs.StringVar(&f.logLevel, "log-level", env("TRENT_LOG_LEVEL", "info"), "debug, info, warn or error (TRENT_LOG_LEVEL)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %v", fs.Args())
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
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		fmt.Fprintf(stderr, "trent serve: --log-level: %v\n", err)
		return 2
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
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
