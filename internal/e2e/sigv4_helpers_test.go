package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/seal"
	"github.com/trent-kms/trent/internal/server"
)

// Helpers of the SigV4 and TLS tests: a verifying node (no --dev) with
// credentials of the test's own, SDK clients that sign at a chosen time,
// botocore, and a test CA.

// Credentials of the verifying node. The long-term key belongs to the
// root user of testAccount; the temporary one to a role session in
// otherAccount, valid for an hour from testEpoch.
const (
	longTermKeyID  = "AKIAIOSFODNN7EXAMPLE"
	longTermSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	tempKeyID      = "ASIAIOSFODNN7EXAMPLE"
	tempSecret     = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"
	tempToken      = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN"
	otherAccount   = "444455556666"

	sigMismatch = "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	tokenInvalid = "The security token included in the request is invalid."
	tokenExpired = "The security token included in the request is expired"
)

// credentialMap is an identity.Resolver from a map.
type credentialMap map[string]identity.Credential

func (m credentialMap) Lookup(k string) (identity.Credential, bool) { c, ok := m[k]; return c, ok }

// testCredentials are the verifying node's identities; the temporary
// credentials expire at expires.
func testCredentials(expires time.Time) credentialMap {
	role := identity.Caller{
		Account: otherAccount, AccessKeyID: tempKeyID,
		ARN:          "arn:aws:sts::" + otherAccount + ":assumed-role/Admin/e2e",
		PrincipalARN: "arn:aws:iam::" + otherAccount + ":role/Admin",
		PrincipalID:  "AROAEXAMPLEROLEID:e2e", Type: identity.TypeAssumedRole,
		Policies: []string{allowKMS("kms:*")},
	}
	return credentialMap{
		longTermKeyID: {Caller: identity.RootCaller(testAccount, longTermKeyID), Secret: longTermSecret},
		tempKeyID:     {Caller: role, Secret: tempSecret, SessionToken: tempToken, Expires: expires},
	}
}

// startVerifyingNode is startNodeWith without --dev: a root key file of its
// own, the resolver given, and every signature verified against clk
// (nil: a manual clock at testEpoch, in tn.clock). tlsCert, when set, makes
// the listener HTTPS with that certificate.
func startVerifyingNode(t *testing.T, ids identity.Resolver, clk clock.Clock, tlsCert *tls.Certificate) *testNode {
	t.Helper()
	dir := t.TempDir()
	keyFile := filepath.Join(t.TempDir(), "root.key")
	if err := seal.CreateKeyFile(keyFile, nil); err != nil {
		t.Fatal(err)
	}
	tn := &testNode{t: t, dataDir: dir}
	if clk == nil {
		tn.clock = clock.NewManual(testEpoch)
		clk = tn.clock
	}
	n, err := server.Open(server.Config{DataDir: dir, RootKeyFile: keyFile, Identity: ids, Clock: clk})
	if err != nil {
		t.Fatalf("open node: %v", err)
	}
	tn.node = n
	if tlsCert == nil {
		tn.srv = httptest.NewServer(n.Handler())
	} else {
		tn.srv = httptest.NewUnstartedServer(n.Handler())
		tn.srv.TLS = &tls.Config{Certificates: []tls.Certificate{*tlsCert}, MinVersion: tls.VersionTLS12}
		tn.srv.StartTLS()
	}
	t.Cleanup(func() {
		tn.srv.Close()
		if err := n.Close(); err != nil {
			t.Errorf("close node: %v", err)
		}
	})
	return tn
}

// clockSigner is aws-sdk-go-v2's own SigV4 signer with the signing time
// taken from a test clock (plus skew) instead of the SDK's wall clock: the
// node's manual clock and the client then agree, or disagree by exactly
// skew.
type clockSigner struct {
	signer *v4.Signer
	now    func() time.Time
	skew   time.Duration
}

