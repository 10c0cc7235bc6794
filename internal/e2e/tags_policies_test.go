package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// Tags (TagResource, UntagResource, ListResourceTags) and key policies
// (GetKeyPolicy, PutKeyPolicy, ListKeyPolicies, CreateKey's Policy).

func sdkTags(kv ...string) []types.Tag {
	var tags []types.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		tags = append(tags, types.Tag{TagKey: aws.String(kv[i]), TagValue: aws.String(kv[i+1])})
	}
	return tags
}

// tagList renders every page of ListResourceTags as "k=v,k=v".
func (h sdkHelper) tagList(keyID string, limit int32) string {
	h.t.Helper()
	in := &kms.ListResourceTagsInput{KeyId: &keyID}
	if limit > 0 {
		in.Limit = &limit
	}
	var parts []string
	for page := 0; page < 100; page++ {
		out := must[*kms.ListResourceTagsOutput](h.t)(h.c.ListResourceTags(ctx, in))
		if limit > 0 && len(out.Tags) > int(limit) {
			h.t.Fatalf("page of %d tags, limit %d", len(out.Tags), limit)
		}
		for _, tag := range out.Tags {
			parts = append(parts, aws.ToString(tag.TagKey)+"="+aws.ToString(tag.TagValue))
		}
		if !out.Truncated {
			return strings.Join(parts, ",")
		}
		in.Marker = out.NextMarker
	}
	h.t.Fatal("ListResourceTags never ended")
	return ""
}

func (h sdkHelper) policyOf(keyID string) string {
	h.t.Helper()
	out := must[*kms.GetKeyPolicyOutput](h.t)(h.c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: &keyID}))
	if aws.ToString(out.PolicyName) != "default" {
		h.t.Fatalf("PolicyName %q", aws.ToString(out.PolicyName))
	}
	return aws.ToString(out.Policy)
}

func TestTagResourceAndUntag(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	h := sdkFor(t, c)
	id := *h.newKey().KeyId
	must[*kms.TagResourceOutput](t)(c.TagResource(ctx, &kms.TagResourceInput{KeyId: &id, Tags: sdkTags("b", "1", "a", "2", "empty", "")}))
	if got := h.tagList(id, 0); got != "a=2,b=1,empty=" {
		t.Fatalf("tags %s", got)
	}
	must[*kms.TagResourceOutput](t)(c.TagResource(ctx, &kms.TagResourceInput{KeyId: &id, Tags: sdkTags("b", "3", "c", "4")}))
	if got := h.tagList(id, 0); got != "a=2,b=3,c=4,empty=" {
		t.Fatalf("after overwrite: %s", got)
	}
	must[*kms.UntagResourceOutput](t)(c.UntagResource(ctx, &kms.UntagResourceInput{KeyId: &id, TagKeys: []string{"a", "missing"}}))
	if got := h.tagList(id, 0); got != "b=3,c=4,empty=" {
		t.Fatalf("after untag: %s", got)
	}
	must[*kms.UntagResourceOutput](t)(c.UntagResource(ctx, &kms.UntagResourceInput{KeyId: &id, TagKeys: []string{"b", "c", "empty"}}))
	if got := h.tagList(id, 0); got != "" {
		t.Fatalf("after removing all: %s", got)
	}
}

func TestListResourceTagsPaging(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	h := sdkFor(t, c)
	id := *h.newKey().KeyId
	var kv, want []string
	for i := 6; i >= 0; i-- {
		kv = append(kv, fmt.Sprintf("k%d", i), fmt.Sprint(i))
		want = append([]string{fmt.Sprintf("k%d=%d", i, i)}, want...)
	}
	must[*kms.TagResourceOutput](t)(c.TagResource(ctx, &kms.TagResourceInput{KeyId: &id, Tags: sdkTags(kv...)}))
	for _, limit := range []int32{1, 3, 7, 50} {
		if got := h.tagList(id, limit); got != strings.Join(want, ",") {
			t.Fatalf("limit %d: %s", limit, got)
		}
	}
	_, err := c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: &id, Limit: aws.Int32(51)})
	wantError(t, err, "ValidationException", "1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50")
	_, err = c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: &id, Marker: aws.String("bogus")})
	apiError(t, err, "InvalidMarkerException")
}

