package identity

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseDocumentRefusals(t *testing.T) {
	for name, tc := range map[string]struct{ file, want string }{
		"newer format":   {`{"format":2,"accounts":[],"future":true}`, "format 2; this trent reads format 1"},
		"no format":      {`{"accounts":[]}`, `no "format"`},
		"unknown member": {`{"format":1,"acounts":[]}`, `unknown field "acounts"`},
		"bad account":    {`{"format":1,"accounts":[{"id":"12345"}]}`, "12 digits"},
		"twice":          {`{"format":1,"accounts":[{"id":"111122223333"},{"id":"111122223333"}]}`, "appears twice"},
		"bad user name": {`{"format":1,"accounts":[{"id":"111122223333","users":[{"name":"a b","id":"AIDAAAAAAAAAAAAAAAAAA"}]}]}`,
			"user name \"a b\" is not valid"},
		"users same ignoring case": {`{"format":1,"accounts":[{"id":"111122223333","users":[` +
			`{"name":"Bob","id":"AIDAAAAAAAAAAAAAAAAAA"},{"name":"bob","id":"AIDABBBBBBBBBBBBBBBBB"}]}]}`, "unique ignoring case"},
		"key of missing user": {`{"format":1,"accounts":[{"id":"111122223333","accessKeys":[{"id":"AKIAAAAAAAAAAAAAAAAA","user":"ghost","sealedSecret":"AA=="}]}]}`,
			"user ghost, which does not exist"},
		"policy with principal": {`{"format":1,"accounts":[{"id":"111122223333","roles":[{"name":"R","id":"AROAAAAAAAAAAAAAAAAAA","policies":[` +
			`{"name":"p","document":"{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:*\",\"Resource\":\"*\"}}"}]}]}]}`,
			"should not specify a principal"},
		"trailing data": {`{"format":1,"accounts":[]} {}`, "not valid JSON"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseDocument([]byte(tc.file))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

func TestCheckIdentityPolicy(t *testing.T) {
	for doc, want := range map[string]string{
		readOnlyPolicy: "",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*"}]}`:                                "must contain resources",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}`:                                  "must contain actions",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"kms:*","Resource":"*"}]}`:                 "invalid Effect",
		`{"Version":"2013-01-01","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}`:                 "must be version",
		`{"Version":"2012-10-17","Statement":[]}`:                                                                   "at least one statement",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}],"Extra":1}`:       "Unsupported element",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*","Effect":"Deny"}]}`: "Syntax errors",
	} {
		err := CheckIdentityPolicy(doc)
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: %v", doc, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%s: error %v, want %q", doc, err, want)
		}
	}
}

func TestAccessKeyQuotaAndSessions(t *testing.T) {
	k := testKeyring(t, 1)
	iss := Issuer{Sealer: k, Now: testNow}
	d := &Document{Format: FormatVersion}
	a, err := d.AddAccount("", "", nil)
	if err != nil || !IsAccountID(a.ID) {
		t.Fatalf("generated account %q: %v", a.ID, err)
	}
	for range 2 {
		if _, err := d.CreateAccessKey(a, "", iss); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.CreateAccessKey(a, "", iss); !errors.Is(err, ErrLimitExceeded) {
		t.Fatalf("third root key: %v", err)
	}
	if _, err := a.AddRole("R", iss); err != nil {
		t.Fatal(err)
	}
	for _, dur := range []time.Duration{14 * time.Minute, 13 * time.Hour} {
		if _, err := d.AssumeRole(a, "R", "s1", dur, iss); err == nil {
			t.Errorf("duration %v accepted", dur)
		}
	}
	if _, err := d.AssumeRole(a, "R", "x", time.Hour, iss); err == nil {
		t.Error("a one-character session name was accepted (STS wants 2 to 64)")
	}
	old, err := d.AssumeRole(a, "R", "old", 15*time.Minute, iss)
	if err != nil {
		t.Fatal(err)
	}
	later := iss
	later.Now = testNow.Add(20 * time.Minute)
	if _, err := d.AssumeRole(a, "R", "new", time.Hour, later); err != nil {
		t.Fatal(err)
	}
	if len(a.Sessions) != 1 || d.hasKeyID(old.AccessKeyID) {
		t.Fatalf("the expired session was not removed: %d sessions", len(a.Sessions))
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := d.DeleteAccessKey(old.AccessKeyID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleting a removed key: %v", err)
	}
}
