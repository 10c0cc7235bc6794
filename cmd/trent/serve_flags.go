package main

import (
	"errors"
	"fmt"
	"io"
)

const serveHelp = `usage: trent serve [flags]

Runs the AWS KMS API server. Every flag can also be set with the
environment variable named next to it, or in a YAML config file (--config)
under the flag's name. A flag on the command line wins over its variable,
the variable over the config file, the config file over the default, and
a variable set to the empty string counts as unset. A listen address
without a port takes its port from PORT, else 4599.
`

// serveCommand defines the flags of trent serve, one for each entry of
// serveSettings, into a new command. resolve, called after parsing, fills
// f from the flags given, the environment, the config file and the
// defaults, and reports what is wrong with any of them.
func serveCommand(f *serveFlags) (cmd *command, resolve func() error) {
	cmd = newCommand("serve", serveHelp)
	cmd.writeFlags = func(w io.Writer) { writeSettingsHelp(w, serveSettings) }
	given := defineSettingFlags(cmd.flags, serveSettings)
	resolve = func() error {
		if cmd.flags.NArg() > 0 {
			return fmt.Errorf("unexpected arguments: %v", cmd.flags.Args())
		}
		if err := resolveSettings(serveSettings, f, given()); err != nil {
			return err
		}
		if (f.tlsCert == "") != (f.tlsKey == "") {
			return errors.New("--tls-cert and --tls-key (TRENT_TLS_CERT, TRENT_TLS_KEY) go together: give both to serve HTTPS, or neither")
		}
		if err := checkStoreSettings(f); err != nil {
			return err
		}
		var err error
		f.listen, err = resolveListenPort(f.listen)
		return err
	}
	return cmd, resolve
}