func TestTagErrors(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	h := sdkFor(t, c)
	id := *h.newKey().KeyId
	var existing []string
	for i := range 48 {
		existing = append(existing, fmt.Sprintf("t%02d", i), "v")
	}
	must[*kms.TagResourceOutput](t)(c.TagResource(ctx, &kms.TagResourceInput{KeyId: &id, Tags: sdkTags(existing...)}))
	before := h.tagList(id, 0)

	longKey, longValue := strings.Repeat("k", 129), strings.Repeat("v", 257)
	cases := []struct {
		tags          []types.Tag
		code, message string
	}{
		{sdkTags("new", "x", "aws:owner", "x"), "TagException", "Tags beginning with aws: are reserved"},
		{sdkTags("AWS:owner", "x"), "TagException", "Tags beginning with aws: are reserved"},
		{sdkTags("Aws:owner", "x"), "TagException", "Tags beginning with aws: are reserved"},
		{sdkTags("t00", "changed", "dup", "1", "dup", "2"), "TagException", "Duplicate tag keys"},
		// 48 existing + 3 new is over 50; overwrites do not count.
		{sdkTags("t00", "changed", "n1", "x", "n2", "x", "n3", "x"), "TagException", "Too many tags"},
		{sdkTags(longKey, "x"), "ValidationException", "1 validation error detected: Value '" + longKey + "' at 'tags.1.member.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{sdkTags("k", longValue), "ValidationException", "1 validation error detected: Value '" + longValue + "' at 'tags.1.member.tagValue' failed to satisfy constraint: Member must have length less than or equal to 256"},
	}
	for _, tc := range cases {
		_, err := c.TagResource(ctx, &kms.TagResourceInput{KeyId: &id, Tags: tc.tags})
		wantError(t, err, tc.code, tc.message)
		if got := h.tagList(id, 0); got != before {
			t.Fatalf("failed TagResource changed the tags to %s", got)
		}
	}
	for _, key := range []string{"aws:x", "AwS:x"} {
		_, err := c.UntagResource(ctx, &kms.UntagResourceInput{KeyId: &id, TagKeys: []string{"t00", key}})
		wantError(t, err, "TagException", "Tags beginning with aws: are reserved")
	}
	if got := h.tagList(id, 0); got != before {
		t.Fatalf("failed UntagResource changed the tags to %s", got)
	}
	// Exactly 50, counting the existing ones, is allowed.
	must[*kms.TagResourceOutput](t)(c.TagResource(ctx, &kms.TagResourceInput{KeyId: &id, Tags: sdkTags("n1", "x", "n2", "x")}))
	if got := h.tagList(id, 0); strings.Count(got, "=") != 50 {
		t.Fatalf("%d tags", strings.Count(got, "="))
	}
}

// A key pending deletion cannot be tagged or untagged, but lists its tags.
func TestTagsOfKeyPendingDeletion(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	h := sdkFor(t, c)
	md := must[*kms.CreateKeyOutput](t)(c.CreateKey(ctx, &kms.CreateKeyInput{Tags: sdkTags("team", "a")})).KeyMetadata
	must[*kms.ScheduleKeyDeletionOutput](t)(c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId}))
	_, err := c.TagResource(ctx, &kms.TagResourceInput{KeyId: md.KeyId, Tags: sdkTags("team", "b")})
	wantError(t, err, "KMSInvalidStateException", *md.Arn+" is pending deletion.")
	_, err = c.UntagResource(ctx, &kms.UntagResourceInput{KeyId: md.Arn, TagKeys: []string{"team"}})
	wantError(t, err, "KMSInvalidStateException", *md.Arn+" is pending deletion.")
	if got := h.tagList(*md.KeyId, 0); got != "team=a" {
		t.Fatalf("tags %s", got)
	}
}

