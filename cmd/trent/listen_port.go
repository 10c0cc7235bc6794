package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
)

// PORT is how container platforms (Cloud Run, Heroku, Knative, many PaaS)
// tell a process which port to serve on. Trent honours it only where it
// cannot surprise anyone: for a listen address that names no port. The
// default listen address is such a host alone (127.0.0.1), so PORT moves
// the default port but never the interface; TRENT_LISTEN=0.0.0.0, as the
// container image sets it, listens on every interface at $PORT. An address
// with a port (127.0.0.1:4599) is used as written, and then PORT is not
// read at all: a PORT left in a shell by another tool changes nothing.

const (
	// defaultListenHost is where trent listens unless told otherwise:
	// loopback, so a laptop's server is not on the network.
	defaultListenHost = "127.0.0.1"
	// defaultPort is the port of an address without one when PORT is
	// unset.
	defaultPort = 4599
)

// resolveListenPort returns listen with a port: as it is if it has one,
// else with the port from PORT, else defaultPort. An empty PORT counts as
// unset, like an empty TRENT_* variable.
func resolveListenPort(listen string) (string, error) {
	if _, _, err := net.SplitHostPort(listen); err == nil {
		return listen, nil
	}
	host := strings.TrimSuffix(strings.TrimPrefix(listen, "["), "]")
	port := defaultPort
	if v := os.Getenv("PORT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("PORT=%q is not a port: give a whole number from 1 to 65535 (it is read because the listen address %q names no port)", v, listen)
		}
		port = n
	}
	return net.JoinHostPort(host, strconv.Itoa(port)), nil
}

// setListen takes host:port, or a host alone, whose port resolveListenPort
// adds once every source has been read.
func setListen(f *serveFlags, value string) error {
	if value == "" {
		return notA("an address", "give host:port, or a host alone to take the port from PORT")
	}
	if _, _, err := net.SplitHostPort(value); err != nil {
		host := strings.TrimSuffix(strings.TrimPrefix(value, "["), "]")
		// A colon outside an IPv6 address is a port gone wrong
		// ("127.0.0.1:x:y"), not a host.
		if strings.Contains(host, ":") && net.ParseIP(host) == nil {
			return notA("an address", fmt.Sprintf("give host:port, such as %s:%d, or a host alone", defaultListenHost, defaultPort))
		}
	}
	f.listen = value
	return nil
}
