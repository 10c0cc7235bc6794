// Command etcdmember runs one etcd member (go.etcd.io/etcd/server/v3/embed,
// the version in go.mod) for the failure tests of internal/faults. Those
// tests build it, without -race, and run three of them as separate
// processes, one per network namespace, so that a member can be SIGKILLed,
// SIGSTOPped, cut off and restarted on its data directory. It is test
// support: nothing else uses it, and the trent binary does not contain it.
//
// Usage:
//
//	etcdmember -name e1 -data-dir DIR -peer-url http://IP:2380 \
//	  -client-url http://IP:2379 -initial-cluster e1=http://...,e2=...
//
// It prints "etcdmember ready" once the member serves, and stops cleanly on
// SIGTERM or SIGINT.
package main

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"go.etcd.io/etcd/server/v3/embed"
)

// ReadyLine is what the member prints on stdout once it serves.
const ReadyLine = "etcdmember ready"

func main() {
	name := flag.String("name", "", "member name")
	dataDir := flag.String("data-dir", "", "data directory (kept across restarts)")
	peerURL := flag.String("peer-url", "", "URL to listen on for and advertise to peers")
	clientURL := flag.String("client-url", "", "URL to listen on for and advertise to clients")
	initial := flag.String("initial-cluster", "", "name=peer-url,... of every member")
	token := flag.String("token", "trent-faults", "initial cluster token")
	flag.Parse()
	if err := run(*name, *dataDir, *peerURL, *clientURL, *initial, *token); err != nil {
		fmt.Fprintln(os.Stderr, "etcdmember:", err)
		os.Exit(1)
	}
}

func run(name, dataDir, peerURL, clientURL, initial, token string) error {
	peer, err := url.Parse(peerURL)
	if err != nil {
		return fmt.Errorf("-peer-url: %w", err)
	}
	client, err := url.Parse(clientURL)
	if err != nil {
		return fmt.Errorf("-client-url: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(dataDir), 0o700); err != nil {
		return err
	}
	cfg := embed.NewConfig()
	cfg.Name = name
	cfg.Dir = dataDir
	cfg.ListenPeerUrls = []url.URL{*peer}
	cfg.AdvertisePeerUrls = []url.URL{*peer}
	cfg.ListenClientUrls = []url.URL{*client}
	cfg.AdvertiseClientUrls = []url.URL{*client}
	cfg.InitialCluster = initial
	cfg.InitialClusterToken = token
	// With a data directory from an earlier run etcd ignores the initial
	// cluster and rejoins as the member it was.
	cfg.ClusterState = embed.ClusterStateFlagNew
	cfg.ListenMetricsUrls = nil
	cfg.LogOutputs = []string{filepath.Join(filepath.Dir(dataDir), name+".log")}

	// Ask for the signals before serving, so that a SIGTERM sent right
	// after the ready line is not lost.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)

	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return err
	}
	defer e.Close()
	select {
	case <-e.Server.ReadyNotify():
		fmt.Println(ReadyLine)
	case err := <-e.Err():
		return err
	case <-stop:
		return nil
	}
	select {
	case err := <-e.Err():
		return err
	case <-stop:
		return nil
	}
}
