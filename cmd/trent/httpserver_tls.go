package main

import (
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"strings"
)

// How trent serve speaks to its clients: HTTPS with the certificate given
// by --tls-cert and --tls-key, or plain HTTP. Plain HTTP carries every
// plaintext, data key and signed request readable to anyone on the path,
// so outside --dev it is served only on a loopback address unless
// --allow-plain-http says a TLS proxy in front takes care of it.

// loadTLSConfig reads the certificate chain and its private key (PEM).
// Each failure names the file it is about; the key's content never appears
// in an error.
func loadTLSConfig(certFile, keyFile string) (*tls.Config, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return nil, fmt.Errorf("cannot read the TLS certificate file (--tls-cert): %w", err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("cannot read the TLS key file (--tls-key): %w", err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		// crypto/tls's messages describe the PEM blocks found, never their
		// bytes.
		return nil, fmt.Errorf("the TLS certificate %s and key %s cannot be used together: %v", certFile, keyFile, err)
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		// TLS 1.0 and 1.1 are deprecated (RFC 8996); AWS endpoints
		// require 1.2 or later as well.
		MinVersion: tls.VersionTLS12,
	}, nil
}

// checkPlainHTTP refuses plain HTTP on a non-loopback listen address
// outside dev mode unless allowed explicitly.
func checkPlainHTTP(listen string, dev, allowed bool) error {
	if dev || allowed {
		return nil
	}
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return fmt.Errorf("listen address %q: %w", listen, err)
	}
	if isLoopback(host) {
		return nil
	}
	return fmt.Errorf("refusing to serve plain HTTP on %s, which is not a loopback address: requests would cross the network unencrypted. "+
		"Pass --tls-cert and --tls-key (TRENT_TLS_CERT, TRENT_TLS_KEY) to serve HTTPS, or --allow-plain-http (TRENT_ALLOW_PLAIN_HTTP=true) "+
		"if a TLS-terminating proxy in front of Trent protects the traffic", listen)
}

// isLoopback reports whether host is a loopback address (127.0.0.0/8, ::1)
// or "localhost". Any other name is not trusted to resolve to loopback
// only, and an empty host listens on every interface.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
