package main

import (
	"flag"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/server"
)

const serveHelp = `usage: trent serve [flags]

Runs the AWS KMS API server. Every flag can also be set with the
environment variable named next to it. A flag on the command line wins over
its variable, and a variable set to the empty string counts as unset, so the
default applies.
`

// serveFlags are the flags of trent serve; each has an environment variable.
type serveFlags struct {
	listen      string
	dataDir     string
	rootKeyFile string
	identities  string
	dev         bool
	devAccount  string
	logLevel    slog.Level
	// tlsCert and tlsKey serve HTTPS; both or neither.
	tlsCert, tlsKey string
	// allowPlainHTTP lets a non-dev server speak plain HTTP on a
	// non-loopback address (httpserver_tls.go).
	allowPlainHTTP bool
	// auditSync bounds how long read-only requests' audit records stay
	// unsynced.
	auditSync time.Duration
	// cacheKeys bounds the keys the service keeps decoded in memory.
	cacheKeys int
	// metricsListen is the address of the operations listener (/metrics,
	// /healthz, /readyz); empty for none.
	metricsListen string
}

// maxAuditSyncInterval caps --audit-sync-interval: the bound is a promise
// about how much a power cut may lose, and one longer than a minute is more
// likely a typo (1h for 1s) than a decision.
const maxAuditSyncInterval = time.Minute

// maxCacheKeys caps --cache-keys at a count whose caches (a few kilobytes
// a key) would already need tens of gigabytes: a larger value is a typo.
const maxCacheKeys = 1 << 24

// serveCommand defines the flags of trent serve into f, with defaults from
// their environment variables (env.go). check, called after parsing,
// reports what the flag package cannot see: a bad TRENT_DEV or
// TRENT_ALLOW_PLAIN_HTTP, a bad log level, a TLS certificate without its key. A flag given on the command line wins, and then its variable is
// not read at all, so a bad value there cannot fail the start.
func serveCommand(f *serveFlags) (cmd *command, check func() error) {
	cmd = newCommand("serve", serveHelp)
	fs := cmd.flags
	dev, devErr := envBool("TRENT_DEV")
	fs.StringVar(&f.listen, "listen", envString("TRENT_LISTEN", server.DefaultListen), "address to listen on (TRENT_LISTEN)")
	fs.StringVar(&f.dataDir, "data-dir", envString("TRENT_DATA_DIR", server.DefaultDataDir), "directory of the embedded store and the audit log (TRENT_DATA_DIR)")
	fs.StringVar(&f.rootKeyFile, "root-key-file", envString("TRENT_ROOT_KEY_FILE", ""), "root key file; required without --dev (TRENT_ROOT_KEY_FILE)")
	fs.StringVar(&f.identities, "identities", envString("TRENT_IDENTITIES", ""), "identities file (accounts, users, roles, access keys); required without --dev; default <data-dir>/"+server.IdentitiesFileName+" (TRENT_IDENTITIES)")
	fs.BoolVar(&f.dev, "dev", dev, "development mode: create the root key in the data directory on first start (TRENT_DEV: "+boolValues+")")
	fs.StringVar(&f.devAccount, "dev-account", envString("TRENT_DEV_ACCOUNT", server.DefaultDevAccount), "account of access keys that are not 12-digit account IDs (TRENT_DEV_ACCOUNT)")
	logLevel := fs.String("log-level", envString("TRENT_LOG_LEVEL", "info"), "debug, info, warn or error (TRENT_LOG_LEVEL)")
	fs.StringVar(&f.tlsCert, "tls-cert", envString("TRENT_TLS_CERT", ""), "certificate chain (PEM) to serve HTTPS with; needs --tls-key (TRENT_TLS_CERT)")
	fs.StringVar(&f.tlsKey, "tls-key", envString("TRENT_TLS_KEY", ""), "private key (PEM) of --tls-cert (TRENT_TLS_KEY)")
	allowPlain, allowPlainErr := envBool("TRENT_ALLOW_PLAIN_HTTP")
	fs.BoolVar(&f.allowPlainHTTP, "allow-plain-http", allowPlain, "serve plain HTTP on a non-loopback address without --dev, e.g. behind a TLS proxy (TRENT_ALLOW_PLAIN_HTTP: "+boolValues+")")
	auditSync := fs.String("audit-sync-interval", envString("TRENT_AUDIT_SYNC_INTERVAL", audit.SyncInterval.String()),
		"how long audit records of requests that changed nothing may stay unsynced, e.g. 1s or 200ms (TRENT_AUDIT_SYNC_INTERVAL)")
	fs.StringVar(&f.metricsListen, "metrics-listen", envString("TRENT_METRICS_LISTEN", ""),
		"address for /metrics (Prometheus), /healthz and /readyz, apart from the API; empty for none (TRENT_METRICS_LISTEN)")
	cacheKeys := fs.String("cache-keys", envString("TRENT_CACHE_KEYS", strconv.Itoa(kms.DefaultCacheKeys)),
		"how many keys' records, material and policies to keep in memory (TRENT_CACHE_KEYS)")
	check = func() error {
		if fs.NArg() > 0 {
			return fmt.Errorf("unexpected arguments: %v", fs.Args())
		}
		given := map[string]bool{}
		fs.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
		if devErr != nil && !given["dev"] {
			return devErr
		}
		if allowPlainErr != nil && !given["allow-plain-http"] {
			return allowPlainErr
		}
		if (f.tlsCert == "") != (f.tlsKey == "") {
			return fmt.Errorf("--tls-cert and --tls-key (TRENT_TLS_CERT, TRENT_TLS_KEY) go together: give both to serve HTTPS, or neither")
		}
		// source names where a bad value came from, as the user wrote it.
		source := func(flagName, env, value string) string {
			if given[flagName] {
				return fmt.Sprintf("--%s %q", flagName, value)
			}
			return fmt.Sprintf("%s=%q", env, value)
		}
		if d, err := time.ParseDuration(*auditSync); err != nil || d <= 0 || d > maxAuditSyncInterval {
			return fmt.Errorf("%s is not a sync interval: give a duration above 0 and at most %v, such as 1s or 200ms",
				source("audit-sync-interval", "TRENT_AUDIT_SYNC_INTERVAL", *auditSync), maxAuditSyncInterval)
		} else {
			f.auditSync = d
		}
		if n, err := strconv.Atoi(*cacheKeys); err != nil || n < 1 || n > maxCacheKeys {
			return fmt.Errorf("%s is not a number of keys: give a whole number from 1 to %d, such as %d",
				source("cache-keys", "TRENT_CACHE_KEYS", *cacheKeys), maxCacheKeys, kms.DefaultCacheKeys)
		} else {
			f.cacheKeys = n
		}
		if err := f.logLevel.UnmarshalText([]byte(*logLevel)); err != nil {
			return fmt.Errorf("%s is not a log level: use debug, info, warn or error", source("log-level", "TRENT_LOG_LEVEL", *logLevel))
		}
		return nil
	}
	return cmd, check
}
