package main

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// settingFlag is the flag of a setting. It only records the text given;
// resolveSettings checks it, so that a bad flag, variable or config value
// gets the same message, naming where it came from.
type settingFlag struct {
	value  string
	isBool bool
}

func (v *settingFlag) String() string {
	if v == nil {
		return ""
	}
	return v.value
}

func (v *settingFlag) Set(s string) error {
	v.value = s
	return nil
}

// IsBoolFlag lets a boolean setting's flag stand alone: --dev means
// --dev=true.
func (v *settingFlag) IsBoolFlag() bool { return v.isBool }

// defineSettingFlags defines a flag in fs for each setting and returns a
// function that, after parsing, reports the flags given and their values.
func defineSettingFlags(fs *flag.FlagSet, settings []setting) (given func() map[string]string) {
	for _, s := range settings {
		fs.Var(&settingFlag{isBool: s.kind == kindBool}, s.name, s.help)
	}
	return func() map[string]string {
		values := map[string]string{}
		fs.Visit(func(fl *flag.Flag) { values[fl.Name] = fl.Value.String() })
		return values
	}
}

// writeSettingsHelp lists the settings' flags as flag.PrintDefaults does,
// with each one's variable and its built-in default.
func writeSettingsHelp(w io.Writer, settings []setting) {
	sorted := slices.Clone(settings)
	slices.SortFunc(sorted, func(a, b setting) int { return strings.Compare(a.name, b.name) })
	for _, s := range sorted {
		fmt.Fprintf(w, "  -%s", s.name)
		if arg := s.kind.argName(); arg != "" {
			fmt.Fprintf(w, " %s", arg)
		}
		env := s.env
		if s.kind == kindBool {
			env += ": " + boolValues
		}
		fmt.Fprintf(w, "\n    \t%s (%s)", s.help, env)
		if d := s.helpDefault(); d != "" {
			fmt.Fprintf(w, " (default %s)", d)
		}
		fmt.Fprintln(w)
	}
}

// argName is what --help shows after a flag's name, as the flag package
// does: nothing for a boolean.
func (k settingKind) argName() string {
	switch k {
	case kindText:
		return "string"
	case kindPath:
		return "path"
	case kindDuration:
		return "duration"
	case kindNumber:
		return "int"
	}
	return ""
}

// helpDefault is the default as --help shows it; "" when there is none
// worth showing (no value, or a boolean's false).
func (s setting) helpDefault() string {
	switch {
	case s.shownDefault != "":
		return s.shownDefault
	case s.def == "" || s.kind == kindBool && s.def == "false":
		return ""
	case s.kind == kindText || s.kind == kindPath:
		return fmt.Sprintf("%q", s.def)
	}
	return s.def
}
