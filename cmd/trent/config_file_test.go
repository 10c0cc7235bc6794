package main

import (
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeConfig writes content to a config file in a new temp directory and
// returns its path.
func writeConfig(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "trent.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestConfigFileSetsEverySetting: each key of the file sets its setting,
// with the YAML type of its kind, and relative paths are taken relative to
// the file's directory.
func TestConfigFileSetsEverySetting(t *testing.T) {
	clearServeEnv(t)
	path := writeConfig(t, `# every setting but config
listen: 0.0.0.0:7000
data-dir: data
root-key-file: /etc/trent/root.key
identities: ../shared/identities.json
dev: true
dev-account: "000011112222"
log-level: debug
tls-cert: tls/cert.pem
tls-key: tls/key.pem
allow-plain-http: true
audit-sync-interval: 250ms
metrics-listen: 127.0.0.1:9464
seed: seeds/dev.yaml
console: false
cache-keys: 0x400
store: etcd
etcd-endpoints: http://10.0.0.1:2379,10.0.0.2:2379
etcd-ca: etcd/ca.pem
etcd-cert: etcd/client.pem
etcd-key: etcd/client-key.pem
etcd-prefix: kms-prod/
consistency-bound: 250ms
node-id: node-a
`)
	dir := filepath.Dir(path)
	f, err := parseServeFlags([]string{"--config", path})
	if err != nil {
		t.Fatal(err)
	}
	want := serveFlags{
		configFile: path, listen: "0.0.0.0:7000", dataDir: filepath.Join(dir, "data"), rootKeyFile: "/etc/trent/root.key",
		identities: filepath.Join(filepath.Dir(dir), "shared", "identities.json"), dev: true, devAccount: "000011112222",
		logLevel: slog.LevelDebug, tlsCert: filepath.Join(dir, "tls", "cert.pem"), tlsKey: filepath.Join(dir, "tls", "key.pem"),
		allowPlainHTTP: true, auditSync: 250 * time.Millisecond, metricsListen: "127.0.0.1:9464", cacheKeys: 1024,
		seed:  filepath.Join(dir, "seeds", "dev.yaml"),
		store: storeEtcd, etcdEndpoints: "http://10.0.0.1:2379,10.0.0.2:2379", etcdCA: filepath.Join(dir, "etcd", "ca.pem"),
		etcdCert: filepath.Join(dir, "etcd", "client.pem"), etcdKey: filepath.Join(dir, "etcd", "client-key.pem"),
		etcdPrefix: "kms-prod/", consistencyBound: 250 * time.Millisecond, nodeID: "node-a",
	}
	if *f != want {
		t.Fatalf("got  %+v\nwant %+v", *f, want)
	}
	// The file names every setting that may be in a file: a new setting
	// gets a line above.
	for _, s := range serveSettings {
		if !s.notInFile && !strings.Contains(readFile(t, path), "\n"+s.name+":") {
			t.Errorf("the test's config file does not set %s", s.name)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestConfigFilePrecedence: a flag beats its variable, which beats the
// config file, which beats the default; TRENT_CONFIG names the file as
// --config does.
func TestConfigFilePrecedence(t *testing.T) {
	clearServeEnv(t)
	path := writeConfig(t, "data-dir: /from/file\ndev: true\ncache-keys: 77\n")
	f, err := parseServeFlags([]string{"--config", path})
	if err != nil || f.dataDir != "/from/file" || !f.dev || f.cacheKeys != 77 || f.logLevel != slog.LevelInfo {
		t.Fatalf("the file over the defaults: %+v %v", f, err)
	}
	t.Setenv("TRENT_DATA_DIR", "/from/env")
	t.Setenv("TRENT_DEV", "false")
	f, err = parseServeFlags([]string{"--config", path})
	if err != nil || f.dataDir != "/from/env" || f.dev || f.cacheKeys != 77 {
		t.Fatalf("the variables over the file: %+v %v", f, err)
	}
	f, err = parseServeFlags([]string{"--config", path, "--data-dir", "/from/flag", "--dev"})
	if err != nil || f.dataDir != "/from/flag" || !f.dev {
		t.Fatalf("the flags over the variables: %+v %v", f, err)
	}
	t.Setenv("TRENT_CONFIG", path)
	f, err = parseServeFlags(nil)
	if err != nil || f.configFile != path || f.cacheKeys != 77 {
		t.Fatalf("TRENT_CONFIG: %+v %v", f, err)
	}
	other := writeConfig(t, "cache-keys: 5\n")
	if f, err = parseServeFlags([]string{"--config", other}); err != nil || f.cacheKeys != 5 {
		t.Fatalf("--config over TRENT_CONFIG: %+v %v", f, err)
	}
	if f, err = parseServeFlags([]string{"--config", ""}); err != nil || f.cacheKeys != defaultServeFlags().cacheKeys {
		t.Fatalf(`--config "" reads no file: %+v %v`, f, err)
	}
}

// TestConfigFileRelativePaths: paths in the file are relative to its
// directory; the same paths as flags stay relative to the working
// directory.
func TestConfigFileRelativePaths(t *testing.T) {
	clearServeEnv(t)
	path := writeConfig(t, "data-dir: ./data\nroot-key-file: keys/root.key\n")
	t.Chdir(t.TempDir())
	f, err := parseServeFlags([]string{"--config", path})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(filepath.Dir(path), "data"); f.dataDir != want {
		t.Errorf("data-dir %q, want %q", f.dataDir, want)
	}
	if want := filepath.Join(filepath.Dir(path), "keys", "root.key"); f.rootKeyFile != want {
		t.Errorf("root-key-file %q, want %q", f.rootKeyFile, want)
	}
	if f, err := parseServeFlags([]string{"--config", path, "--data-dir", "./data"}); err != nil || f.dataDir != "./data" {
		t.Errorf("a flag's relative path: %q %v", f.dataDir, err)
	}
}

// TestConfigFileEmpty: an empty file, or one of comments only, sets
// nothing.
func TestConfigFileEmpty(t *testing.T) {
	clearServeEnv(t)
	for _, content := range []string{"", "# nothing yet\n", "---\n", "~\n"} {
		path := writeConfig(t, content)
		f, err := parseServeFlags([]string{"--config", path})
		if err != nil {
			t.Errorf("%q: %v", content, err)
			continue
		}
		want := defaultServeFlags()
		want.configFile = path
		if *f != want {
			t.Errorf("%q: %+v, want the defaults", content, *f)
		}
	}
}

// TestConfigFileErrors: each mistake is refused with the file, the line,
// the setting, the value as written and the reason.
func TestConfigFileErrors(t *testing.T) {
	clearServeEnv(t)
	for _, tt := range []struct {
		content string
		want    string // after "<path>:"
	}{
		{"datadir: /x\n", `1: unknown setting "datadir"; did you mean "data-dir"?`},
		{"listen: 127.0.0.1:1\nTRENT_DATA_DIR: /x\n", `2: unknown setting "TRENT_DATA_DIR"; did you mean "data-dir"?`},
		{"cacheKeys: 5\n", `1: unknown setting "cacheKeys"; did you mean "cache-keys"?`},
		{"log_level: debug\n", `1: unknown setting "log_level"; did you mean "log-level"?`},
		{"frobnicate: 1\n", `1: unknown setting "frobnicate"; the settings are listen, data-dir,`},
		{"config: other.yaml\n", `1: config cannot be set in a config file (give it as --config or TRENT_CONFIG)`},
		{"dev: yes\n", `1: dev: "yes" is not a boolean: write true or false, without quotes`},
		{"dev: \"true\"\n", `1: dev: "true" is not a boolean`},
		{"dev: 1\n", `1: dev: 1 is not a boolean`},
		{"allow-plain-http: on\n", `1: allow-plain-http: "on" is not a boolean`},
		{"cache-keys: \"100\"\n", `1: cache-keys: "100" is not a whole number: write one without quotes`},
		{"cache-keys: 1.5e6\n", `1: cache-keys: 1.5e6 is not a whole number`},
		{"cache-keys: 99999999999999999999\n", `1: cache-keys: 99999999999999999999 is not a whole number`},
		{"# limits\n\ncache-keys: 0\n", `3: cache-keys: 0 is not a number of keys: give a whole number from 1 to 16777216, such as 16384`},
		{"cache-keys: 16777217\n", `1: cache-keys: 16777217 is not a number of keys`},
		{"audit-sync-interval: 1\n", `1: audit-sync-interval: 1 is a number, not a duration: write the unit too, such as 1s or 200ms`},
		{"audit-sync-interval: 2m\n", `1: audit-sync-interval: "2m" is not a sync interval: give a duration above 0 and at most 1m0s`},
		{"audit-sync-interval: soon\n", `1: audit-sync-interval: "soon" is not a sync interval`},
		{"log-level: loud\n", `1: log-level: "loud" is not a log level: use debug, info, warn or error`},
		{"dev-account: 000011112222\n", `1: dev-account: 000011112222 is not text (YAML reads it as a number): put it in quotes, "000011112222", to mean the text as written`},
		{"listen: 4599\n", `1: listen: 4599 is not text (YAML reads it as a number)`},
		{"data-dir: true\n", `1: data-dir: true is not text (YAML reads it as a boolean)`},
		{"listen:\n", `1: listen: has no value: give one, or remove the line to use the default`},
		{"listen: \"\"\n", `1: listen: "" is not an address`},
		{"listen: 127.0.0.1:1:2\n", `1: listen: "127.0.0.1:1:2" is not an address`},
		{"listen: [a, b]\n", `1: listen: is a list: give a single value`},
		{"tls-cert:\n  file: x\n", `1: tls-cert: is a mapping: give a single value`},
		{"dev: true\nlisten: 127.0.0.1:1\ndev: false\n", `3: dev is set twice (first on line 1)`},
		{"dev: true\n---\ndev: false\n", `2: a second YAML document; the config file holds one mapping`},
		{"- dev\n", `1: the config file must be a mapping of setting names to values`},
		{"just text\n", `1: the config file must be a mapping of setting names to values`},
		{"dev: [\n", ` not valid YAML: line `},
		{"? [a]\n: b\n", `1: a setting name must be plain text`},
	} {
		path := writeConfig(t, tt.content)
		_, err := parseServeFlags([]string{"--config", path})
		if err == nil || !strings.Contains(err.Error(), path+":"+tt.want) {
			t.Errorf("config file %q:\n got %v\nwant %s:%s", tt.content, err, path, tt.want)
		}
	}
}

// TestConfigFileCheckedWhole: a bad value in the file fails the start even
// when a variable or flag overrides it, so a file is valid or not whatever
// the environment of the day.
func TestConfigFileCheckedWhole(t *testing.T) {
	clearServeEnv(t)
	path := writeConfig(t, "cache-keys: 0\n")
	t.Setenv("TRENT_CACHE_KEYS", "5")
	if _, err := parseServeFlags([]string{"--config", path, "--cache-keys", "6"}); err == nil || !strings.Contains(err.Error(), path+":1: cache-keys: 0") {
		t.Fatalf("an overridden bad value in the file: %v", err)
	}
}

// TestConfigFileTLSPair: a certificate without its key is refused from a
// file as from flags.
func TestConfigFileTLSPair(t *testing.T) {
	clearServeEnv(t)
	path := writeConfig(t, "tls-cert: cert.pem\n")
	if _, err := parseServeFlags([]string{"--config", path}); err == nil || !strings.Contains(err.Error(), "--tls-cert and --tls-key") {
		t.Fatalf("tls-cert alone: %v", err)
	}
}

// TestConfigFileUnreadable: a missing or unreadable file is a usage error
// naming the path and how it was given, and the server starts nothing.
func TestConfigFileUnreadable(t *testing.T) {
	clearServeEnv(t)
	missing := filepath.Join(t.TempDir(), "none.yaml")
	dataDir := filepath.Join(t.TempDir(), "data")
	r := runCommand(t, "serve", "--dev", "--listen", "127.0.0.1:0", "--data-dir", dataDir, "--config", missing)
	if want := `trent serve: --config "` + missing + `": cannot read the config file: no such file or directory`; r.code != 2 || !strings.Contains(r.stderr, want) {
		t.Errorf("a missing --config: exit %d, stderr:\n%s\nwant %s", r.code, r.stderr, want)
	}
	if _, err := os.Stat(dataDir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the data directory was created: %v", err)
	}
	dir := t.TempDir()
	t.Setenv("TRENT_CONFIG", dir)
	r = runCommand(t, "serve", "--dev", "--listen", "127.0.0.1:0", "--data-dir", dataDir)
	if want := `trent serve: TRENT_CONFIG="` + dir + `": cannot read the config file: is a directory`; r.code != 2 || !strings.Contains(r.stderr, want) {
		t.Errorf("TRENT_CONFIG naming a directory: exit %d, stderr:\n%s\nwant %s", r.code, r.stderr, want)
	}
}

// TestConfigFileErrorIsUsageError: a bad file is exit code 2 with the
// message on stderr, and creates nothing.
func TestConfigFileErrorIsUsageError(t *testing.T) {
	clearServeEnv(t)
	dataDir := filepath.Join(t.TempDir(), "data")
	path := writeConfig(t, "dev: true\ndata-dir: "+dataDir+"\nlog-level: loud\n")
	r := runCommand(t, "serve", "--listen", "127.0.0.1:0", "--config", path)
	if want := path + `:3: log-level: "loud" is not a log level`; r.code != 2 || !strings.Contains(r.stderr, want) || r.stdout != "" {
		t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant %s", r.code, r.stdout, r.stderr, want)
	}
	if _, err := os.Stat(dataDir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the data directory was created: %v", err)
	}
}

// TestServeLogsConfigFile: the start line says which config file was read,
// so that an operator can tell where a setting came from.
func TestServeLogsConfigFile(t *testing.T) {
	clearServeEnv(t)
	path := writeConfig(t, "listen: 127.0.0.1:0\ndev: true\ndata-dir: data\n")
	s := startServe(t, "--config", path)
	line, code := s.waitServingOrExit()
	if line == nil {
		t.Fatalf("exit %d; log:\n%s", code, s.stderr)
	}
	if line["config"] != path || line["data_dir"] != filepath.Join(filepath.Dir(path), "data") || line["dev"] != true {
		t.Fatalf("start line %v: want config %s, its data-dir and dev", line, path)
	}
	if code := s.stop(); code != 0 {
		t.Fatalf("exit %d; log:\n%s", code, s.stderr)
	}
}
