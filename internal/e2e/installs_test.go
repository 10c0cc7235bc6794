package e2e

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The clients the end-to-end tests drive and install for themselves, so
// that the suite passes on a bare machine: Debian's AWS CLI, boto3 and
// openssl from apt, the JavaScript SDK and noble's post-quantum
// cryptography from npm. Installs run once per test process and are
// bounded by installTimeout.

var awsCLIInstall struct {
	once sync.Once
	err  error
}

// ensureAWSCLI installs Debian's awscli if /usr/bin/aws is missing. A failed
// install fails the test: the CLI is part of what is tested.
func ensureAWSCLI(t *testing.T) {
	t.Helper()
	awsCLIInstall.once.Do(func() {
		if _, err := os.Stat(awsCLIPath); err == nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), installTimeout)
		defer cancel()
		for _, args := range [][]string{{"update"}, {"install", "-y", "awscli"}} {
			if err := aptGet(ctx, args...); err != nil {
				awsCLIInstall.err = err
				return
			}
		}
		if _, err := os.Stat(awsCLIPath); err != nil {
			awsCLIInstall.err = fmt.Errorf("apt-get install awscli did not install %s: %v", awsCLIPath, err)
		}
	})
	if awsCLIInstall.err != nil {
		t.Fatal(awsCLIInstall.err)
	}
}

var openSSLInstall struct {
	once sync.Once
	err  error
}

// openSSLPath is Debian's openssl command line tool, the independent
// implementation the interoperability tests check Trent's cryptography
// against.
const openSSLPath = "/usr/bin/openssl"

// ensureOpenSSL installs Debian's openssl if /usr/bin/openssl is missing. A
// failed install fails the test: without openssl there is nothing to check
// against.
func ensureOpenSSL(t *testing.T) {
	t.Helper()
	openSSLInstall.once.Do(func() {
		if _, err := os.Stat(openSSLPath); err == nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), installTimeout)
		defer cancel()
		for _, args := range [][]string{{"update"}, {"install", "-y", "openssl"}} {
			if err := aptGet(ctx, args...); err != nil {
				openSSLInstall.err = err
				return
			}
		}
		if _, err := os.Stat(openSSLPath); err != nil {
			openSSLInstall.err = fmt.Errorf("apt-get install openssl did not install %s: %v", openSSLPath, err)
		}
	})
	if openSSLInstall.err != nil {
		t.Fatal(openSSLInstall.err)
	}
}

// pythonEnv is the environment of the boto3 check: Debian's python3
// without the user's site-packages (the snippet runs with an empty HOME, so
// a pip --user boto3 would not be there either).
var pythonEnv = []string{"PATH=/usr/bin:/bin", "LANG=C.UTF-8", "PYTHONNOUSERSITE=1"}

var boto3Install struct {
	once sync.Once
	err  error
}

// ensureBoto3 installs Debian's python3-boto3 unless /usr/bin/python3 can
// already import boto3. A failed install fails the test: boto3 is part of
// what is tested.
func ensureBoto3(t *testing.T) {
	t.Helper()
	boto3Install.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), installTimeout)
		defer cancel()
		if _, _, err := runBounded(ctx, "/", pythonEnv, "/usr/bin/python3", "-c", "import boto3"); err == nil {
			return
		}
		for _, args := range [][]string{{"update"}, {"install", "-y", "python3-boto3"}} {
			if err := aptGet(ctx, args...); err != nil {
				boto3Install.err = err
				return
			}
		}
		if _, stderr, err := runBounded(ctx, "/", pythonEnv, "/usr/bin/python3", "-c", "import boto3"); err != nil {
			boto3Install.err = fmt.Errorf("after apt-get install python3-boto3, /usr/bin/python3 cannot import boto3: %v\n%s", err, stderr)
		}
	})
	if boto3Install.err != nil {
		t.Fatal(boto3Install.err)
	}
}

// aptGet runs apt-get. The machine is shared and ensureAWSCLI may run
// apt-get at the same time, so a held apt or dpkg lock is waited out, up to
// ctx's deadline.
func aptGet(ctx context.Context, args ...string) error {
	env := append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	for {
		stdout, stderr, err := runBounded(ctx, "/", env, "apt-get", args...)
		if err == nil {
			return nil
		}
		out := stdout + stderr
		if !strings.Contains(out, "Could not get lock") || ctx.Err() != nil {
			return fmt.Errorf("apt-get %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		select {
		case <-ctx.Done():
		case <-time.After(2 * time.Second):
		}
	}
}

// npmInstall is npm packages installed into a directory of one test run,
// shared by its subtests: @aws-sdk/client-kms for TestREADMEClients, or the
// packages listed.
type npmInstall struct {
	dir string
	// packages are npm install's arguments; none means
	// @aws-sdk/client-kms.
	packages []string
	once     sync.Once
	err      error
}

// install runs npm install once and returns the directory holding
// node_modules. npm is the machine's, run by /usr/bin/node; its cache in
// the user's HOME makes later runs quick.
func (n *npmInstall) install(t *testing.T) string {
	t.Helper()
	n.once.Do(func() {
		if err := os.MkdirAll(n.dir, 0o700); err != nil {
			n.err = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), installTimeout)
		defer cancel()
		env := append(slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "PATH=") }),
			"PATH=/usr/bin:/bin", "npm_config_update_notifier=false")
		packages := n.packages
		if len(packages) == 0 {
			packages = []string{"@aws-sdk/client-kms"}
		}
		args := append([]string{"install", "--no-audit", "--no-fund"}, packages...)
		if stdout, stderr, err := runBounded(ctx, n.dir, env, "/usr/bin/npm", args...); err != nil {
			n.err = fmt.Errorf("npm %s: %v\n%s%s", strings.Join(args, " "), err, stdout, stderr)
		}
	})
	if n.err != nil {
		t.Fatal(n.err)
	}
	return n.dir
}
