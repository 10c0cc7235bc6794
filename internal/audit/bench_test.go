package audit

import (
	"testing"
	"time"

	"github.com/trent-kms/trent/internal/identity"
	"github.com/trent-kms/trent/internal/request"
)

// benchEncryptInput has the shape of kms.EncryptInput.
type benchEncryptInput struct {
	KeyId               *string           `json:"KeyId,omitempty"`
	Plaintext           []byte            `json:"Plaintext,omitempty" audit:"-"`
	EncryptionContext   map[string]string `json:"EncryptionContext,omitempty"`
	GrantTokens         []string          `json:"GrantTokens,omitempty"`
	EncryptionAlgorithm *string           `json:"EncryptionAlgorithm,omitempty"`
	DryRun              *bool             `json:"DryRun,omitempty"`
}

// BenchmarkRecordAPICall builds and encodes the record of a realistic
// Encrypt by an IAM user, as the wire layer does for every request
// (FileWriter.Write without the write). With APICall's map form and
// json.Marshal it took 50 allocations.
func BenchmarkRecordAPICall(b *testing.B) {
	info := &request.Info{
		ID: "5f0e9c1e-8d7a-4c1b-9a51-2b8f6a3e4d10", Operation: "Encrypt", Region: "us-east-1", SourceIP: "10.0.0.7",
		UserAgent: "aws-sdk-go-v2/1.36.3 os/linux lang/go#1.26 md/GOOS#linux api/kms#1.38.1",
		Caller: identity.Caller{Type: identity.TypeIAMUser, Account: "111122223333", AccessKeyID: "AKIAIOSFODNN7EXAMPLE",
			ARN: "arn:aws:iam::111122223333:user/app/alice", PrincipalARN: "arn:aws:iam::111122223333:user/app/alice", PrincipalID: "AIDAEXAMPLE"},
	}
	in := &benchEncryptInput{
		KeyId:               ptr("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
		Plaintext:           []byte("plaintext"),
		EncryptionContext:   map[string]string{"Department": "Engineering", "Project": "Trent"},
		EncryptionAlgorithm: ptr("SYMMETRIC_DEFAULT"),
	}
	at := time.Date(2026, 12, 2, 1, 2, 3, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		_, d := WithDetails(b.Context(), info, true, at)
		d.SetInput(in)
		d.AddKey("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", "111122223333")
		d.SetAdditional("keyMaterialId", "d2ad4f1b9c0e8a7f6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a")
		line, err := encodeLine(d.Record(nil, nil))
		if err != nil {
			b.Fatal(err)
		}
		releaseLine(line)
	}
}
