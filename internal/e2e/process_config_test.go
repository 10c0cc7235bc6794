package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/trent-kms/trent/internal/server"
)

// The config file as an operator uses it: trent serve --config reads its
// settings, with relative paths taken from the file's directory, a
// variable wins over it, and a mistake in it stops the start with the
// file, line and reason.

func TestProcessConfigFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	config := filepath.Join(dir, "trent.yaml")
	writeFile(t, config, "# a local server\nlisten: 127.0.0.1:0\ndata-dir: state\ndev: true\ncache-keys: 100\n")

	p := launchTrent(t, nil, "--config", config)
	if !p.waitServing() {
		t.Fatalf("did not serve: %s", p.log)
	}
	if want := filepath.Join(dir, "state"); p.start.DataDir != want || !p.start.Dev {
		t.Fatalf("start line %+v, want data_dir %s (relative to the config file) and dev", p.start, want)
	}
	key := must[*kms.CreateKeyOutput](t)(p.kms().CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata
	if code := p.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	if _, err := os.Stat(filepath.Join(dir, "state", server.DataFileName)); err != nil {
		t.Fatalf("the store is not in the config file's data-dir: %v", err)
	}

	// TRENT_DATA_DIR wins over the file: the key made above is not there.
	envDir := filepath.Join(t.TempDir(), "from-env")
	q := launchTrent(t, []string{"TRENT_CONFIG=" + config, "TRENT_DATA_DIR=" + envDir})
	if !q.waitServing() {
		t.Fatalf("did not serve: %s", q.log)
	}
	if q.start.DataDir != envDir {
		t.Fatalf("data_dir %q, want the variable's %q", q.start.DataDir, envDir)
	}
	if _, err := q.kms().DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: key.KeyId}); err == nil {
		t.Fatal("the key of the file's data-dir is found: the variable did not win")
	}
}

func TestProcessConfigFileError(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	config := filepath.Join(dir, "trent.yaml")
	writeFile(t, config, "listen: 127.0.0.1:0\ndata-dir: state\ndev: yes\n")
	code, log := runTrentToExit(t, nil, "--config", config)
	if want := config + `:3: dev: "yes" is not a boolean: write true or false, without quotes`; code != 2 || !strings.Contains(log, want) {
		t.Fatalf("exit %d, want 2 and %q; output:\n%s", code, want, log)
	}
	if _, err := os.Stat(filepath.Join(dir, "state")); !os.IsNotExist(err) {
		t.Fatalf("a start refused for its config file created the data directory: %v", err)
	}
}

// PORT gives the port of a listen address without one.
func TestProcessPort(t *testing.T) {
	t.Parallel()
	port := freePortAnyInterface(t)
	p := launchTrent(t, []string{"TRENT_LISTEN=127.0.0.1", "PORT=" + strconv.Itoa(port)}, "--dev", "--data-dir", t.TempDir())
	if !p.waitServing() {
		t.Fatalf("did not serve: %s", p.log)
	}
	if want := "http://127.0.0.1:" + strconv.Itoa(port); p.start.Address != want {
		t.Fatalf("serving on %s, want %s", p.start.Address, want)
	}
	must[*kms.CreateKeyOutput](t)(p.kms().CreateKey(ctx, &kms.CreateKeyInput{}))
}

// trent serve serves the console at /console unless --console=false (or
// TRENT_CONSOLE=false), and the API beside it either way.
func TestProcessConsoleSetting(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		env  []string
		args []string
		want int
	}{
		{nil, nil, http.StatusOK},
		{nil, []string{"--console=false"}, http.StatusNotFound},
		{[]string{"TRENT_CONSOLE=false"}, nil, http.StatusNotFound},
	} {
		p := launchTrent(t, tc.env, append([]string{"--dev", "--listen", "127.0.0.1:0", "--data-dir", t.TempDir()}, tc.args...)...)
		if !p.waitServing() {
			t.Fatalf("did not serve: %s", p.log)
		}
		resp, err := http.Get(p.start.Address + "/console/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%v %v: GET /console/ = %d, want %d", tc.env, tc.args, resp.StatusCode, tc.want)
		}
		must[*kms.CreateKeyOutput](t)(p.kms().CreateKey(ctx, &kms.CreateKeyInput{}))
		if code := p.stop(syscall.SIGTERM); code != 0 {
			t.Fatalf("exit code %d", code)
		}
	}
}

// trent serve --seed (or TRENT_SEED) creates the seed's keys before it
// serves; a bad seed stops the start with exit code 1, naming the file and
// line.
func TestProcessSeedSetting(t *testing.T) {
	t.Parallel()
	const keyID = "1234abcd-12ab-34cd-56ef-1234567890ab"
	seed := writeSeed(t, "keys:\n  - id: "+keyID+"\n    aliases: [alias/seeded]\n")
	p := launchTrent(t, []string{"TRENT_SEED=" + seed}, "--dev", "--listen", "127.0.0.1:0", "--data-dir", t.TempDir())
	if !p.waitServing() {
		t.Fatalf("did not serve: %s", p.log)
	}
	md := must[*kms.DescribeKeyOutput](t)(p.kms().DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/seeded")})).KeyMetadata
	if *md.KeyId != keyID {
		t.Errorf("alias/seeded names %s, want the seeded %s", *md.KeyId, keyID)
	}
	if code := p.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("exit code %d", code)
	}

	bad := writeSeed(t, "keys:\n  - id: "+keyID+"\n    specc: HMAC_256\n")
	code, log := runTrentToExit(t, nil, "--dev", "--listen", "127.0.0.1:0", "--data-dir", t.TempDir(), "--seed", bad)
	// The log is JSON: the quotes in the message are escaped.
	if want := bad + `:3: unknown field \"specc\"`; code != 1 || !strings.Contains(log, want) {
		t.Fatalf("exit %d, want 1 and %q; output:\n%s", code, want, log)
	}
}
