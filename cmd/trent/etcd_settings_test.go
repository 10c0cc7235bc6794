package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStoreSettingsRefused: each wrong store setting, or combination, is
// refused with a message naming the setting.
func TestStoreSettingsRefused(t *testing.T) {
	clearServeEnv(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--store", "sqlite"}, `--store "sqlite" is not a store: use bolt or etcd`},
		{[]string{"--store", "etcd"}, "--store etcd needs --etcd-endpoints (TRENT_ETCD_ENDPOINTS)"},
		{[]string{"--store", "etcd", "--etcd-endpoints", "http://a:2379,,http://b:2379"}, `"" is empty`},
		{[]string{"--store", "etcd", "--etcd-endpoints", "ftp://a:2379"}, `"ftp://a:2379" is not an http:// or https:// URL`},
		{[]string{"--store", "etcd", "--etcd-endpoints", "etcd.local"}, `"etcd.local" is neither a URL nor host:port`},
		{[]string{"--store", "etcd", "--etcd-endpoints", "http://a"}, `"http://a" names no host:port`},
		{[]string{"--store", "etcd", "--etcd-endpoints", "http://a:2379/v3"}, `has more than a scheme, host and port`},
		{[]string{"--store", "etcd", "--etcd-endpoints", "a:2379", "--etcd-cert", "c.pem"}, "--etcd-cert and --etcd-key (TRENT_ETCD_CERT, TRENT_ETCD_KEY) go together"},
		{[]string{"--etcd-endpoints", "a:2379"}, "apply only with --store etcd"},
		{[]string{"--store", "etcd", "--etcd-endpoints", "a:2379", "--etcd-prefix", strings.Repeat("p", 129)}, "is not a key prefix: use 1 to 128 bytes"},
		{[]string{"--node-id", "a/b"}, `--node-id "a/b" is not a node ID`},
		{[]string{"--node-id", "-a"}, `is not a node ID`},
		{[]string{"--node-id", strings.Repeat("n", 65)}, `is not a node ID: a node ID has 1 to 64 characters`},
	} {
		_, err := parseServeFlags(c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want an error containing %q", c.args, err, c.want)
		}
	}
	f, err := parseServeFlags([]string{"--store", "etcd", "--etcd-endpoints", " http://a:2379, b:2379 ", "--node-id", "node-1.eu_west-a"})
	if err != nil || f.etcdEndpoints != "http://a:2379,b:2379" || f.nodeID != "node-1.eu_west-a" {
		t.Fatalf("valid etcd settings: %+v %v", f, err)
	}
	t.Setenv("TRENT_STORE", "etcd")
	t.Setenv("TRENT_ETCD_ENDPOINTS", "https://e1:2379")
	if f, err = parseServeFlags(nil); err != nil || f.store != storeEtcd || f.etcdEndpoints != "https://e1:2379" {
		t.Fatalf("the variables: %+v %v", f, err)
	}
}

// TestEtcdTLSConfig: https endpoints get TLS with the system roots, --etcd-ca
// replaces them, --etcd-cert/--etcd-key add a client certificate, and
// files that are not what they should be are named in the error.
func TestEtcdTLSConfig(t *testing.T) {
	dir := t.TempDir()
	certPEM, keyPEM := selfSigned(t)
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ca, cert, key, junk := write("ca.pem", certPEM), write("c.pem", certPEM), write("k.pem", keyPEM), write("junk.pem", []byte("nope"))

	plain, err := etcdConfig(&serveFlags{store: storeEtcd, etcdEndpoints: "http://a:2379,b:2379", etcdPrefix: "p/"})
	if err != nil || plain.TLS != nil || len(plain.Endpoints) != 2 || plain.Prefix != "p/" {
		t.Fatalf("plain endpoints: %+v %v", plain, err)
	}
	secure, err := etcdConfig(&serveFlags{store: storeEtcd, etcdEndpoints: "https://a:2379"})
	if err != nil || secure.TLS == nil || secure.TLS.RootCAs != nil {
		t.Fatalf("https endpoint: %+v %v, want TLS with the system roots", secure, err)
	}
	full, err := etcdConfig(&serveFlags{store: storeEtcd, etcdEndpoints: "https://a:2379", etcdCA: ca, etcdCert: cert, etcdKey: key})
	if err != nil || full.TLS.RootCAs == nil || len(full.TLS.Certificates) != 1 {
		t.Fatalf("CA and client certificate: %+v %v", full, err)
	}
	if _, err := etcdConfig(&serveFlags{store: storeEtcd, etcdEndpoints: "https://a:2379", etcdCA: junk}); err == nil || !strings.Contains(err.Error(), "--etcd-ca "+junk+" holds no PEM certificate") {
		t.Errorf("junk CA: %v", err)
	}
	if _, err := etcdConfig(&serveFlags{store: storeEtcd, etcdEndpoints: "https://a:2379", etcdCA: filepath.Join(dir, "absent")}); err == nil || !strings.Contains(err.Error(), "--etcd-ca") {
		t.Errorf("absent CA: %v", err)
	}
	if _, err := etcdConfig(&serveFlags{store: storeEtcd, etcdEndpoints: "https://a:2379", etcdCert: cert, etcdKey: junk}); err == nil || !strings.Contains(err.Error(), "--etcd-cert "+cert+" and --etcd-key "+junk) {
		t.Errorf("junk key: %v", err)
	}
	if none, err := etcdConfig(&serveFlags{store: storeBolt}); none != nil || err != nil {
		t.Errorf("bolt: %+v %v, want no etcd configuration", none, err)
	}
}

func selfSigned(t *testing.T) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "etcd-client"},
		NotBefore: time.Unix(1_700_000_000, 0), NotAfter: time.Unix(2_100_000_000, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
}

// TestConsistencyBoundSetting: --consistency-bound takes 0 (the cache
// off) or a duration from 10ms up to a minute, and reaches the server's etcd
// configuration; anything else is refused, naming the setting.
func TestConsistencyBoundSetting(t *testing.T) {
	for value, want := range map[string]time.Duration{"0": 0, "0s": 0, "250ms": 250 * time.Millisecond, "1m": time.Minute} {
		f, err := parseServeFlags([]string{"--store", "etcd", "--etcd-endpoints", "http://a:2379", "--consistency-bound", value})
		if err != nil {
			t.Fatalf("--consistency-bound %s: %v", value, err)
		}
		cfg, err := etcdConfig(f)
		if err != nil || cfg.ConsistencyBound != want {
			t.Errorf("--consistency-bound %s: ConsistencyBound %v (%v), want %v", value, cfg.ConsistencyBound, err, want)
		}
	}
	for _, value := range []string{"-1s", "61s", "soon", "", "5ms"} {
		_, err := parseServeFlags([]string{"--consistency-bound", value})
		if err == nil || !strings.Contains(err.Error(), "consistency-bound") {
			t.Errorf("--consistency-bound %q: %v, want a refusal naming the setting", value, err)
		}
	}
}
