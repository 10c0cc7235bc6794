// Package faults holds the failure tests of distributed mode (issue 13):
// several `trent serve --store etcd` nodes on a three-member etcd, driven by
// concurrent aws-sdk-go-v2 clients while the tests inject faults — the etcd
// leader SIGKILLed again and again, a minority of members stopped, a Trent
// node cut off from the cluster, delay and loss on links, a Trent node
// SIGKILLed, everything restarted. After each, with every fault healed, the
// tests prove through the SDK that no acknowledged alias or grant was lost
// or duplicated, that every ciphertext handed out decrypts on every node, and
// that the recorded history of key-state operations is linearizable
// (github.com/anishathalye/porcupine), up to a configurable staleness of
// reads.
//
// Every process is real and separate: each etcd member (./etcdmember, built
// by the tests without -race) and each Trent node runs in a network
// namespace of its own, made by the test with `ip netns`, joined by veth
// pairs to a bridge in a "switch" namespace on a private /24 the test picks;
// the test process reaches them through one more veth. Nothing leaves the
// machine. Faults are signals to those processes and nftables rules or
// qdiscs inside their namespaces, so the tests need root: they skip when
// not root and fail on any set-up error when root. See
// docs/cluster.md ("Failures").
//
// The package has no non-test code besides this file; the harness lives in
// its _test.go files.
package faults
