package awsjson

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	smithy "github.com/aws/smithy-go"

	"github.com/trent-kms/trent/internal/kmserr"
)

// sdkClient is the real AWS SDK for Go v2 KMS client pointed at url.
// Retries are off so a 5xx shows up once, as it was sent.
func sdkClient(url string) *kms.Client {
	return kms.NewFromConfig(aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		RetryMaxAttempts: 1,
	}, func(o *kms.Options) { o.BaseEndpoint = aws.String(url) })
}

func TestSDKGenerateRandom(t *testing.T) {
	f := newFixture(t, nil)
	client := sdkClient(f.server(t).URL)

	out, err := client.GenerateRandom(context.Background(), &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(16)})
	if err != nil {
		t.Fatalf("GenerateRandom: %v", err)
	}
	want := []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	if !bytes.Equal(out.Plaintext, want) {
		t.Errorf("Plaintext = %v, want %v", out.Plaintext, want)
	}
	if id, ok := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata); !ok || id != "req-1" {
		t.Errorf("SDK saw request ID %q, want req-1", id)
	}

	recs := f.audit.all()
	if len(recs) != 1 {
		t.Fatalf("%d audit records, want 1", len(recs))
	}
	c := recs[0]
	if c.Err != nil || !c.ReadOnly || c.Info.Operation != "GenerateRandom" || c.Info.Region != "us-east-1" ||
		c.Info.ID != "req-1" || c.Info.Caller.Account != testAccount || c.Info.Caller.AccessKeyID != "test" ||
		c.Info.SourceIP != "127.0.0.1" || c.Info.UserAgent == "" || c.Time != f.clock.Now() {
		t.Errorf("audit record = %+v, info %+v", c, c.Info)
	}
	if in, ok := c.Input.(*generateRandomInput); !ok || in.NumberOfBytes == nil || *in.NumberOfBytes != 16 {
		t.Errorf("Input = %#v", c.Input)
	}
	if o, ok := c.Output.(*generateRandomOutput); !ok || len(o.Plaintext) != 16 {
		t.Errorf("Output = %#v", c.Output)
	}
	if got := c.Details.Additional()["numberOfBytes"]; got != 16 {
		t.Errorf("Details numberOfBytes = %v", got)
	}
}

func TestSDKTypedErrors(t *testing.T) {
	f := newFixture(t, nil)
	client := sdkClient(f.server(t).URL)
	ctx := context.Background()

	_, err := client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/missing")})
	var nf *types.NotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("DescribeKey error %T %v, want *types.NotFoundException", err, err)
	}
	if want := "Key '" + testKeyARN + "' does not exist"; nf.ErrorMessage() != want {
		t.Errorf("message %q, want %q", nf.ErrorMessage(), want)
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusBadRequest || re.ServiceRequestID() == "" {
		t.Errorf("response error %v", err)
	}

	// KMS's model has no ValidationException shape, so the SDK reports it
	// as a generic API error carrying the code.
	_, err = client.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(2000)})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ValidationException" {
		t.Errorf("GenerateRandom(2000) error %v", err)
	}

	recs := f.audit.all()
	if len(recs) != 2 {
		t.Fatalf("%d audit records, want 2", len(recs))
	}
	if e, ok := kmserr.As(recs[0].Err); !ok || e.Code != kmserr.CodeNotFound || recs[0].Output != nil || recs[0].Info.Operation != "DescribeKey" {
		t.Errorf("DescribeKey record = %+v", recs[0])
	}
	if res := recs[0].Details.Resources(); len(res) != 1 || res[0].ARN != testKeyARN {
		t.Errorf("DescribeKey resources = %+v", res)
	}
}

func TestSDKEmptyOutputAndNestedInput(t *testing.T) {
	f := newFixture(t, nil)
	client := sdkClient(f.server(t).URL)
	ctx := context.Background()

	if _, err := client.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String("1234abcd")}); err != nil {
		t.Fatalf("EnableKey: %v", err)
	}
	out, err := client.Encrypt(ctx, &kms.EncryptInput{
		KeyId:             aws.String(testKeyARN),
		Plaintext:         []byte("hello"),
		EncryptionContext: map[string]string{"purpose": "test", "Ünïcode": "✓ 𝄞"},
	})
	if err != nil {
		t.Fatalf("Encrypt: %v", err)
	}
	if string(out.CiphertextBlob) != "ct:hello" || aws.ToString(out.KeyId) != testKeyARN {
		t.Errorf("Encrypt output = %+v", out)
	}
	recs := f.audit.all()
	if len(recs) != 2 || recs[0].Output != nil || recs[0].Err != nil || recs[0].ReadOnly {
		t.Fatalf("records = %+v", recs)
	}
	if got := recs[1].Details.Additional()["ec:Ünïcode"]; got != "✓ 𝄞" {
		t.Errorf("encryption context through the wire = %q", got)
	}
}
