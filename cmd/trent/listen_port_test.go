package main

import (
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/trent-kms/trent/internal/server"
)

// TestListenPort: PORT gives the port of a listen address that names none,
// the default one included, and nothing else.
func TestListenPort(t *testing.T) {
	for _, tt := range []struct {
		name string
		port string // PORT; "" for unset
		env  string // TRENT_LISTEN
		args []string
		want string
	}{
		{"the default", "", "", nil, server.DefaultListen},
		{"the default host at PORT", "8080", "", nil, "127.0.0.1:8080"},
		{"a variable's host at PORT", "8080", "0.0.0.0", nil, "0.0.0.0:8080"},
		{"a flag's host at PORT", "8080", "", []string{"--listen", "0.0.0.0"}, "0.0.0.0:8080"},
		{"a host without PORT", "", "0.0.0.0", nil, "0.0.0.0:4599"},
		{"an IPv6 host", "9000", "", []string{"--listen", "::"}, "[::]:9000"},
		{"a bracketed IPv6 host", "9000", "", []string{"--listen", "[::1]"}, "[::1]:9000"},
		{"a host name", "", "", []string{"--listen", "localhost"}, "localhost:4599"},
		{"an address with a port ignores PORT", "8080", "127.0.0.1:5000", nil, "127.0.0.1:5000"},
		{"a flag with a port ignores PORT", "8080", "0.0.0.0", []string{"--listen", "[::1]:5000"}, "[::1]:5000"},
		{"an address with a port ignores a bad PORT", "http", "127.0.0.1:5000", nil, "127.0.0.1:5000"},
		{"every interface at a chosen port", "8080", ":5000", nil, ":5000"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clearServeEnv(t)
			if tt.port != "" {
				t.Setenv("PORT", tt.port)
			}
			if tt.env != "" {
				t.Setenv("TRENT_LISTEN", tt.env)
			}
			f, err := parseServeFlags(tt.args)
			if err != nil || f.listen != tt.want {
				t.Fatalf("listen %q, error %v; want %q", f.listen, err, tt.want)
			}
		})
	}
}

// TestListenPortFromConfigFile: a host alone in the config file takes PORT
// too.
func TestListenPortFromConfigFile(t *testing.T) {
	clearServeEnv(t)
	t.Setenv("PORT", "8123")
	f, err := parseServeFlags([]string{"--config", writeConfig(t, "listen: 0.0.0.0\n")})
	if err != nil || f.listen != "0.0.0.0:8123" {
		t.Fatalf("listen %+v, %v", f, err)
	}
}

// TestBadPort: a PORT that is read and is not a port is a usage error
// naming PORT, its value and the range.
func TestBadPort(t *testing.T) {
	for _, bad := range []string{"0", "65536", "-1", "http", "80a", " 80", "1e3"} {
		clearServeEnv(t)
		t.Setenv("PORT", bad)
		r := runCommand(t, "serve", "--dev", "--data-dir", t.TempDir())
		if want := `trent serve: PORT="` + bad + `" is not a port: give a whole number from 1 to 65535`; r.code != 2 || !strings.Contains(r.stderr, want) {
			t.Errorf("PORT=%q: exit %d, stderr:\n%s\nwant %s", bad, r.code, r.stderr, want)
		}
	}
}

// TestBadListen: an empty listen address, or one with a colon out of
// place, is refused before anything is opened.
func TestBadListen(t *testing.T) {
	clearServeEnv(t)
	for _, bad := range []string{"", "127.0.0.1:1:2", "a:b:c"} {
		if _, err := parseServeFlags([]string{"--listen", bad}); err == nil || !strings.Contains(err.Error(), `--listen "`+bad+`" is not an address`) {
			t.Errorf("--listen %q: %v", bad, err)
		}
	}
}

// TestServeAtPort: trent serve with PORT and no listen setting serves on
// that port of loopback.
func TestServeAtPort(t *testing.T) {
	clearServeEnv(t)
	port := freePort(t)
	t.Setenv("PORT", strconv.Itoa(port))
	s := startServe(t, "--dev", "--data-dir", t.TempDir())
	line, code := s.waitServingOrExit()
	if line == nil {
		t.Fatalf("exit %d; log:\n%s", code, s.stderr)
	}
	if want := "http://127.0.0.1:" + strconv.Itoa(port); line["address"] != want {
		t.Fatalf("serving on %v, want %s", line["address"], want)
	}
	conn, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatalf("nothing listens at PORT: %v", err)
	}
	conn.Close()
	if code := s.stop(); code != 0 {
		t.Fatalf("exit %d; log:\n%s", code, s.stderr)
	}
}

// freePort is a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
