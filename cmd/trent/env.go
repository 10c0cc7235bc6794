package main

import "os"

// Settings take their values from environment variables too (settings.go).
//
// A variable set to the empty string counts as unset: the built-in default
// applies. "TRENT_LISTEN=" is what a compose file, a systemd unit or a
// Kubernetes manifest with a blank value produces, and read literally it
// changes behaviour without a word (an empty listen address is every
// interface on a random port; an empty log level fails to parse). No
// variable here has a useful empty value, so empty always means "not set".

// envString returns the variable name, or def if it is unset or empty.
func envString(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
