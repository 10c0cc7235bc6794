package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestSettingsTable: every setting is named by the convention the README
// promises (TRENT_ and the name in capitals), once, with a default that
// passes its own check and help that says something.
func TestSettingsTable(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range serveSettings {
		if seen[s.name] {
			t.Errorf("%s is in the table twice", s.name)
		}
		seen[s.name] = true
		if want := "TRENT_" + strings.ToUpper(strings.ReplaceAll(s.name, "-", "_")); s.env != want {
			t.Errorf("%s: variable %s, want %s", s.name, s.env, want)
		}
		if s.help == "" || s.kind == 0 || s.apply == nil {
			t.Errorf("%s: help, kind and apply are required", s.name)
		}
		var f serveFlags
		if err := s.apply(&f, s.def); err != nil && s.def != "" {
			t.Errorf("%s: the default %q fails its own check: %v", s.name, s.def, err)
		}
		if s.kind == kindBool && s.def != "true" && s.def != "false" {
			t.Errorf("%s: a boolean's default must be written true or false, not %q", s.name, s.def)
		}
	}
}

// TestREADMESettingsTable: README.md carries the table rendered from
// serveSettings, byte for byte, so the documentation cannot drift from
// the code. On failure, paste the table printed here into the README.
func TestREADMESettingsTable(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	table := settingsMarkdown(serveSettings)
	if !strings.Contains(string(readme), table) {
		t.Fatalf("README.md does not contain the settings table; its section Configuration should hold exactly:\n\n%s", table)
	}
}

// settingsMarkdown renders the settings as the README's table.
func settingsMarkdown(settings []setting) string {
	var b strings.Builder
	b.WriteString("| Setting (flag, config key) | Variable | Config file type | Default | What it does |\n")
	b.WriteString("| --- | --- | --- | --- | --- |\n")
	for _, s := range settings {
		def := "none"
		switch {
		case s.shownDefault != "":
			def = markdownCell(s.shownDefault)
		case s.def != "":
			def = "`" + s.def + "`"
		}
		kind := map[settingKind]string{
			kindText: "string", kindPath: "path (string)", kindBool: "boolean",
			kindDuration: "duration (string)", kindNumber: "integer",
		}[s.kind]
		if s.notInFile {
			kind = "(not in a file)"
		}
		fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s | %s |\n", s.name, s.env, kind, def, markdownCell(s.help))
	}
	return b.String()
}

// markdownCell escapes what would end a table cell or start markup.
func markdownCell(s string) string {
	return strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;").Replace(s)
}
