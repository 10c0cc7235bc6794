package e2e

import (
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// The Dockerfile cannot be built here: there is no Docker daemon, and no
// registry to pull golang:1.26 from. This test carries it out as far as
// that allows, honestly:
//
//   - the build stage's COPY and RUN lines run for real, on a copy of the
//     build context filtered by .dockerignore, with the stage's ENV and
//     ARGs (VERSION given as a build argument), in an environment without
//     this machine's Go settings, as in the golang image;
//   - the binary is checked to be static (no ELF interpreter, no needed
//     libraries), stripped and built with -trimpath;
//   - the final stage's COPY lines assemble its whole file system in a
//     directory, owners included, and the ENTRYPOINT and CMD run in it under
//     chroot as USER, with exactly the stage's ENV plus PORT: the server
//     must serve the AWS SDK on 0.0.0.0:$PORT with its data in the volume,
//     and `trent version` must print the build argument.
//
// What it cannot check is the golang image itself: its Go version is this
// machine's.

const dockerBuildVersion = "v0.0.0-dockerfile-test"

func TestDockerfile(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: it runs the image's binary under chroot as the image's USER, and the build stage chowns")
	}
	if testing.Short() {
		t.Skip("builds the binary as the image does, without the build cache of other tests (-short)")
	}
	t.Parallel()
	repo := dockerContextRoot(t)
	stages, err := parseDockerfile(readFile(t, filepath.Join(repo, "Dockerfile")))
	if err != nil {
		t.Fatal(err)
	}
	if len(stages) != 2 || stages[0].base != "golang:1.26" || stages[0].name != "build" || stages[1].base != "scratch" {
		t.Fatalf("want two stages, golang:1.26 AS build and scratch; got %+v and %+v", stages[0], stages[len(stages)-1])
	}
	ignore, err := parseDockerignore(readFile(t, filepath.Join(repo, ".dockerignore")))
	if err != nil {
		t.Fatal(err)
	}
	buildRoot := runBuildStage(t, stages[0], repo, ignore, map[string]string{"VERSION": dockerBuildVersion})
	// Each container starts from a fresh copy of the image.
	newContainer := func(t *testing.T) *finalImage { return assembleFinalStage(t, stages[1], buildRoot) }
	image := newContainer(t)

	checkStaticBinary(t, filepath.Join(image.root, "trent"), buildRoot)
	wantEqual(t, "USER", fmt.Sprint(image.uid, ":", image.gid), "65532:65532")
	wantEqual(t, "ENTRYPOINT", fmt.Sprint(image.entrypoint), "[/trent]")
	wantEqual(t, "CMD", fmt.Sprint(image.cmd), "[serve --dev]")
	wantEqual(t, "ENV", fmt.Sprint(image.env), "[TRENT_LISTEN=0.0.0.0 TRENT_DATA_DIR=/data]")
	wantEqual(t, "VOLUME", fmt.Sprint(image.volumes), "[/data]")
	wantEqual(t, "EXPOSE", fmt.Sprint(image.exposed), "[4599]")
	if st, err := os.Stat(filepath.Join(image.root, "data")); err != nil {
		t.Fatal(err)
	} else if uid := st.Sys().(*syscall.Stat_t).Uid; !st.IsDir() || uid != 65532 || st.Mode().Perm() != 0o700 {
		t.Fatalf("/data is %v of uid %d; want a directory of uid 65532, mode 0700", st.Mode(), uid)
	}

	t.Run("dev", func(t *testing.T) {
		img := newContainer(t)
		port := freePortAnyInterface(t)
		p := img.run(t, []string{"PORT=" + strconv.Itoa(port)})
		if !p.waitServing() {
			t.Fatalf("exited with %d before serving; log:\n%s", p.cmd.ProcessState.ExitCode(), p.log)
		}
		if !listensEverywhere(p.start.Address, "http", port) || p.start.DataDir != "/data" || !p.start.Dev {
			t.Fatalf("start line %+v, want http on every interface at %d, data in /data, dev", p.start, port)
		}
		p.start.Address = "http://127.0.0.1:" + strconv.Itoa(port)
		c := p.kms()
		key := must[*kms.CreateKeyOutput](t)(c.CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata
		enc := must[*kms.EncryptOutput](t)(c.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyId, Plaintext: []byte("in a container")}))
		dec := must[*kms.DecryptOutput](t)(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob}))
		if string(dec.Plaintext) != "in a container" {
			t.Fatalf("decrypted %q", dec.Plaintext)
		}
		if code := p.stop(syscall.SIGTERM); code != 0 {
			t.Fatalf("exit code %d; log:\n%s", code, p.log)
		}
		for _, name := range []string{"trent.db", "root.key", "audit.log"} {
			st, err := os.Stat(filepath.Join(img.root, "data", name))
			if err != nil || st.Sys().(*syscall.Stat_t).Uid != 65532 {
				t.Errorf("/data/%s is not there, owned by the image's user: %v", name, err)
			}
		}
	})
	t.Run("version", func(t *testing.T) {
		out := newContainer(t).runToEnd(t, "version")
		if first, _, _ := strings.Cut(out, "\n"); first != "trent "+dockerBuildVersion {
			t.Fatalf("trent version says %q, want %q", first, "trent "+dockerBuildVersion)
		}
	})
	t.Run("production as the README runs it", func(t *testing.T) {
		img := newContainer(t)
		// sudo install -d -o 65532 -g 65532 -m 0700 /etc/trent /etc/trent/tls,
		// then -v /etc/trent:/etc/trent.
		etc := filepath.Join(img.root, "etc", "trent")
		// Docker makes the mount point's parents as root, mode 0755.
		if err := os.Mkdir(filepath.Dir(etc), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, dir := range []string{etc, filepath.Join(etc, "tls")} {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chown(dir, 65532, 65532); err != nil {
				t.Fatal(err)
			}
		}
		img.runToEnd(t, "create-root-key", "/etc/trent/root.key")
		var account struct {
			AccessKey struct{ AccessKeyId, SecretAccessKey string }
		}
		out := img.runToEnd(t, "account", "create", "--name", "prod", "--root-key-file", "/etc/trent/root.key", "--identities", "/etc/trent/identities.json")
		if err := json.Unmarshal([]byte(out), &account); err != nil || account.AccessKey.AccessKeyId == "" {
			t.Fatalf("account create printed %q: %v", out, err)
		}
		ca := newTestCA(t)
		for from, to := range map[string]string{ca.certFile: "tls/cert.pem", ca.keyFile: "tls/key.pem"} {
			writeOwned(t, filepath.Join(etc, to), readFile(t, from))
		}
		blocks := readmeBlocks(t, "Docker")
		config := slices.IndexFunc(blocks, func(b readmeBlock) bool { return b.lang == "yaml" })
		if config < 0 {
			t.Fatal("the README's Docker section has no trent.yaml (a yaml block)")
		}
		writeOwned(t, filepath.Join(etc, "trent.yaml"), blocks[config].code)

		port := freePortAnyInterface(t)
		p := img.runArgs(t, []string{"TRENT_CONFIG=/etc/trent/trent.yaml", "PORT=" + strconv.Itoa(port)}, "serve")
		if !p.waitServing() {
			t.Fatalf("exited with %d before serving; log:\n%s", p.cmd.ProcessState.ExitCode(), p.log)
		}
		if !listensEverywhere(p.start.Address, "https", port) || p.start.Dev {
			t.Fatalf("start line %+v, want https on every interface at %d, not dev", p.start, port)
		}
		endpoint := "https://127.0.0.1:" + strconv.Itoa(port)
		c := sdkWithCA(endpoint, ca, account.AccessKey.AccessKeyId, account.AccessKey.SecretAccessKey)
		must[*kms.CreateKeyOutput](t)(c.CreateKey(ctx, &kms.CreateKeyInput{}))
		// Signatures are verified: a key the identities file does not hold
		// is refused.
		_, err := sdkWithCA(endpoint, ca, "AKIAIOSFODNN7EXAMPLE", "not-a-secret").CreateKey(ctx, &kms.CreateKeyInput{})
		apiError(t, err, "UnrecognizedClientException")
		if code := p.stop(syscall.SIGTERM); code != 0 {
			t.Fatalf("exit code %d; log:\n%s", code, p.log)
		}
	})
}

