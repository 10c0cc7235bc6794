package main

import (
	"fmt"
	"os"
	"path/filepath"
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
		if err := s.apply(&f, s.def); err != nil {
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

// TestREADMEConfigExample: the config file shown in the README's
// Configuration section is one trent serve accepts, and its comments about
// relative paths hold.
func TestREADMEConfigExample(t *testing.T) {
	clearServeEnv(t)
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Configuration\n")
	section, _, _ = strings.Cut(section, "\n## ")
	_, example, found := strings.Cut(section, "\n```yaml\n")
	example, _, closed := strings.Cut(example, "\n```\n")
	if !ok || !found || !closed {
		t.Fatal("README.md has no ```yaml block in its section Configuration")
	}
	dir := filepath.Join(t.TempDir(), "etc", "trent")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "trent.yaml")
	if err := os.WriteFile(path, []byte(example+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := parseServeFlags([]string{"--config", path})
	if err != nil {
		t.Fatalf("the README's example config: %v", err)
	}
	if want := filepath.Join(dir, "root.key"); f.rootKeyFile != want {
		t.Errorf("root-key-file %q, want %q", f.rootKeyFile, want)
	}
	if f.devAccount != "111122223333" || f.cacheKeys != 100000 {
		t.Errorf("the example's values were not all read: %+v", f)
	}
}
