package sigv4

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/trent-kms/trent/internal/kmserr"
)

const sig = "fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024"

func TestParseAuthorizationAccepts(t *testing.T) {
	want := Authorization{
		AccessKeyID:   "AKIDEXAMPLE",
		Date:          "20150830",
		Region:        "us-east-1",
		Service:       "kms",
		SignedHeaders: []string{"content-type", "host", "x-amz-date", "x-amz-target"},
		Signature:     sig,
	}
	const cred = "Credential=AKIDEXAMPLE/20150830/us-east-1/kms/aws4_request"
	const sh = "SignedHeaders=content-type;host;x-amz-date;x-amz-target"
	tests := []struct {
		name, header string
	}{
		{"sdk style", "AWS4-HMAC-SHA256 " + cred + ", " + sh + ", Signature=" + sig},
		{"commas without spaces", "AWS4-HMAC-SHA256 " + cred + "," + sh + ",Signature=" + sig},
		{"extra spaces", "AWS4-HMAC-SHA256   " + cred + " ,  " + sh + " , Signature=" + sig},
		{"tabs", "AWS4-HMAC-SHA256\t" + cred + ",\t" + sh + ",\tSignature=" + sig},
		{"spaces only", "AWS4-HMAC-SHA256 " + cred + " " + sh + " Signature=" + sig},
		{"leading and trailing blanks", "  AWS4-HMAC-SHA256 " + cred + ", " + sh + ", Signature=" + sig + "  "},
		{"parameters reordered", "AWS4-HMAC-SHA256 Signature=" + sig + ", " + sh + ", " + cred},
		{"unknown parameter ignored", "AWS4-HMAC-SHA256 " + cred + ", " + sh + ", Signature=" + sig + ", Extra=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAuthorization(tt.header)
			if err != nil {
				t.Fatalf("ParseAuthorization: %v", err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}

func TestParseAuthorizationRejects(t *testing.T) {
	const sh = "SignedHeaders=host;x-amz-date"
	const good = "Credential=AKID/20240229/us-east-1/kms/aws4_request"
	withCred := func(c string) string {
		return "AWS4-HMAC-SHA256 Credential=" + c + ", " + sh + ", Signature=" + sig
	}
	tests := []struct {
		name, header, code, message string
	}{
		{"empty", "", kmserr.CodeMissingAuthenticationToken, "Missing Authentication Token"},
		{"blank", " \t ", kmserr.CodeMissingAuthenticationToken, "Missing Authentication Token"},
		{"sigv2", "AWS AKID:c2lnbmF0dXJl", kmserr.CodeIncompleteSignature, "Unsupported AWS 'algorithm'"},
		{"sigv4a", "AWS4-ECDSA-P256-SHA256 " + good + ", " + sh + ", Signature=" + sig, kmserr.CodeIncompleteSignature, "Unsupported AWS 'algorithm'"},
		{"algorithm case", "aws4-hmac-sha256 " + good + ", " + sh + ", Signature=" + sig, kmserr.CodeIncompleteSignature, "Unsupported AWS 'algorithm'"},
		{"bearer token", "Bearer eyJhbGciOiJIUzI1NiJ9", kmserr.CodeIncompleteSignature, "Unsupported AWS 'algorithm'"},
		{"algorithm only", "AWS4-HMAC-SHA256", kmserr.CodeIncompleteSignature,
			"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter."},
		{"no signature", "AWS4-HMAC-SHA256 " + good + ", " + sh, kmserr.CodeIncompleteSignature, "Authorization header requires 'Signature' parameter."},
		{"empty credential", "AWS4-HMAC-SHA256 Credential=, " + sh + ", Signature=" + sig, kmserr.CodeIncompleteSignature, "requires 'Credential' parameter"},
		{"space after equal sign", "AWS4-HMAC-SHA256 Credential= AKID/20240229/us-east-1/kms/aws4_request, " + sh + ", Signature=" + sig,
			kmserr.CodeIncompleteSignature, "not a valid key=value pair (missing equal-sign)"},
		{"space inside access key", withCred("AKID /20240229/us-east-1/kms/aws4_request"), kmserr.CodeIncompleteSignature, "not a valid key=value pair"},
		{"repeated parameter", "AWS4-HMAC-SHA256 " + good + ", " + good + ", " + sh + ", Signature=" + sig, kmserr.CodeIncompleteSignature, "repeats the 'Credential' parameter"},
		{"four scope elements", withCred("AKID/20240229/us-east-1/kms"), kmserr.CodeIncompleteSignature, "exactly 5 slash-delimited elements"},
		{"six scope elements", withCred("AKID/20240229/us-east-1/kms/aws4_request/x"), kmserr.CodeIncompleteSignature, "exactly 5 slash-delimited elements"},
		{"empty access key", withCred("/20240229/us-east-1/kms/aws4_request"), kmserr.CodeIncompleteSignature, "access key ID"},
		{"long access key", withCred(strings.Repeat("A", 129) + "/20240229/us-east-1/kms/aws4_request"), kmserr.CodeIncompleteSignature, "longer than 128"},
		{"short date", withCred("AKID/2024022/us-east-1/kms/aws4_request"), kmserr.CodeInvalidSignature, "valid date"},
		{"not a date", withCred("AKID/20241301/us-east-1/kms/aws4_request"), kmserr.CodeInvalidSignature, "valid date"},
		{"no leap day", withCred("AKID/20230229/us-east-1/kms/aws4_request"), kmserr.CodeInvalidSignature, "valid date"},
		{"iso date", withCred("AKID/2024-02-2/us-east-1/kms/aws4_request"), kmserr.CodeInvalidSignature, "valid date"},
		{"empty region", withCred("AKID/20240229//kms/aws4_request"), kmserr.CodeInvalidSignature, "Credential should be scoped to a valid region. "},
		{"upper-case region", withCred("AKID/20240229/US-EAST-1/kms/aws4_request"), kmserr.CodeInvalidSignature, "valid region"},
		{"region with colon", withCred("AKID/20240229/us-east-1:x/kms/aws4_request"), kmserr.CodeInvalidSignature, "valid region"},
		{"region double hyphen", withCred("AKID/20240229/us--east-1/kms/aws4_request"), kmserr.CodeInvalidSignature, "valid region"},
		{"region trailing hyphen", withCred("AKID/20240229/us-east-/kms/aws4_request"), kmserr.CodeInvalidSignature, "valid region"},
		{"long region", withCred("AKID/20240229/" + strings.Repeat("a", 33) + "/kms/aws4_request"), kmserr.CodeInvalidSignature, "valid region"},
		{"wrong service", withCred("AKID/20240229/us-east-1/s3/aws4_request"), kmserr.CodeInvalidSignature, "Credential should be scoped to correct service: 'kms'. "},
		{"service case", withCred("AKID/20240229/us-east-1/KMS/aws4_request"), kmserr.CodeInvalidSignature, "correct service: 'kms'"},
		{"wrong terminator", withCred("AKID/20240229/us-east-1/kms/aws4_requests"), kmserr.CodeInvalidSignature, "valid terminator: 'aws4_request'"},
		{"empty signed headers", "AWS4-HMAC-SHA256 " + good + ", SignedHeaders=, Signature=" + sig, kmserr.CodeIncompleteSignature, "requires 'SignedHeaders' parameter"},
		{"empty signed header name", "AWS4-HMAC-SHA256 " + good + ", SignedHeaders=host;;x-amz-date, Signature=" + sig, kmserr.CodeIncompleteSignature, "'SignedHeaders' must be"},
		{"upper-case signed header", "AWS4-HMAC-SHA256 " + good + ", SignedHeaders=Host, Signature=" + sig, kmserr.CodeIncompleteSignature, "'SignedHeaders' must be"},
		{"short signature", "AWS4-HMAC-SHA256 " + good + ", " + sh + ", Signature=" + sig[:63], kmserr.CodeIncompleteSignature, "'Signature' must be 64"},
		{"upper-case signature", "AWS4-HMAC-SHA256 " + good + ", " + sh + ", Signature=" + strings.ToUpper(sig), kmserr.CodeIncompleteSignature, "'Signature' must be 64"},
		{"base64 signature", "AWS4-HMAC-SHA256 " + good + ", " + sh + ", Signature=6zyk9z5PYA25QziT8qay2mdwO5LUQaAAXYYY61l%2FSiA%3D", kmserr.CodeIncompleteSignature, "'Signature' must be 64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseAuthorization(tt.header)
			e, ok := kmserr.As(err)
			if !ok {
				t.Fatalf("error %v is not a *kmserr.Error", err)
			}
			if e.Code != tt.code || e.Status != http.StatusBadRequest {
				t.Errorf("got %s/%d, want %s/400", e.Code, e.Status, tt.code)
			}
			if !strings.Contains(e.Message, tt.message) {
				t.Errorf("message %q does not contain %q", e.Message, tt.message)
			}
		})
	}
}

// TestParseAuthorizationNeverEchoes guards the promise that messages do not
// repeat header content (a mistyped secret pasted as an access key, say).
func TestParseAuthorizationNeverEchoes(t *testing.T) {
	const canary = "CANARYsecretVALUE"
	headers := []string{
		canary,
		"AWS4-HMAC-SHA256 " + canary,
		"AWS4-HMAC-SHA256 Credential=" + canary + ", SignedHeaders=host, Signature=" + sig,
		"AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/kms/" + canary + ", SignedHeaders=host, Signature=" + sig,
		"AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=" + canary,
		"AWS4-HMAC-SHA256 " + canary + "=1, " + canary + "=2",
	}
	for _, h := range headers {
		_, err := ParseAuthorization(h)
		if err == nil {
			t.Fatalf("ParseAuthorization(%q) succeeded", h)
		}
		if strings.Contains(err.Error(), canary) {
			t.Errorf("error %q echoes header content", err)
		}
	}
}

// TestParseAuthorizationRealSigner parses headers produced by the AWS SDK
// for Go v2's own signer, the one the KMS client uses.
func TestParseAuthorizationRealSigner(t *testing.T) {
	signTime := time.Date(2026, 11, 3, 12, 30, 0, 0, time.UTC)
	body := `{"NumberOfBytes":32}`
	sum := sha256.Sum256([]byte(body))
	tests := []struct {
		name   string
		creds  aws.Credentials
		region string
		want   []string
	}{
		{"static keys", aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
			"us-east-1", []string{"content-length", "content-type", "host", "x-amz-date", "x-amz-target"}},
		{"session token", aws.Credentials{AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "secret", SessionToken: "token"},
			"eu-central-1", []string{"content-length", "content-type", "host", "x-amz-date", "x-amz-security-token", "x-amz-target"}},
		{"dev keys", aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
			"us-west-2", []string{"content-length", "content-type", "host", "x-amz-date", "x-amz-target"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, "https://kms."+tt.region+".amazonaws.com/", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("X-Amz-Target", "TrentService.GenerateRandom")
			err = v4.NewSigner().SignHTTP(context.Background(), tt.creds, req, hex.EncodeToString(sum[:]), "kms", tt.region, signTime)
			if err != nil {
				t.Fatal(err)
			}
			a, err := ParseAuthorization(req.Header.Get("Authorization"))
			if err != nil {
				t.Fatalf("ParseAuthorization(%q): %v", req.Header.Get("Authorization"), err)
			}
			if a.AccessKeyID != tt.creds.AccessKeyID || a.Date != "20261103" || a.Region != tt.region || a.Service != "kms" {
				t.Errorf("scope = %+v", a)
			}
			if !reflect.DeepEqual(a.SignedHeaders, tt.want) {
				t.Errorf("SignedHeaders = %v, want %v", a.SignedHeaders, tt.want)
			}
			if !isLowerHex(a.Signature, 64) {
				t.Errorf("Signature = %q", a.Signature)
			}
		})
	}
}

// TestParseAuthorizationRealSignerOtherService checks that a request the
// SDK signed for another service is refused with AWS's scope message.
func TestParseAuthorizationRealSignerOtherService(t *testing.T) {
	req, _ := http.NewRequest(http.MethodPost, "https://kms.us-east-1.amazonaws.com/", nil)
	creds := aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "secret"}
	emptySum := sha256.Sum256(nil)
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(emptySum[:]), "sts", "us-east-1",
		time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	_, err := ParseAuthorization(req.Header.Get("Authorization"))
	e, ok := kmserr.As(err)
	if !ok || e.Code != kmserr.CodeInvalidSignature || e.Message != "Credential should be scoped to correct service: 'kms'. " {
		t.Fatalf("got %v", err)
	}
}

func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20240229/us-east-1/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + sig)
	f.Add("AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=;, Signature=")
	f.Add("AWS4-HMAC-SHA256 ,,,=,==")
	f.Fuzz(func(t *testing.T, header string) {
		a, err := ParseAuthorization(header)
		if err != nil {
			if _, ok := kmserr.As(err); !ok {
				t.Fatalf("error %v is not a *kmserr.Error", err)
			}
			return
		}
		if a.Service != Service || !isRegionName(a.Region) || !isScopeDate(a.Date) || a.AccessKeyID == "" ||
			len(a.SignedHeaders) == 0 || !isLowerHex(a.Signature, 64) {
			t.Fatalf("accepted %q as %+v", header, a)
		}
	})
}
