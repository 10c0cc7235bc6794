package policy

import "testing"

func TestMentions(t *testing.T) {
	p, err := CompileKeyPolicy(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt",` +
		`"Resource":"*","Condition":{"ForAnyValue:StringLike":{"KMS:ResourceAliases":"alias/app-*"},"StringEquals":{"aws:ResourceTag/Team":"a",` +
		`"kms:EncryptionContext:Dept":"IT"}}}]}`)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{
		"kms:ResourceAliases": true, "kms:resourcealiases": true, "aws:ResourceTag/": true, "aws:resourcetag/team": true,
		"aws:ResourceTag/Other": false, "kms:RequestAlias": false, "aws:RequestTag/": false,
		"kms:EncryptionContext:": true, "kms:encryptioncontext:dept": true, "kms:EncryptionContextKeys": false,
		"kms:EncryptionContext:Other": false, "aws:ResourceTag/Team/": false,
	} {
		if got := p.Mentions(name); got != want {
			t.Errorf("Mentions(%q) = %v, want %v", name, got, want)
		}
	}
	if (*Policy)(nil).Mentions("kms:ResourceAliases") {
		t.Error("a nil policy mentions nothing")
	}
	if CompileIdentity(&Document{}).Mentions("aws:ResourceTag/") {
		t.Error("an empty policy mentions nothing")
	}
}
