package main

import (
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/kms"
	"github.com/trent-kms/trent/internal/server"
)

// The settings of trent serve, in the order the README lists them. Flags,
// variables, config-file keys, --help and the README table all come from
// here (settings.go says how).

const (
	configSettingName = "config"
	configSettingEnv  = "TRENT_CONFIG"
)

// maxAuditSyncInterval caps --audit-sync-interval: the bound is a promise
// about how much a power cut may lose, and one longer than a minute is more
// likely a typo (1h for 1s) than a decision.
const maxAuditSyncInterval = time.Minute

// maxCacheKeys caps --cache-keys at a count whose caches (a few kilobytes
// a key) would already need tens of gigabytes: a larger value is a typo.
const maxCacheKeys = 1 << 24

var serveSettings = []setting{
	{
		name: configSettingName, env: configSettingEnv, kind: kindPath, notInFile: true,
		help:  "YAML file of settings, keyed by these names; a flag or variable wins over it",
		apply: setText(func(f *serveFlags) *string { return &f.configFile }),
	},
	{
		name: "listen", env: "TRENT_LISTEN", kind: kindText, def: defaultListenHost,
		shownDefault: defaultListenHost + ":" + strconv.Itoa(defaultPort) + ", or " + defaultListenHost + ":PORT when PORT is set",
		help:         "address to listen on, host:port; a host alone takes its port from PORT, else " + strconv.Itoa(defaultPort),
		apply:        setListen,
	},
	{
		name: "data-dir", env: "TRENT_DATA_DIR", kind: kindPath, def: server.DefaultDataDir,
		help:  "directory of the audit log, the node ID and, with --store bolt, the embedded store",
		apply: setText(func(f *serveFlags) *string { return &f.dataDir }),
	},
	{
		name: "root-key-file", env: "TRENT_ROOT_KEY_FILE", kind: kindPath,
		help:  "root key file; required without --dev",
		apply: setText(func(f *serveFlags) *string { return &f.rootKeyFile }),
	},
	{
		name: "identities", env: "TRENT_IDENTITIES", kind: kindPath, shownDefault: "<data-dir>/" + server.IdentitiesFileName,
		help:  "identities file (accounts, users, roles, access keys); required without --dev",
		apply: setText(func(f *serveFlags) *string { return &f.identities }),
	},
	{
		name: "dev", env: "TRENT_DEV", kind: kindBool, def: "false",
		help:  "development mode: create the root key in the data directory on first start, accept any credentials",
		apply: setBool(func(f *serveFlags) *bool { return &f.dev }),
	},
	{
		name: "dev-account", env: "TRENT_DEV_ACCOUNT", kind: kindText, def: server.DefaultDevAccount,
		help:  "account of access keys that are not 12-digit account IDs",
		apply: setText(func(f *serveFlags) *string { return &f.devAccount }),
	},
	{
		name: "log-level", env: "TRENT_LOG_LEVEL", kind: kindText, def: "info",
		help: "debug, info, warn or error",
		apply: func(f *serveFlags, value string) error {
			if err := f.logLevel.UnmarshalText([]byte(value)); err != nil {
				return notA("a log level", "use debug, info, warn or error")
			}
			return nil
		},
	},
	{
		name: "tls-cert", env: "TRENT_TLS_CERT", kind: kindPath,
		help:  "certificate chain (PEM) to serve HTTPS with; needs --tls-key",
		apply: setText(func(f *serveFlags) *string { return &f.tlsCert }),
	},
	{
		name: "tls-key", env: "TRENT_TLS_KEY", kind: kindPath,
		help:  "private key (PEM) of --tls-cert",
		apply: setText(func(f *serveFlags) *string { return &f.tlsKey }),
	},
	{
		name: "allow-plain-http", env: "TRENT_ALLOW_PLAIN_HTTP", kind: kindBool, def: "false",
		help:  "serve plain HTTP on a non-loopback address without --dev, e.g. behind a TLS proxy",
		apply: setBool(func(f *serveFlags) *bool { return &f.allowPlainHTTP }),
	},
	{
		name: "audit-sync-interval", env: "TRENT_AUDIT_SYNC_INTERVAL", kind: kindDuration, def: audit.SyncInterval.String(),
		help: "how long audit records of requests that changed nothing may stay unsynced, e.g. 1s or 200ms; at most a minute",
		apply: func(f *serveFlags, value string) (err error) {
			f.auditSync, err = parseDuration(value, "a sync interval", maxAuditSyncInterval)
			return err
		},
	},
	{
		name: "metrics-listen", env: "TRENT_METRICS_LISTEN", kind: kindText,
		help:  "address for /metrics (Prometheus), /healthz and /readyz, apart from the API; empty for none",
		apply: setText(func(f *serveFlags) *string { return &f.metricsListen }),
	},
	{
		name: "seed", env: "TRENT_SEED", kind: kindPath,
		help:  "seed file, in Trent's YAML format or nsmithuk/local-kms's: keys with fixed IDs and material, aliases, tags, policies and rotation, created at start if absent",
		apply: setText(func(f *serveFlags) *string { return &f.seed }),
	},
	{
		name: "console", env: "TRENT_CONSOLE", kind: kindBool, def: "true",
		help:  "serve the web console at /console, a client of the API that signs its requests in the browser; false answers 404 there",
		apply: setBool(func(f *serveFlags) *bool { return &f.console }),
	},
	{
		name: "cache-keys", env: "TRENT_CACHE_KEYS", kind: kindNumber, def: strconv.Itoa(kms.DefaultCacheKeys),
		help: "how many keys' records, material and policies to keep in memory",
		apply: func(f *serveFlags, value string) (err error) {
			f.cacheKeys, err = parseCount(value, "a number of keys", maxCacheKeys, kms.DefaultCacheKeys)
			return err
		},
	},
	{
		name: "store", env: "TRENT_STORE", kind: kindText, def: storeBolt,
		help: "where keys are kept: bolt, the embedded store in the data directory, or etcd, an etcd cluster several nodes share",
		apply: func(f *serveFlags, value string) error {
			if value != storeBolt && value != storeEtcd {
				return notA("a store", "use bolt or etcd")
			}
			f.store = value
			return nil
		},
	},
	{
		name: "etcd-endpoints", env: "TRENT_ETCD_ENDPOINTS", kind: kindText,
		help: "with --store etcd: the etcd members' client URLs, comma-separated (http://host:2379, https://host:2379 or host:2379); required",
		apply: func(f *serveFlags, value string) (err error) {
			f.etcdEndpoints, err = parseEndpoints(value)
			return err
		},
	},
	{
		name: "etcd-ca", env: "TRENT_ETCD_CA", kind: kindPath,
		help:  "with --store etcd: CA certificates (PEM) to verify the etcd members with, instead of the system's",
		apply: setText(func(f *serveFlags) *string { return &f.etcdCA }),
	},
	{
		name: "etcd-cert", env: "TRENT_ETCD_CERT", kind: kindPath,
		help:  "with --store etcd: client certificate (PEM) to present to etcd; needs --etcd-key",
		apply: setText(func(f *serveFlags) *string { return &f.etcdCert }),
	},
	{
		name: "etcd-key", env: "TRENT_ETCD_KEY", kind: kindPath,
		help:  "with --store etcd: private key (PEM) of --etcd-cert",
		apply: setText(func(f *serveFlags) *string { return &f.etcdKey }),
	},
	{
		name: "etcd-prefix", env: "TRENT_ETCD_PREFIX", kind: kindText, def: defaultEtcdPrefix,
		help: "with --store etcd: the key prefix of this Trent cluster in etcd, the same on every node",
		apply: func(f *serveFlags, value string) error {
			if value == "" || len(value) > maxEtcdPrefix {
				return notA("a key prefix", fmt.Sprintf("use 1 to %d bytes, e.g. %s", maxEtcdPrefix, defaultEtcdPrefix))
			}
			f.etcdPrefix = value
			return nil
		},
	},
	{
		name: "consistency-bound", env: "TRENT_CONSISTENCY_BOUND", kind: kindDuration, def: defaultConsistencyBound.String(),
		help: "with --store etcd: how stale a read served from this node's watch-fed cache may be; 0 turns the cache off (every read goes to etcd); 10ms to a minute",
		apply: func(f *serveFlags, value string) (err error) {
			f.consistencyBound, err = parseConsistencyBound(value)
			return err
		},
	},
	{
		name: "node-id", env: "TRENT_NODE_ID", kind: kindText, shownDefault: "random, kept in <data-dir>/" + server.NodeIDFileName,
		help: "this node's name among the nodes sharing a store (it names the node's audit outbox): letters, digits, '.', '_', '-'",
		apply: func(f *serveFlags, value string) error {
			if value == "" {
				return nil
			}
			if err := server.ValidNodeID(value); err != nil {
				return notA("a node ID", err.Error())
			}
			f.nodeID = value
			return nil
		},
	},
}

// serveFlags are the settings of trent serve, as resolved.
type serveFlags struct {
	// configFile is the config file read, if any.
	configFile  string
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
	// console serves the web console at /console.
	console bool
	// seed is the seed file applied at start, if any.
	seed string
	// consistencyBound is --consistency-bound; 0 turns the cache off.
	consistencyBound time.Duration
	// store is storeBolt or storeEtcd.
	store string
	// etcdEndpoints, etcdCA, etcdCert, etcdKey and etcdPrefix configure
	// the etcd store (etcd_settings.go); etcdEndpoints is checked and
	// comma-separated, so that serveFlags stays comparable.
	etcdEndpoints             string
	etcdCA, etcdCert, etcdKey string
	etcdPrefix                string
	// nodeID names the node among those sharing a store; empty means the
	// ID kept in the data directory.
	nodeID string
}
