package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1": true, "127.10.20.30": true, "::1": true, "localhost": true, "LocalHost": true,
		"": false, "0.0.0.0": false, "::": false, "10.0.0.1": false, "128.0.0.1": false, "example.com": false,
		"localhost.example.com": false, "::ffff:10.0.0.1": false,
	} {
		if got := isLoopback(host); got != want {
			t.Errorf("isLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestCheckPlainHTTP(t *testing.T) {
	for _, tt := range []struct {
		listen         string
		dev, allowed   bool
		wantRefusalFor bool
	}{
		{"127.0.0.1:4599", false, false, false},
		{"[::1]:4599", false, false, false},
		{"localhost:4599", false, false, false},
		{"0.0.0.0:4599", false, false, true},
		{":4599", false, false, true},
		{"192.0.2.1:4599", false, false, true},
		{"0.0.0.0:4599", true, false, false},
		{"0.0.0.0:4599", false, true, false},
	} {
		err := checkPlainHTTP(tt.listen, tt.dev, tt.allowed)
		if (err != nil) != tt.wantRefusalFor {
			t.Errorf("%s dev=%v allowed=%v: %v", tt.listen, tt.dev, tt.allowed, err)
		}
		if err != nil && !strings.Contains(err.Error(), "--allow-plain-http") {
			t.Errorf("refusal does not name the flag: %v", err)
		}
	}
}

func TestLoadTLSConfigNamesTheFile(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.pem")
	garbage := filepath.Join(dir, "garbage.pem")
	if err := os.WriteFile(garbage, []byte("not PEM"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadTLSConfig(missing, garbage); err == nil || !strings.Contains(err.Error(), missing) || !strings.Contains(err.Error(), "--tls-cert") {
		t.Errorf("missing certificate: %v", err)
	}
	if _, err := loadTLSConfig(garbage, missing); err == nil || !strings.Contains(err.Error(), missing) || !strings.Contains(err.Error(), "--tls-key") {
		t.Errorf("missing key: %v", err)
	}
	if _, err := loadTLSConfig(garbage, garbage); err == nil || !strings.Contains(err.Error(), garbage) {
		t.Errorf("unusable pair: %v", err)
	}
}
