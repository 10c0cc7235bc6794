package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/trent-kms/trent/internal/server"
)

// The store settings: --store selects the embedded bbolt store or an etcd
// cluster (distributed mode, docs/cluster.md), and the --etcd-* settings
// say how to reach the cluster.

const (
	storeBolt = "bolt"
	storeEtcd = "etcd"
	// defaultEtcdPrefix is the etcd driver's default prefix.
	defaultEtcdPrefix = "trent/"
	// maxEtcdPrefix is the etcd driver's limit: the prefix is sent with
	// every key of every transaction.
	maxEtcdPrefix = 128
	// defaultConsistencyBound and maxConsistencyBound: a cache read may be
	// this stale (docs/cluster.md, "Consistency").
	defaultConsistencyBound = time.Second
	maxConsistencyBound     = time.Minute
	minConsistencyBound     = 10 * time.Millisecond
)

// parseConsistencyBound parses --consistency-bound: 0 (no cache), or a
// duration up to maxConsistencyBound.
// Below minConsistencyBound the heartbeats (4 per bound) would flood etcd,
// and a bound shorter than a round trip to it could never be confirmed.
func parseConsistencyBound(value string) (time.Duration, error) {
	if d, err := time.ParseDuration(value); err == nil && d == 0 {
		return 0, nil
	}
	d, err := parseDuration(value, "a consistency bound (0 turns the cache off)", maxConsistencyBound)
	if err == nil && d < minConsistencyBound {
		return 0, notA("a consistency bound", fmt.Sprintf("give 0 (the cache off) or at least %v", minConsistencyBound))
	}
	return d, err
}

// parseEndpoints parses --etcd-endpoints: comma-separated client URLs,
// http:// or https://, or host:port (plain, as etcd's own tools take).
func parseEndpoints(value string) (string, error) {
	if value == "" {
		return "", nil
	}
	var out []string
	for _, e := range strings.Split(value, ",") {
		e = strings.TrimSpace(e)
		if err := checkEndpoint(e); err != nil {
			return "", notA("a list of etcd client URLs", fmt.Sprintf("%q %s; write e.g. http://10.0.0.1:2379,http://10.0.0.2:2379", e, err))
		}
		out = append(out, e)
	}
	return strings.Join(out, ","), nil
}

func checkEndpoint(e string) error {
	if e == "" {
		return errors.New("is empty")
	}
	if !strings.Contains(e, "://") {
		if _, port, err := net.SplitHostPort(e); err != nil || port == "" {
			return errors.New("is neither a URL nor host:port")
		}
		return nil
	}
	u, err := url.Parse(e)
	switch {
	case err != nil:
		return errors.New("is not a URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("is not an http:// or https:// URL")
	case u.Host == "" || u.Port() == "":
		return errors.New("names no host:port")
	case u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.User != nil:
		return errors.New("has more than a scheme, host and port")
	}
	return nil
}

// checkStoreSettings checks the settings that go together: the etcd ones
// need --store etcd, which needs endpoints; a client certificate needs its
// key.
func checkStoreSettings(f *serveFlags) error {
	if f.store != storeEtcd {
		if f.etcdEndpoints != "" || f.etcdCA != "" || f.etcdCert != "" || f.etcdKey != "" {
			return errors.New("--etcd-endpoints, --etcd-ca, --etcd-cert and --etcd-key (TRENT_ETCD_*) apply only with --store etcd (TRENT_STORE=etcd)")
		}
		return nil
	}
	if f.etcdEndpoints == "" {
		return errors.New("--store etcd needs --etcd-endpoints (TRENT_ETCD_ENDPOINTS): the client URLs of the etcd members, comma-separated")
	}
	if (f.etcdCert == "") != (f.etcdKey == "") {
		return errors.New("--etcd-cert and --etcd-key (TRENT_ETCD_CERT, TRENT_ETCD_KEY) go together: give both to present a client certificate to etcd, or neither")
	}
	return nil
}

// etcdConfig is the server's etcd configuration from f; nil with --store
// bolt. Its errors name the setting whose file could not be used.
func etcdConfig(f *serveFlags) (*server.EtcdConfig, error) {
	if f.store != storeEtcd {
		return nil, nil
	}
	endpoints := strings.Split(f.etcdEndpoints, ",")
	cfg := &server.EtcdConfig{Endpoints: endpoints, Prefix: f.etcdPrefix, ConsistencyBound: f.consistencyBound}
	secure := false
	for _, e := range endpoints {
		secure = secure || strings.HasPrefix(e, "https://")
	}
	if !secure && f.etcdCA == "" && f.etcdCert == "" {
		return cfg, nil
	}
	cfg.TLS = &tls.Config{MinVersion: tls.VersionTLS12}
	if f.etcdCA != "" {
		pem, err := os.ReadFile(f.etcdCA)
		if err != nil {
			return nil, fmt.Errorf("--etcd-ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--etcd-ca %s holds no PEM certificate", f.etcdCA)
		}
		cfg.TLS.RootCAs = pool
	}
	if f.etcdCert != "" {
		pair, err := tls.LoadX509KeyPair(f.etcdCert, f.etcdKey)
		if err != nil {
			return nil, fmt.Errorf("--etcd-cert %s and --etcd-key %s are not a certificate (PEM) and its private key: %w", f.etcdCert, f.etcdKey, err)
		}
		cfg.TLS.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}