func (s clockSigner) SignHTTP(ctx context.Context, c aws.Credentials, r *http.Request, payloadHash, service, region string,
	_ time.Time, optFns ...func(*v4.SignerOptions)) error {
	return s.signer.SignHTTP(ctx, c, r, payloadHash, service, region, s.now().Add(s.skew), optFns...)
}

// signingClient is an SDK client of tn signing with the credentials given,
// at tn's clock time plus skew.
func (tn *testNode) signingClient(region, keyID, secret, token string, skew time.Duration) *kms.Client {
	return kms.New(kms.Options{
		Region:           region,
		BaseEndpoint:     aws.String(tn.srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider(keyID, secret, token),
		HTTPClient:       tn.srv.Client(),
		HTTPSignerV4:     clockSigner{signer: v4.NewSigner(), now: tn.clock.Now, skew: skew},
		RetryMaxAttempts: 1,
	})
}

var botocoreInstall struct {
	once sync.Once
	err  error
}

// ensureBotocore installs Debian's python3-botocore unless /usr/bin/python3
// can already import botocore. A failed install fails the test: botocore
// (which the AWS CLI and boto3 sign with) is part of what is tested.
func ensureBotocore(t *testing.T) {
	t.Helper()
	botocoreInstall.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), installTimeout)
		defer cancel()
		if _, _, err := runBounded(ctx, "/", pythonEnv, "/usr/bin/python3", "-c", "import botocore"); err == nil {
			return
		}
		for _, args := range [][]string{{"update"}, {"install", "-y", "python3-botocore"}} {
			if err := aptGet(ctx, args...); err != nil {
				botocoreInstall.err = err
				return
			}
		}
		if _, stderr, err := runBounded(ctx, "/", pythonEnv, "/usr/bin/python3", "-c", "import botocore"); err != nil {
			botocoreInstall.err = fmt.Errorf("after apt-get install python3-botocore, /usr/bin/python3 cannot import botocore: %v\n%s", err, stderr)
		}
	})
	if botocoreInstall.err != nil {
		t.Fatal(botocoreInstall.err)
	}
}

// testCA is a certificate authority made by the test, and a server
// certificate it issued for 127.0.0.1, ::1 and localhost.
type testCA struct {
	// caFile, certFile and keyFile are PEM files in a temp directory.
	caFile, certFile, keyFile string
	pool                      *x509.CertPool
	cert                      tls.Certificate
}

// newTestCA makes the CA and the server certificate. The TLS stacks check
// validity against the machine's clock, not the node's, so the certificates
// are valid from 2020 to 2045, whenever the test runs.
func newTestCA(t *testing.T) *testCA {
	t.Helper()
	dir := t.TempDir()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	notBefore := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	notAfter := time.Date(2045, 1, 1, 0, 0, 0, 0, time.UTC)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Trent e2e test CA"},
		NotBefore: notBefore, NotAfter: notAfter, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	srvTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: notBefore, NotAfter: notAfter,
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(srvKey)
	if err != nil {
		t.Fatal(err)
	}
	ca := &testCA{caFile: filepath.Join(dir, "ca.pem"), certFile: filepath.Join(dir, "server.pem"), keyFile: filepath.Join(dir, "server.key")}
	writePEM(t, ca.caFile, "CERTIFICATE", caDER)
	writePEM(t, ca.certFile, "CERTIFICATE", srvDER)
	writePEM(t, ca.keyFile, "PRIVATE KEY", keyDER)
	ca.pool = x509.NewCertPool()
	ca.pool.AddCert(caCert)
	if ca.cert, err = tls.LoadX509KeyPair(ca.certFile, ca.keyFile); err != nil {
		t.Fatal(err)
	}
	return ca
}

func writePEM(t *testing.T, path, kind string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// httpsClient trusts only the test CA.
func (ca *testCA) httpsClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: ca.pool}
	return &http.Client{Transport: tr}
}