// listensEverywhere reports whether the start line's address is every
// interface at port. Go listens on "0.0.0.0" with a dual-stack socket and
// reports it as [::].
func listensEverywhere(address, scheme string, port int) bool {
	p := strconv.Itoa(port)
	return address == scheme+"://0.0.0.0:"+p || address == scheme+"://[::]:"+p
}

// writeOwned writes a file of the image's user, mode 0600, as an operator
// preparing a mounted directory would.
func writeOwned(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(name, 65532, 65532); err != nil {
		t.Fatal(err)
	}
}

func wantEqual(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Fatalf("final stage %s: %s, want %s", what, got, want)
	}
}

// dockerContextRoot is the repository's root, the Docker build context.
func dockerContextRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(out)) == "" {
		t.Fatalf("go env GOMOD: %q %v", out, err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

// buildStageEnv is the environment of a build stage's RUN before its ENV
// and ARGs: this machine's PATH and HOME, its Go caches and proxy (so that
// modules come from the module cache), and none of its other Go settings.
// GOENV=off drops the go env file (here it sets GOFLAGS), which the golang
// image does not have; GOTOOLCHAIN=local is what the golang image sets.
func buildStageEnv(t *testing.T) []string {
	t.Helper()
	env := []string{"GOENV=off", "GOTOOLCHAIN=local", "PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for _, name := range []string{"GOPATH", "GOMODCACHE", "GOCACHE", "GOPROXY", "GOSUMDB"} {
		v, err := exec.Command("go", "env", name).Output()
		if err != nil {
			t.Fatalf("go env %s: %v", name, err)
		}
		env = append(env, name+"="+strings.TrimSpace(string(v)))
	}
	return env
}

// runBuildStage carries out the build stage in a new directory standing
// for its file system, and returns that directory.
func runBuildStage(t *testing.T, st *dockerStage, contextDir string, ignore dockerignore, buildArgs map[string]string) string {
	t.Helper()
	root := t.TempDir()
	workdir := "/"
	env := buildStageEnv(t)
	var args []string // ARGs, visible to RUN as variables
	for _, ins := range st.instructions {
		switch ins.cmd {
		case "WORKDIR":
			workdir = path.Join(workdir, ins.args)
			if err := os.MkdirAll(filepath.Join(root, workdir), 0o755); err != nil {
				t.Fatal(err)
			}
		case "ARG":
			name, def, _ := strings.Cut(ins.args, "=")
			if v, given := buildArgs[name]; given {
				def = v
			}
			args = append(args, name+"="+def)
		case "ENV":
			pairs, err := ins.envPairs()
			if err != nil {
				t.Fatal(err)
			}
			env = append(env, pairs...)
		case "COPY":
			flags, srcs, dst, err := ins.copyArgs()
			if err != nil || len(flags) != 0 {
				t.Fatalf("line %d: the build stage copies from the context only: %v", ins.line, err)
			}
			for _, src := range srcs {
				copyContext(t, contextDir, src, filepath.Join(root, workdir, dst), ignore)
			}
		case "RUN":
			for _, w := range strings.Fields(ins.args) {
				if strings.HasPrefix(w, "/") {
					t.Fatalf("line %d: RUN uses the absolute path %s; keep RUN paths relative to WORKDIR so that this test can run them", ins.line, w)
				}
			}
			runCtx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
			cmd := exec.CommandContext(runCtx, "sh", "-c", ins.args)
			cmd.Dir = filepath.Join(root, workdir)
			cmd.Env = append(slices.Clone(env), args...)
			out, err := cmd.CombinedOutput()
			cancel()
			if err != nil {
				t.Fatalf("line %d: RUN %s: %v\n%s", ins.line, ins.args, err, out)
			}
		default:
			t.Fatalf("line %d: %s is not expected in the build stage", ins.line, ins.cmd)
		}
	}
	return root
}

// copyContext copies src (relative to the context; "." for all of it) to
// dst, leaving out what .dockerignore excludes.
func copyContext(t *testing.T, contextDir, src, dst string, ignore dockerignore) {
	t.Helper()
	from := filepath.Join(contextDir, src)
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(contextDir, p)
		if rel != "." && ignore.excludes(filepath.ToSlash(rel)) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		target := dst
		if inner, _ := filepath.Rel(from, p); inner != "." {
			target = filepath.Join(dst, inner)
		} else if !d.IsDir() {
			target = filepath.Join(dst, filepath.Base(p)) // COPY file dir/
		}
		return copyEntry(p, target, d, -1, -1)
	})
	if err != nil {
		t.Fatalf("COPY %s: %v", src, err)
	}
}

