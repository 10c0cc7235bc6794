package e2e

import (
	"bytes"
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/server"
)

// The README's client snippets, run as a new user runs them: copied out of
// README.md into a file and run against a real `trent serve --dev`. A user
// found that the README did not work when copied line by line; this test
// keeps it working.
//
// The one change the test makes to a snippet is its endpoint: the README's
// http://127.0.0.1:4599, where the Quick start's server listens, becomes the
// test server's address on a random loopback port, so that the test needs no
// free port 4599 and never talks to a server someone else runs there.
// Anything else that keeps a snippet from running as written fails the test
// with a message naming what is wrong in the README.

const (
	readmePath = "../../README.md"
	ciRunPath  = "../../.ci/run"
	goModPath  = "../../go.mod"

	// readmeEndpoint is the endpoint the snippets name.
	readmeEndpoint = "http://127.0.0.1:4599"
	// readmeClients is the section holding the client snippets.
	readmeClients = "Using it from AWS clients"
	// readmeWant is what every client snippet prints: the plaintext it
	// encrypted and decrypted through Trent.
	readmeWant = "hello, Trent"

	// Bounds of the external commands. Installs download packages; the
	// snippets make a few calls to a loopback server.
	installTimeout = 10 * time.Minute
	buildTimeout   = 5 * time.Minute
	snippetTimeout = 2 * time.Minute
)

// readmeBlock is one fenced code block of README.md.
type readmeBlock struct {
	lang string
	code string
	line int // the opening fence's line, for messages
}

func (b readmeBlock) String() string {
	return fmt.Sprintf("the ```%s block at README.md:%d", b.lang, b.line)
}

// readmeBlocks returns the fenced code blocks of the README section
// "## heading", in order. Subsections (###) belong to the section.
func readmeBlocks(t *testing.T, heading string) []readmeBlock {
	t.Helper()
	data, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatalf("read the README: %v", err)
	}
	lines := strings.Split(string(data), "\n")
	start := slices.IndexFunc(lines, func(l string) bool { return strings.TrimRight(l, " \r") == "## "+heading })
	if start < 0 {
		t.Fatalf("README.md has no section %q", "## "+heading)
	}
	var (
		blocks []readmeBlock
		cur    *readmeBlock
		fence  string
		body   []string
	)
	for i := start + 1; i < len(lines); i++ {
		l := strings.TrimRight(lines[i], "\r")
		if cur == nil {
			if strings.HasPrefix(l, "## ") {
				break
			}
			if strings.HasPrefix(l, "```") {
				rest := strings.TrimLeft(l, "`")
				fence = l[:len(l)-len(rest)]
				cur = &readmeBlock{line: i + 1}
				if info := strings.Fields(rest); len(info) > 0 {
					cur.lang = info[0]
				}
				body = nil
			}
			continue
		}
		// A closing fence is a line of at least as many backticks.
		if s := strings.TrimSpace(l); len(s) >= len(fence) && strings.Trim(s, "`") == "" {
			cur.code = strings.Join(body, "\n") + "\n"
			blocks = append(blocks, *cur)
			cur = nil
			continue
		}
		body = append(body, l)
	}
	if cur != nil {
		t.Fatalf("README.md:%d: the code block is never closed", cur.line)
	}
	return blocks
}

// clientSnippet returns the one block of lang in the clients section. A
// missing block fails: each client needs a complete program a reader can
// copy and run.
func clientSnippet(t *testing.T, lang, client string) readmeBlock {
	t.Helper()
	var found []readmeBlock
	var langs []string
	for _, b := range readmeBlocks(t, readmeClients) {
		langs = append(langs, fmt.Sprintf("```%s at README.md:%d", b.lang, b.line))
		if b.lang == lang {
			found = append(found, b)
		}
	}
	switch len(found) {
	case 1:
		return found[0]
	case 0:
		t.Fatalf("README.md section %q has no ```%s block for %s (its blocks: %s). "+
			"A reader needs one complete program to copy and run; it should print %q.",
			"## "+readmeClients, lang, client, strings.Join(langs, ", "), readmeWant)
	default:
		t.Fatalf("README.md section %q has %d ```%s blocks (%s): it should have one complete program for %s, "+
			"so that a reader knows what to copy and the test what to run.",
			"## "+readmeClients, len(found), lang, strings.Join(langs, ", "), client)
	}
	return readmeBlock{}
}

