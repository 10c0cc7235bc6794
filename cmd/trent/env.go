package main

import (
	"fmt"
	"os"
	"strconv"
)

// Every flag of trent serve takes its default from an environment variable.
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

// boolValues are the values strconv.ParseBool accepts, for error messages.
const boolValues = "1, t, T, TRUE, true, True (true) or 0, f, F, FALSE, false, False (false)"

// envBool parses the variable name with strconv.ParseBool; unset or empty
// is false. Anything else ("on", "yes") is an error rather than a silent
// false: TRENT_DEV=on meaning "off" is the kind of surprise this prevents.
func envBool(name string) (bool, error) {
	v := os.Getenv(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s=%q is not a boolean: use %s, or leave it empty or unset", name, v, boolValues)
	}
	return b, nil
}