// copyEntry copies one file or directory, keeping its mode; uid and gid
// other than -1 set the owner, as COPY --chown does.
func copyEntry(from, to string, d fs.DirEntry, uid, gid int) error {
	info, err := d.Info()
	if err != nil {
		return err
	}
	switch {
	case d.IsDir():
		if err := os.MkdirAll(to, 0o755); err != nil {
			return err
		}
	case info.Mode().IsRegular():
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		in, err := os.Open(from)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(to)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		if err := out.Close(); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%s: only files and directories are modelled", from)
	}
	if err := os.Chmod(to, info.Mode().Perm()); err != nil {
		return err
	}
	if uid == -1 {
		st := info.Sys().(*syscall.Stat_t)
		uid, gid = int(st.Uid), int(st.Gid)
	}
	return os.Lchown(to, uid, gid)
}

// finalImage is the final stage: its file system in root, and how a
// container of it runs.
type finalImage struct {
	root             string
	uid, gid         int
	env              []string
	entrypoint, cmd  []string
	volumes, exposed []string
}

// assembleFinalStage builds the final stage's file system from the build
// stage's (buildRoot) and reads its configuration.
func assembleFinalStage(t *testing.T, st *dockerStage, buildRoot string) *finalImage {
	t.Helper()
	img := &finalImage{root: t.TempDir()}
	// A container's / may be entered by any user; t.TempDir is 0700.
	if err := os.Chmod(img.root, 0o755); err != nil {
		t.Fatal(err)
	}
	var err error
	for _, ins := range st.instructions {
		switch ins.cmd {
		case "COPY":
			flags, srcs, dst, err := ins.copyArgs()
			if err != nil || flags["from"] != "build" || len(srcs) != 1 {
				t.Fatalf("line %d: the final stage copies one path from the build stage: %v", ins.line, err)
			}
			uid, gid := -1, -1
			if owner := flags["chown"]; owner != "" {
				uid, gid = parseOwner(t, owner)
			}
			from := filepath.Join(buildRoot, srcs[0])
			err = filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				rel, _ := filepath.Rel(from, p)
				return copyEntry(p, filepath.Join(img.root, dst, rel), d, uid, gid)
			})
			if err != nil {
				t.Fatalf("line %d: COPY: %v", ins.line, err)
			}
		case "USER":
			img.uid, img.gid = parseOwner(t, ins.args)
		case "ENV":
			pairs, err := ins.envPairs()
			if err != nil {
				t.Fatal(err)
			}
			img.env = append(img.env, pairs...)
		case "VOLUME":
			img.volumes = append(img.volumes, strings.Fields(ins.args)...)
		case "EXPOSE":
			img.exposed = append(img.exposed, strings.Fields(ins.args)...)
		case "ENTRYPOINT":
			img.entrypoint, err = ins.execForm()
		case "CMD":
			img.cmd, err = ins.execForm()
		default:
			t.Fatalf("line %d: %s is not expected in the final stage", ins.line, ins.cmd)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return img
}

