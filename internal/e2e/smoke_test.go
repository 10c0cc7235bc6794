package e2e

import (
	"bytes"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

func TestSmokeCreateEncryptDecrypt(t *testing.T) {
	tn := startNode(t)
	c := tn.kms()
	created, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("smoke")})
	if err != nil {
		t.Fatal(err)
	}
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: created.KeyMetadata.KeyId, Plaintext: []byte("hello"),
		EncryptionContext: map[string]string{"purpose": "smoke"}})
	if err != nil {
		t.Fatal(err)
	}
	dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: map[string]string{"purpose": "smoke"}})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(dec.Plaintext, []byte("hello")) || *dec.KeyId != *created.KeyMetadata.Arn {
		t.Fatalf("decrypt: %q %s", dec.Plaintext, *dec.KeyId)
	}
}
