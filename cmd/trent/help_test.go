package main

import (
	"strings"
	"testing"
)

// TestHelp: asking for help is not an error. Every way of asking exits 0
// and prints to stdout, so `trent serve --help | less` works; nothing goes
// to stderr.
func TestHelp(t *testing.T) {
	clearServeEnv(t)
	t.Setenv("TRENT_DEV", "on") // a bad variable must not get in the way of help
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--help"}, "usage: trent <command>"},
		{[]string{"-h"}, "usage: trent <command>"},
		{[]string{"help"}, "usage: trent <command>"},
		{[]string{"serve", "--help"}, "usage: trent serve [flags]"},
		{[]string{"serve", "-h"}, "usage: trent serve [flags]"},
		{[]string{"serve", "--dev", "--help"}, "usage: trent serve [flags]"},
		{[]string{"help", "serve"}, "usage: trent serve [flags]"},
		{[]string{"create-root-key", "--help"}, "usage: trent create-root-key <path>"},
		{[]string{"create-root-key", "-h"}, "usage: trent create-root-key <path>"},
		{[]string{"help", "create-root-key"}, "usage: trent create-root-key <path>"},
		{[]string{"version", "--help"}, "usage: trent version"},
		{[]string{"version", "-h"}, "usage: trent version"},
		{[]string{"help", "version"}, "usage: trent version"},
	} {
		r := runCommand(t, tt.args...)
		if r.code != 0 || r.stderr != "" || !strings.HasPrefix(r.stdout, tt.want) {
			t.Errorf("trent %s: exit %d, stderr %q, stdout:\n%s\nwant exit 0, nothing on stderr and stdout starting %q",
				strings.Join(tt.args, " "), r.code, r.stderr, r.stdout, tt.want)
		}
	}
}

// TestServeHelpListsEverySetting: the serve help names each flag with its
// variable and says what an empty variable means.
func TestServeHelpListsEverySetting(t *testing.T) {
	clearServeEnv(t)
	r := runCommand(t, "serve", "--help")
	for _, want := range []string{
		"-listen", "-data-dir", "-root-key-file", "-dev", "-dev-account", "-log-level",
		"TRENT_LISTEN", "TRENT_DATA_DIR", "TRENT_ROOT_KEY_FILE", "TRENT_DEV", "TRENT_DEV_ACCOUNT", "TRENT_LOG_LEVEL",
		"-tls-cert", "-tls-key", "-allow-plain-http", "TRENT_TLS_CERT", "TRENT_TLS_KEY", "TRENT_ALLOW_PLAIN_HTTP",
		"a variable set to the empty string counts as unset",
		"1, t, T, TRUE, true, True",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("serve --help does not say %q:\n%s", want, r.stdout)
		}
	}
}

// TestUsageErrors: a wrong command line exits 2 with the usage on stderr
// and nothing on stdout, so a script that reads stdout sees no help text.
func TestUsageErrors(t *testing.T) {
	clearServeEnv(t)
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{nil, []string{"usage: trent <command>"}},
		{[]string{"frobnicate"}, []string{`trent: unknown command "frobnicate"`, "usage: trent <command>"}},
		{[]string{"help", "frobnicate"}, []string{`trent: unknown command "frobnicate"`, "usage: trent <command>"}},
		{[]string{"serve", "--bogus"}, []string{"trent serve: flag provided but not defined: -bogus", "usage: trent serve [flags]"}},
		{[]string{"serve", "extra"}, []string{"trent serve: unexpected arguments: [extra]", "usage: trent serve [flags]"}},
		{[]string{"create-root-key"}, []string{"usage: trent create-root-key <path>"}},
		{[]string{"create-root-key", "a", "b"}, []string{"usage: trent create-root-key <path>"}},
		{[]string{"create-root-key", "--force", "a"}, []string{"trent create-root-key: flag provided but not defined: -force", "usage: trent create-root-key <path>"}},
		{[]string{"version", "extra"}, []string{"usage: trent version"}},
	} {
		r := runCommand(t, tt.args...)
		if r.code != 2 || r.stdout != "" {
			t.Errorf("trent %s: exit %d, stdout %q; want exit 2 and nothing on stdout", strings.Join(tt.args, " "), r.code, r.stdout)
		}
		for _, want := range tt.want {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("trent %s: stderr does not say %q:\n%s", strings.Join(tt.args, " "), want, r.stderr)
			}
		}
	}
}
