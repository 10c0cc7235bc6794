package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

// A setting of trent serve is one entry of a table (serve_settings.go), and
// everything else is derived from that entry: the flag (--name), the
// environment variable, the key in a config file (the same name), the
// --help listing and the README's table. Adding a setting is adding an
// entry and the field it sets.
//
// Where a value comes from, highest first: a flag given on the command
// line, its TRENT_* variable (empty counts as unset, see env.go), the config
// file (--config), the built-in default. A source that a higher one
// overrides is not read at all, except the config file, which is checked
// whole on every start: a file is either valid or not, whatever the
// environment of the moment overrides.

// settingKind is how a value is written, which matters in a config file:
// YAML has types, flags and variables are text.
type settingKind int

const (
	// kindText is a YAML string.
	kindText settingKind = iota + 1
	// kindPath is a YAML string naming a file or directory. In a config
	// file, a relative path is relative to the file's directory.
	kindPath
	// kindBool is a YAML boolean; on the command line, --name alone means
	// true.
	kindBool
	// kindDuration is a YAML string such as "1s" or "200ms".
	kindDuration
	// kindNumber is a YAML integer.
	kindNumber
)

// setting describes one setting.
type setting struct {
	// name is the flag (--name) and the key in a config file.
	name string
	// env is the environment variable.
	env  string
	kind settingKind
	// def is the built-in default, written as a flag value; "" for none.
	def string
	// shownDefault is how --help and the README show the default when def
	// alone would mislead (a default derived from another setting).
	shownDefault string
	// help says what the setting does, in a phrase.
	help string
	// notInFile keeps the setting out of config files (--config itself).
	notInFile bool
	// apply checks value and stores it in f. Its error reads on from where
	// the value came from: `--cache-keys "0"` + " is not a number of keys:
	// ...".
	apply func(f *serveFlags, value string) error
}

// notA is apply's error for a value of the wrong form: what it should be
// and how to write one.
func notA(what, hint string) error {
	return fmt.Errorf("is not %s: %s", what, hint)
}

// boolValues are the values strconv.ParseBool accepts, for messages.
const boolValues = "1, t, T, TRUE, true, True (true) or 0, f, F, FALSE, false, False (false)"

// parseBool takes exactly what strconv.ParseBool takes. Anything else
// ("on", "yes") is an error rather than a silent false: TRENT_DEV=on
// meaning "off" is the kind of surprise this prevents.
func parseBool(value string) (bool, error) {
	b, err := strconv.ParseBool(value)
	if err != nil {
		return false, notA("a boolean", "use "+boolValues)
	}
	return b, nil
}

// setBool is apply for a boolean stored in the field field returns.
func setBool(field func(*serveFlags) *bool) func(*serveFlags, string) error {
	return func(f *serveFlags, value string) error {
		b, err := parseBool(value)
		*field(f) = b
		return err
	}
}

// setText is apply for text stored as given.
func setText(field func(*serveFlags) *string) func(*serveFlags, string) error {
	return func(f *serveFlags, value string) error {
		*field(f) = value
		return nil
	}
}

// parseDuration takes a Go duration in (0, max].
func parseDuration(value, what string, max time.Duration) (time.Duration, error) {
	d, err := time.ParseDuration(value)
	if err != nil || d <= 0 || d > max {
		return 0, notA(what, fmt.Sprintf("give a duration above 0 and at most %v, such as 1s or 200ms", max))
	}
	return d, nil
}

// parseCount takes a whole number in [1, max]; example is a good value.
func parseCount(value, what string, max, example int) (int, error) {
	n, err := strconv.Atoi(value)
	if err != nil || n < 1 || n > max {
		return 0, notA(what, fmt.Sprintf("give a whole number from 1 to %d, such as %d", max, example))
	}
	return n, nil
}

// resolveSettings fills f from the settings' sources. flagValues holds the
// flags given on the command line, by name.
func resolveSettings(settings []setting, f *serveFlags, flagValues map[string]string) error {
	for _, s := range settings {
		if err := s.apply(f, s.def); err != nil {
			// A test applies every default; this is a bug, not a usage error.
			panic(fmt.Sprintf("the built-in default of %s, %q, %v", s.name, s.def, err))
		}
	}
	if path, source := configFileSetting(flagValues); path != "" {
		cfg, err := readConfigFile(path, source, settings)
		if err != nil {
			return err
		}
		if err := cfg.applyTo(f); err != nil {
			return err
		}
	}
	for _, s := range settings {
		var source, value string
		if v, given := flagValues[s.name]; given {
			source, value = fmt.Sprintf("--%s %q", s.name, v), v
		} else if v := os.Getenv(s.env); v != "" {
			source, value = fmt.Sprintf("%s=%q", s.env, v), v
		} else {
			continue
		}
		if err := s.apply(f, value); err != nil {
			return fmt.Errorf("%s %w", source, err)
		}
	}
	return nil
}

// configFileSetting is the config file to read, from --config or
// TRENT_CONFIG, and how the user named it (for messages); "" for none.
func configFileSetting(flagValues map[string]string) (path, source string) {
	if v, given := flagValues[configSettingName]; given {
		return v, fmt.Sprintf("--%s %q", configSettingName, v)
	}
	if v := os.Getenv(configSettingEnv); v != "" {
		return v, fmt.Sprintf("%s=%q", configSettingEnv, v)
	}
	return "", ""
}
