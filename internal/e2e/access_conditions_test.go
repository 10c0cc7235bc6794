package e2e

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// Condition keys that come from the key's tags and aliases, the request's
// tags and alias, and the request itself (source address, time,
// transport).

const carolARN = "arn:aws:iam::111122223333:user/carol"

// carolMay is a key policy statement allowing carol action under cond (a
// JSON object).
func carolMay(action, cond string) string {
	return `{"Effect":"Allow","Principal":{"AWS":"` + carolARN + `"},"Action":"` + action + `","Resource":"*","Condition":` + cond + `}`
}

func TestConditionsOnTagsAndAliases(t *testing.T) {
	t.Parallel()
	tn := startAccessNode(t, principals{"AKIACAROL": iamUser(testAccount, "carol")})
	owner, carol := tn.as(testAccount), tn.as("AKIACAROL")
	policy := aws.String(keyPolicy(
		carolMay("kms:Encrypt", `{"StringEquals":{"aws:ResourceTag/Team":"blue"}}`),
		carolMay("kms:Decrypt", `{"StringEquals":{"kms:RequestAlias":"alias/carol-app"}}`),
		carolMay("kms:DescribeKey", `{"ForAnyValue:StringLike":{"kms:ResourceAliases":"alias/app-*"}}`),
		carolMay("kms:TagResource", `{"ForAllValues:StringEquals":{"aws:TagKeys":["team"]},"StringEquals":{"aws:RequestTag/team":"blue"}}`),
	))
	tagged := createSymmetricKey(t, owner, &kms.CreateKeyInput{Policy: policy, Tags: []types.Tag{{TagKey: aws.String("team"), TagValue: aws.String("blue")}}})
	plain := createSymmetricKey(t, owner, &kms.CreateKeyInput{Policy: policy})

	// aws:ResourceTag: the tag key matches in any case, the value exactly.
	blob := encryptUnder(t, carol, *tagged.KeyId, []byte("c"), nil)
	_, err := carol.Encrypt(ctx, &kms.EncryptInput{KeyId: plain.KeyId, Plaintext: []byte("x")})
	wantError(t, err, "AccessDeniedException", denied(carolARN, "Encrypt", *plain.Arn, noIdentityPolicy("Encrypt")))

	// kms:RequestAlias: only when the request names the key by that alias.
	must[*kms.CreateAliasOutput](t)(owner.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/carol-app"), TargetKeyId: tagged.KeyId}))
	must[*kms.DecryptOutput](t)(carol.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob, KeyId: aws.String("alias/carol-app")}))
	_, err = carol.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob, KeyId: tagged.KeyId})
	wantError(t, err, "AccessDeniedException", denied(carolARN, "Decrypt", *tagged.Arn, noIdentityPolicy("Decrypt")))

	// kms:ResourceAliases: any alias of the key, however it is named.
	_, err = carol.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: plain.KeyId})
	wantError(t, err, "AccessDeniedException", denied(carolARN, "DescribeKey", *plain.Arn, noIdentityPolicy("DescribeKey")))
	must[*kms.CreateAliasOutput](t)(owner.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/app-plain"), TargetKeyId: plain.KeyId}))
	must[*kms.DescribeKeyOutput](t)(carol.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: plain.KeyId}))

	// aws:TagKeys and aws:RequestTag on TagResource.
	must[*kms.TagResourceOutput](t)(carol.TagResource(ctx, &kms.TagResourceInput{KeyId: plain.KeyId,
		Tags: []types.Tag{{TagKey: aws.String("team"), TagValue: aws.String("blue")}}}))
	for _, tags := range [][]types.Tag{
		{{TagKey: aws.String("owner"), TagValue: aws.String("carol")}},
		{{TagKey: aws.String("team"), TagValue: aws.String("red")}},
	} {
		_, err = carol.TagResource(ctx, &kms.TagResourceInput{KeyId: plain.KeyId, Tags: tags})
		wantError(t, err, "AccessDeniedException", denied(carolARN, "TagResource", *plain.Arn, noIdentityPolicy("TagResource")))
	}
	// The tag carol was allowed to add now lets her encrypt under the key.
	encryptUnder(t, carol, *plain.KeyId, []byte("c"), nil)
}

func TestConditionsOnTheRequest(t *testing.T) {
	t.Parallel()
	tn := startAccessNode(t, principals{"AKIACAROL": iamUser(testAccount, "carol")})
	owner, carol := tn.as(testAccount), tn.as("AKIACAROL")
	// testEpoch is 2026-11-25T12:00:00Z on the node's manual clock.
	key := createSymmetricKey(t, owner, &kms.CreateKeyInput{Policy: aws.String(keyPolicy(
		carolMay("kms:Encrypt", `{"IpAddress":{"aws:SourceIp":["127.0.0.0/8","::1/128"]},"DateLessThan":{"aws:CurrentTime":"2026-11-26T00:00:00Z"}}`),
		carolMay("kms:Decrypt", `{"Bool":{"aws:SecureTransport":"true"}}`),
		carolMay("kms:DescribeKey", `{"NotIpAddress":{"aws:SourceIp":"127.0.0.0/8"}}`),
	))})
	blob := encryptUnder(t, carol, *key.KeyId, []byte("c"), nil)
	// The test server speaks plain HTTP, so the Decrypt statement does not
	// apply; and the request comes from loopback.
	_, err := carol.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob})
	wantError(t, err, "AccessDeniedException", denied(carolARN, "Decrypt", *key.Arn, noIdentityPolicy("Decrypt")))
	_, err = carol.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: key.KeyId})
	wantError(t, err, "AccessDeniedException", denied(carolARN, "DescribeKey", *key.Arn, noIdentityPolicy("DescribeKey")))
	// aws:CurrentTime reads the node's clock.
	tn.clock.Advance(13 * 60 * 60 * 1e9)
	_, err = carol.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyId, Plaintext: []byte("x")})
	wantError(t, err, "AccessDeniedException", denied(carolARN, "Encrypt", *key.Arn, noIdentityPolicy("Encrypt")))
}