// parseOwner reads uid:gid, numeric (the image has no /etc/passwd).
func parseOwner(t *testing.T, owner string) (int, int) {
	t.Helper()
	u, g, ok := strings.Cut(owner, ":")
	uid, err1 := strconv.Atoi(u)
	gid, err2 := strconv.Atoi(g)
	if !ok || err1 != nil || err2 != nil {
		t.Fatalf("owner %q: want numeric uid:gid", owner)
	}
	return uid, gid
}

// run starts a container of the image: ENTRYPOINT and CMD, under chroot in
// its file system, as its user, with its ENV, extra and what Docker adds.
func (img *finalImage) run(t *testing.T, extra []string) *trentProc {
	return img.runArgs(t, extra, img.cmd...)
}

// command is `docker run [-e extra...] image args...`: ENTRYPOINT and
// args, under chroot in the image's file system, as its user, with its ENV,
// extra and what Docker adds.
func (img *finalImage) command(ctx context.Context, extra []string, args ...string) *exec.Cmd {
	argv := append(slices.Clone(img.entrypoint), args...)
	cmd := exec.CommandContext(ctx, filepath.Join(img.root, argv[0]), argv[1:]...)
	cmd.Path = argv[0] // resolved inside the chroot
	cmd.Dir = "/"
	// Docker's defaults for an image without a PATH, and a user without a
	// passwd entry.
	cmd.Env = append([]string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/", "HOSTNAME=trent-test"}, img.env...)
	cmd.Env = append(cmd.Env, extra...)
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Chroot:     img.root,
		Credential: &syscall.Credential{Uid: uint32(img.uid), Gid: uint32(img.gid), Groups: []uint32{}},
	}
	return cmd
}