// pointedAt returns the snippet with the README's endpoint replaced by
// endpoint: the only change made to a snippet.
func (b readmeBlock) pointedAt(t *testing.T, endpoint string) string {
	t.Helper()
	if !strings.Contains(b.code, readmeEndpoint) {
		t.Fatalf("%s does not name the endpoint %s, where the Quick start's server listens: as written it would not "+
			"talk to Trent.\n%s", b, readmeEndpoint, b.code)
	}
	return strings.ReplaceAll(b.code, readmeEndpoint, endpoint)
}

// readmeServer starts the server a snippet talks to and returns its address
// and data directory. Each snippet gets its own, so that its audit log shows
// what that snippet did.
func readmeServer(t *testing.T) (string, string) {
	t.Helper()
	dataDir := t.TempDir()
	return serveTrent(t, dataDir).start.Address, dataDir
}

// snippetEnv is the environment a snippet runs in: a new user's on a fresh
// machine, with an empty HOME and no AWS credentials, Region, profile or
// config of the machine's user. The CLI block's `export` does not reach a
// reader who only uses, say, boto3, so each snippet must set up by itself
// what it needs.
func snippetEnv(t *testing.T) []string {
	t.Helper()
	home := t.TempDir()
	for _, name := range []string{"config", "credentials"} {
		if err := os.WriteFile(filepath.Join(home, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return []string{
		// Debian's programs (/usr/bin/aws, /usr/bin/python3, /usr/bin/node)
		// and not a pyenv or other shim that may come first in PATH.
		"PATH=/usr/bin:/bin", "HOME=" + home, "LANG=C.UTF-8",
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
		// A snippet short of credentials would otherwise ask the EC2
		// instance metadata service at 169.254.169.254: nothing may leave
		// loopback, and the failure should show at once.
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

// runBounded runs name with args in dir. When ctx ends, the whole process
// group is killed (bash and the aws it started, go and its compiler), and
// WaitDelay stops the wait for pipes held by anything left over.
func runBounded(ctx context.Context, dir string, env []string, name string, args ...string) (string, string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir, cmd.Env = dir, env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("%v (%v)", err, ctx.Err())
	}
	return stdout.String(), stderr.String(), err
}

// runSnippet runs a snippet's program, bounded by snippetTimeout, and checks
// that it worked: it exited 0, printed "hello, Trent", and Trent's audit log
// shows the successful Encrypt and Decrypt behind that output and no refused
// call.
func runSnippet(t *testing.T, b readmeBlock, dataDir, dir string, env []string, name string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), snippetTimeout)
	defer cancel()
	start := time.Now()
	stdout, stderr, err := runBounded(ctx, dir, env, name, args...)
	command := strings.Join(append([]string{name}, args...), " ")
	if err != nil {
		t.Fatalf("%s does not work as written: %s: %v\nstdout:\n%s\nstderr:\n%s", b, command, err, stdout, stderr)
	}
	if stdout != readmeWant && stdout != readmeWant+"\n" {
		t.Fatalf("%s printed %q, want %q\nstderr:\n%s", b, stdout, readmeWant, stderr)
	}
	t.Logf("%s: %s printed %q in %s", b, command, readmeWant, time.Since(start).Round(time.Millisecond))

	// The output alone could be an echo: the audit log shows that the
	// plaintext went through Trent and back.
	calls := map[string]int{}
	records := awaitAuditLog(t, filepath.Join(dataDir, audit.FileName), func(records []audit.Record) bool {
		calls = successfulCalls(records)
		return calls["Encrypt"] > 0 && calls["Decrypt"] > 0
	})
	calls = map[string]int{}
	for _, r := range records {
		if r.ErrorCode != "" {
			t.Fatalf("%s made a call that Trent refused: %s: %s: %s", b, r.EventName, r.ErrorCode, r.ErrorMessage)
		}
		calls[r.EventName]++
	}
	if calls["Encrypt"] == 0 || calls["Decrypt"] == 0 {
		t.Fatalf("%s printed %q without encrypting and decrypting it through Trent (calls in the audit log: %v)", b, readmeWant, calls)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestREADMEClients runs each client snippet of "Using it from AWS clients"
// against its own trent serve --dev.
func TestREADMEClients(t *testing.T) {
	t.Parallel()
	npm := &npmInstall{dir: filepath.Join(t.TempDir(), "js")}

	t.Run("aws-cli", func(t *testing.T) {
		t.Parallel()
		b := clientSnippet(t, "sh", "the AWS CLI")
		if ph := regexp.MustCompile(`<[A-Za-z][A-Za-z0-9_]*>`).FindAllString(b.code, -1); ph != nil {
			// Bash reads <KeyId> as a redirection from a file named KeyId:
			// the run below fails, and this says why.
			t.Errorf("%s has placeholders a reader must fill in, so it cannot run as written: %s", b, strings.Join(ph, " "))
		}
		ensureAWSCLI(t)
		endpoint, dataDir := readmeServer(t)
		script := filepath.Join(t.TempDir(), "readme.sh")
		writeFile(t, script, b.pointedAt(t, endpoint))
		// The CLI pages output through less on a terminal; the test has
		// none.
		env := append(snippetEnv(t), "AWS_PAGER=")
		// An empty working directory: the block must create any file it
		// reads.
		runSnippet(t, b, dataDir, t.TempDir(), env, "/bin/bash", "-euo", "pipefail", script)
	})

	t.Run("go", func(t *testing.T) {
		t.Parallel()
		b := clientSnippet(t, "go", "Go (aws-sdk-go-v2)")
		// A fragment is reported here, naming the README, rather than by
		// the compiler about main.go of a temporary module.
		f, err := parser.ParseFile(token.NewFileSet(), "main.go", b.code, parser.SkipObjectResolution)
		if err != nil {
			t.Fatalf("%s is not a complete Go program (package main, imports, func main), so it cannot be run as "+
				"written: %v\n%s", b, err, b.code)
		}
		if f.Name.Name != "main" || !slices.ContainsFunc(f.Decls, isFuncMain) {
			t.Fatalf("%s is not a program a reader can run: it needs package main (it is package %s) and func main", b, f.Name.Name)
		}
		endpoint, dataDir := readmeServer(t)
		mod := t.TempDir()
		writeFile(t, filepath.Join(mod, "go.mod"), readmeGoMod(t))
		writeFile(t, filepath.Join(mod, "main.go"), b.pointedAt(t, endpoint))
		bin := filepath.Join(t.TempDir(), "readme-demo")
		// go mod tidy adds what the program imports and go.mod lacks
		// (.../config), through the module proxy. GOTOOLCHAIN=local: the
		// machine's Go, never a downloaded toolchain.
		goEnv := append(os.Environ(), "GOWORK=off", "GOTOOLCHAIN=local")
		for _, args := range [][]string{{"mod", "tidy"}, {"build", "-o", bin, "."}} {
			ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
			stdout, stderr, err := runBounded(ctx, mod, goEnv, "go", args...)
			cancel()
			if err != nil {
				t.Fatalf("%s does not build as written: go %s: %v\n%s%s\ngo.mod:\n%s",
					b, strings.Join(args, " "), err, stdout, stderr, readFile(t, filepath.Join(mod, "go.mod")))
			}
		}
		runSnippet(t, b, dataDir, t.TempDir(), snippetEnv(t), bin)
	})

	t.Run("python", func(t *testing.T) {
		t.Parallel()
		b := clientSnippet(t, "python", "boto3")
		ensureBoto3(t)
		endpoint, dataDir := readmeServer(t)
		script := filepath.Join(t.TempDir(), "demo.py")
		writeFile(t, script, b.pointedAt(t, endpoint))
		runSnippet(t, b, dataDir, t.TempDir(), snippetEnv(t), "/usr/bin/python3", script)
	})

	t.Run("js", func(t *testing.T) {
		t.Parallel()
		b := clientSnippet(t, "js", "JavaScript (@aws-sdk/client-kms)")
		modules := npm.install(t)
		endpoint, dataDir := readmeServer(t)
		// Inside the install directory, so that Node finds node_modules
		// from demo.mjs's directory up.
		dir, err := os.MkdirTemp(modules, "run-")
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, "demo.mjs"), b.pointedAt(t, endpoint))
		runSnippet(t, b, dataDir, dir, snippetEnv(t), "/usr/bin/node", "demo.mjs")
	})
}

func isFuncMain(d ast.Decl) bool {
	fn, ok := d.(*ast.FuncDecl)
	return ok && fn.Recv == nil && fn.Name.Name == "main"
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// readmeGoMod is the go.mod of the Go snippet's module: the project's go
// version and its versions of the SDK modules the snippet uses. The
// snippet's module is separate so that the project's go.mod need not carry
// .../config, which only the snippet uses.
func readmeGoMod(t *testing.T) string {
	t.Helper()
	versions := map[string]string{}
	goVersion := ""
	for line := range strings.Lines(readFile(t, goModPath)) {
		line, _, _ = strings.Cut(line, "//")
		fields := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "require "))
		switch {
		case len(fields) == 2 && fields[0] == "go":
			goVersion = fields[1]
		case len(fields) == 2 && strings.HasPrefix(fields[1], "v"):
			versions[fields[0]] = fields[1]
		}
	}
	if goVersion == "" {
		t.Fatalf("%s has no go directive", goModPath)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "module example.com/readme\n\ngo %s\n\nrequire (\n", goVersion)
	for _, path := range []string{
		"github.com/aws/aws-sdk-go-v2",
		"github.com/aws/aws-sdk-go-v2/credentials",
		"github.com/aws/aws-sdk-go-v2/service/kms",
	} {
		v, ok := versions[path]
		if !ok {
			t.Fatalf("%s does not require %s", goModPath, path)
		}
		fmt.Fprintf(&b, "\t%s %s\n", path, v)
	}
	b.WriteString(")\n")
	return b.String()
}

// TestREADMESetupCommands checks the Quick start: its two commands are the
// ones the project supports, CI runs the test command, and the server the
// first one starts listens where the client snippets point.
func TestREADMESetupCommands(t *testing.T) {
	t.Parallel()
	want := []string{"go run ./cmd/trent serve --dev", "go test -race ./..."}
	var got []string
	for _, b := range readmeBlocks(t, "Quick start") {
		if b.lang != "sh" {
			t.Errorf("%s: the Quick start's commands are ```sh blocks", b)
		}
		got = append(got, strings.TrimSpace(b.code))
	}
	if !slices.Equal(got, want) {
		t.Errorf("the Quick start's commands are %q, want exactly %q", got, want)
	}

	ran := false
	for line := range strings.Lines(readFile(t, ciRunPath)) {
		fields := strings.Fields(line)
		if len(fields) > 0 && fields[0] == "exec" {
			fields = fields[1:]
		}
		ran = ran || strings.Join(fields, " ") == want[1]
	}
	if !ran {
		t.Errorf(".ci/run does not run %q:\n%s", want[1], readFile(t, ciRunPath))
	}

	if got := "http://" + server.DefaultListen; got != readmeEndpoint {
		t.Errorf("go run ./cmd/trent serve --dev listens on %s, but the README's snippets use %s", got, readmeEndpoint)
	}
}