func TestDefaultKeyPolicy(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	// The default key policy exactly as AWS returns it (API Reference,
	// GetKeyPolicy example), with the key's account.
	want := func(account string) string {
		return "{\n  \"Version\" : \"2012-10-17\",\n  \"Id\" : \"key-default-1\",\n  \"Statement\" : [ {\n    \"Sid\" : \"Enable IAM User Permissions\",\n    \"Effect\" : \"Allow\",\n    \"Principal\" : {\n      \"AWS\" : \"arn:aws:iam::" +
			account + ":root\"\n    },\n    \"Action\" : \"kms:*\",\n    \"Resource\" : \"*\"\n  } ]\n}"
	}
	for _, account := range []string{testAccount, "444455556666"} {
		c := tn.client(testRegion, account) // a 12-digit access key is the account
		h := sdkFor(t, c)
		id := *h.newKey().KeyId
		if got := h.policyOf(id); got != want(account) {
			t.Fatalf("default policy of %s:\n%s\nwant:\n%s", account, got, want(account))
		}
		out := must[*kms.GetKeyPolicyOutput](t)(c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: &id, PolicyName: aws.String("default")}))
		if aws.ToString(out.Policy) != want(account) {
			t.Fatal("explicit PolicyName default returned another policy")
		}
		_, err := c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: &id, PolicyName: aws.String("other")})
		if ae := apiError(t, err, "NotFoundException"); ae.ErrorMessage() == "" {
			t.Fatal("NotFoundException without a message")
		}
		names := must[*kms.ListKeyPoliciesOutput](t)(c.ListKeyPolicies(ctx, &kms.ListKeyPoliciesInput{KeyId: &id}))
		if strings.Join(names.PolicyNames, ",") != "default" || names.Truncated || names.NextMarker != nil {
			t.Fatalf("ListKeyPolicies %+v", names)
		}
	}
}

// A policy document with unusual but legal layout: tabs, CRLF, extra
// spaces, a trailing newline. It must come back byte for byte.
const oddLayoutPolicy = "{\r\n\t\"Version\":   \"2012-10-17\" ,\n  \"Statement\" : [\n\t{ \"Sid\":\"Root\",  \"Effect\":\"Allow\",\n" +
	"\t  \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"},\t\"Action\":\"kms:*\",\"Resource\":\"*\" } ]\r\n}\n"

func TestPutKeyPolicy(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	h := sdkFor(t, c)
	id := *h.newKey().KeyId
	must[*kms.PutKeyPolicyOutput](t)(c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: &id, Policy: aws.String(oddLayoutPolicy)}))
	if got := h.policyOf(id); got != oddLayoutPolicy {
		t.Fatalf("stored policy %q, want %q", got, oddLayoutPolicy)
	}

	stmt := func(body string) string {
		return `{"Version":"2012-10-17","Statement":[{` + body + `}]}`
	}
	malformed := []string{
		"this is not JSON",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow"`,
		stmt(`"Effect":"Allow","Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"`),
		stmt(`"Effect":"Allow","Action":"kms:*","Resource":"*"`),
	}
	for _, doc := range malformed {
		_, err := c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: &id, Policy: aws.String(doc)})
		if ae := apiError(t, err, "MalformedPolicyDocumentException"); ae.ErrorMessage() == "" {
			t.Fatalf("%q refused without a message", doc)
		}
	}

	// Over 32768 characters (valid JSON padded with spaces).
	long := oddLayoutPolicy[:len(oddLayoutPolicy)-2] + strings.Repeat(" ", 32769-len(oddLayoutPolicy)+2) + "}\n"
	_, err := c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: &id, Policy: aws.String(long)})
	if ae := apiError(t, err, "LimitExceededException"); ae.ErrorMessage() == "" {
		t.Fatal("LimitExceededException without a message")
	}

	// U+0100 is outside the model's PolicyType pattern.
	outside := strings.Replace(oddLayoutPolicy, `"Root"`, `"Rootā"`, 1)
	_, err = c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: &id, Policy: aws.String(outside)})
	wantError(t, err, "ValidationException", `1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`)

	_, err = c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: &id, PolicyName: aws.String("other"), Policy: aws.String(oddLayoutPolicy)})
	apiError(t, err, "NotFoundException")

	if got := h.policyOf(id); got != oddLayoutPolicy {
		t.Fatalf("a refused PutKeyPolicy changed the policy to %q", got)
	}
}

func TestCreateKeyPolicyVerbatim(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	h := sdkFor(t, c)
	md := must[*kms.CreateKeyOutput](t)(c.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(oddLayoutPolicy)})).KeyMetadata
	if got := h.policyOf(*md.KeyId); got != oddLayoutPolicy {
		t.Fatalf("CreateKey stored %q, want %q", got, oddLayoutPolicy)
	}
	_, err := c.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(`{"Statement":[{"Effect":"Allow"}]`)})
	apiError(t, err, "MalformedPolicyDocumentException")
	if ids := h.keyIDs(); len(ids) != 1 {
		t.Fatalf("a refused CreateKey created a key: %v", ids)
	}
}