// runArgs starts a container with args in place of CMD.
func (img *finalImage) runArgs(t *testing.T, extra []string, args ...string) *trentProc {
	t.Helper()
	return startTrentProc(t, img.command(context.Background(), extra, args...))
}

// runToEnd runs a container with args in place of CMD to its end, which
// must be a success, and returns what it printed to stdout.
func (img *finalImage) runToEnd(t *testing.T, args ...string) string {
	t.Helper()
	runCtx, cancel := context.WithTimeout(t.Context(), startDeadline)
	defer cancel()
	cmd := img.command(runCtx, nil, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("trent %s in the image: %v\n%s%s", strings.Join(args, " "), err, out, stderr.String())
	}
	return string(out)
}

// checkStaticBinary: the binary needs nothing from the image (no dynamic
// loader, no shared libraries), is stripped (-s), and names no directory
// of the machine that built it (-trimpath).
func checkStaticBinary(t *testing.T, bin, buildRoot string) {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, prog := range f.Progs {
		if prog.Type == elf.PT_INTERP {
			t.Error("the binary has an ELF interpreter (PT_INTERP): it is dynamically linked, and scratch has no loader")
		}
	}
	if libs, err := f.ImportedLibraries(); err != nil || len(libs) != 0 {
		t.Errorf("the binary needs shared libraries (DT_NEEDED) %v %v", libs, err)
	}
	if f.Section(".symtab") != nil {
		t.Error("the binary has a symbol table: -ldflags -s did not apply")
	}
	if found, err := fileContains(bin, buildRoot); err != nil || found {
		t.Errorf("the binary names the build directory %s (-trimpath did not apply): %v", buildRoot, err)
	}
}

// fileContains reports whether the file holds s.
func fileContains(name, s string) (bool, error) {
	b, err := os.ReadFile(name)
	return bytes.Contains(b, []byte(s)), err
}

// freePortAnyInterface is a port that was free on every interface a moment ago (the
// server listens on 0.0.0.0).
func freePortAnyInterface(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
