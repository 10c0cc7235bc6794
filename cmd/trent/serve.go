package main

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/trent-kms/trent/internal/server"
	"github.com/trent-kms/trent/internal/version"
)

// serve is trent serve: it opens the data directory, listens, and serves
// until ctx is cancelled (SIGINT or SIGTERM), then shuts down cleanly.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f := &serveFlags{}
	cmd, check := serveCommand(f)
	if code, done := cmd.parse(args, stdout, stderr); done {
		return code
	}
	if err := check(); err != nil {
		return cmd.usageError(stderr, err)
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: f.logLevel}))
	setServeGCPercent()
	if !f.dev && f.rootKeyFile == "" {
		log.Error("a root key file is required: pass --root-key-file (or TRENT_ROOT_KEY_FILE; trent create-root-key <path> makes one), or use --dev for a local server")
		return 1
	}
	var tlsConfig *tls.Config
	if f.tlsCert != "" {
		var err error
		if tlsConfig, err = loadTLSConfig(f.tlsCert, f.tlsKey); err != nil {
			log.Error("cannot serve HTTPS", "error", err.Error())
			return 1
		}
	} else if err := checkPlainHTTP(f.listen, f.dev, f.allowPlainHTTP); err != nil {
		log.Error(err.Error())
		return 1
	}
	// Listen first: a port in use is the likeliest failure, and checking it
	// before the data directory is opened means a failed start leaves
	// nothing behind (server.Open cleans up after itself).
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		log.Error("cannot listen", "address", f.listen, "error", err.Error())
		return 1
	}
	var opsLn net.Listener
	if f.metricsListen != "" {
		if opsLn, err = net.Listen("tcp", f.metricsListen); err != nil {
			ln.Close()
			log.Error("cannot listen for the metrics", "address", f.metricsListen, "error", err.Error())
			return 1
		}
	}
	etcd, err := etcdConfig(f)
	if err != nil {
		ln.Close()
		if opsLn != nil {
			opsLn.Close()
		}
		log.Error("cannot connect to etcd", "error", err.Error())
		return 1
	}
	node, err := server.Open(server.Config{
		Etcd: etcd, NodeID: f.nodeID,
		DataDir: f.dataDir, RootKeyFile: f.rootKeyFile, IdentitiesFile: identitiesFile(f), Dev: f.dev, DevAccount: f.devAccount, Logger: log,
		AuditSyncInterval: f.auditSync,
		CacheKeys:         f.cacheKeys,
		DisableConsole:    !f.console,
		SeedFile:          f.seed,
	})
	if err != nil {
		ln.Close()
		if opsLn != nil {
			opsLn.Close()
		}
		log.Error("cannot start", "error", err.Error(), "version", version.Get().Version)
		return 1
	}
	node.Start()
	scheme, signatures := "http", "verified"
	if tlsConfig != nil {
		scheme = "https"
	}
	if f.dev {
		signatures = "not verified (--dev)"
	}
	// Other tests and tools parse this line: keep its message and fields.
	log.Info("trent is serving the AWS KMS API", "address", scheme+"://"+ln.Addr().String(), "data_dir", f.dataDir, "dev", f.dev,
		"tls", tlsConfig != nil, "signatures", signatures, "config", f.configFile, "version", version.Get().Version,
		"store", f.store, "node_id", node.ID())

	httpServer := newHTTPServer(node.Handler(), log)
	serveErr := make(chan error, 2) // the API server and the operations server
	if tlsConfig != nil {
		httpServer.TLSConfig = tlsConfig
		// The certificate is in TLSConfig already; ServeTLS also sets up
		// HTTP/2.
		go func() { serveErr <- httpServer.ServeTLS(ln, "", "") }()
	} else {
		go func() { serveErr <- httpServer.Serve(ln) }()
	}
	var opsServer *http.Server
	if opsLn != nil {
		opsServer = newHTTPServer(node.OpsHandler(), log)
		go func() { serveErr <- opsServer.Serve(opsLn) }()
		log.Info("serving /metrics, /healthz and /readyz", "address", "http://"+opsLn.Addr().String())
	}
	// SIGHUP reopens the audit log, after a log rotator has moved it away.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	code := 0
serving:
	for {
		select {
		case <-ctx.Done():
			log.Info("shutting down")
			break serving
		case err := <-serveErr:
			log.Error("server failed", "error", err.Error())
			code = 1
			break serving
		case <-hup:
			if err := node.ReopenAuditLog(); err != nil {
				log.Error("reopening the audit log failed; records of changes wait in the store, other requests fail until it can be written", "error", err.Error())
			} else {
				log.Info("reopened the audit log")
			}
		}
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil {
		log.Warn("requests still running at shutdown were cut off", "error", err.Error())
	}
	if opsServer != nil {
		_ = opsServer.Shutdown(shutdownCtx)
	}
	if err := node.Close(); err != nil {
		log.Error("closing the data directory failed", "error", err.Error())
		code = 1
	}
	log.Info("stopped")
	return code
}

// identitiesFile is the identities file serve uses: --identities, or the
// one in the data directory. Under --dev the default one is optional: if it
// is not there, every access key resolves as dev mode resolves it.
func identitiesFile(f *serveFlags) string {
	if f.identities != "" {
		return f.identities
	}
	path := filepath.Join(f.dataDir, server.IdentitiesFileName)
	if _, err := os.Stat(path); f.dev && errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	return path
}

// maxHeaderBytes bounds the request line and headers of one request; more
// gets 431 Request Header Fields Too Large before any handler runs. A KMS
// call's headers are small: the SigV4 Authorization header is a few hundred
// bytes, and the largest usual header, an STS session token
// (X-Amz-Security-Token), a few KiB; AWS does not fix its size, hence the
// wide margin. 64 KiB is also what AWS's Application Load Balancer allows
// for all the headers of a request; Go's default of 1 MiB would let every
// connection make the server buffer a megabyte of headers.
const maxHeaderBytes = 64 << 10

// newHTTPServer is the HTTP server in front of handler, with the limits
// that protect it from slow or oversized clients.
func newHTTPServer(handler http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           handler,
		MaxHeaderBytes:    maxHeaderBytes,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}
