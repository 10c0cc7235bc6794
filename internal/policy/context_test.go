package policy

import (
	"reflect"
	"testing"
)

func TestContextKeysAreCaseInsensitive(t *testing.T) {
	c := &Context{}
	c.Set("aws:ResourceTag/Owner", "richard-roe")
	for _, k := range []string{"aws:ResourceTag/Owner", "AWS:RESOURCETAG/OWNER", "aws:resourcetag/owner"} {
		v, ok := c.Get(k)
		if !ok || !reflect.DeepEqual(v, []string{"richard-roe"}) {
			t.Errorf("Get(%q) = %v, %v", k, v, ok)
		}
	}
	// Values keep their case.
	c.Set("AWS:resourceTag/owner", "Richard")
	if v, _ := c.Get("aws:ResourceTag/Owner"); !reflect.DeepEqual(v, []string{"Richard"}) {
		t.Errorf("after Set in another case: %v", v)
	}
}

func TestContextSetReplacesAndRemoves(t *testing.T) {
	c := &Context{}
	c.Set("kms:ResourceAliases", "alias/a", "alias/b")
	c.Set("kms:KeySpec", "SYMMETRIC_DEFAULT")
	c.Set("kms:ResourceAliases", "alias/c")
	if v, ok := c.Get("kms:ResourceAliases"); !ok || !reflect.DeepEqual(v, []string{"alias/c"}) {
		t.Errorf("replaced = %v %v", v, ok)
	}
	c.Set("kms:ResourceAliases")
	if v, ok := c.Get("kms:ResourceAliases"); ok || v != nil {
		t.Errorf("removed = %v %v", v, ok)
	}
	if _, ok := c.Get("kms:KeySpec"); !ok {
		t.Error("removing one key removed another")
	}
	// Set copies: the caller's slice may change afterwards.
	vals := []string{"x"}
	c.Set("k:v", vals...)
	vals[0] = "y"
	if v, _ := c.Get("k:v"); v[0] != "x" {
		t.Errorf("Set kept the caller's slice: %v", v)
	}
	var nilCtx *Context
	if _, ok := nilCtx.Get("k:v"); ok {
		t.Error("nil Context has a key")
	}
}

func TestSetEncryptionContextMergesKeysThatDifferInCase(t *testing.T) {
	c := &Context{}
	c.SetEncryptionContext(map[string]string{"Dept": "IT", "dept": "HR", "Project": "Alpha"})
	keys, _ := c.Get("kms:EncryptionContextKeys")
	if !reflect.DeepEqual(keys, []string{"Dept", "Project", "dept"}) {
		t.Errorf("EncryptionContextKeys = %v", keys)
	}
	v, _ := c.Get("kms:EncryptionContext:DEPT")
	if !reflect.DeepEqual(v, []string{"IT", "HR"}) {
		t.Errorf("kms:EncryptionContext:dept = %v", v)
	}
	// A later, smaller encryption context replaces the earlier one.
	c.SetEncryptionContext(map[string]string{"Project": "Beta"})
	if v, _ := c.Get("kms:EncryptionContext:Project"); !reflect.DeepEqual(v, []string{"Beta"}) {
		t.Errorf("after reset: %v", v)
	}
	if _, ok := c.Get("kms:EncryptionContext:Dept"); ok {
		t.Error("a pair of the earlier encryption context survived")
	}
	c.SetEncryptionContext(nil)
	if _, ok := c.Get("kms:EncryptionContextKeys"); ok {
		t.Error("an empty encryption context left kms:EncryptionContextKeys present")
	}
}

func TestSetPrincipal(t *testing.T) {
	c := &Context{}
	c.SetPrincipal(sessionSubject("111122223333", "Admin", "s"))
	for k, want := range map[string]string{
		"aws:PrincipalArn":     "arn:aws:iam::111122223333:role/Admin",
		"aws:PrincipalAccount": "111122223333",
		"kms:CallerAccount":    "111122223333",
	} {
		if v, _ := c.Get(k); !reflect.DeepEqual(v, []string{want}) {
			t.Errorf("%s = %v, want %s", k, v, want)
		}
	}
}
