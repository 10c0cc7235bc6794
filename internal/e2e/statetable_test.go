package e2e

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// The key-state × operation table (spec digest §3, AWS "Key states of AWS
// KMS keys"), cell by cell, for the states a key can reach today. Each cell
// gets a fresh key, so a call that succeeds cannot disturb another cell.

// stateFixture is one cell's key and the things its operations need.
type stateFixture struct {
	c      *kms.Client
	key    *types.KeyMetadata // in the state under test
	helper *types.KeyMetadata // Enabled, same type: the other side of ReEncrypt and UpdateAlias
	// blob is a ciphertext of key, made while it was enabled (for a key
	// that never was, see pendingImportBlob); helperBlob one of helper.
	blob, helperBlob []byte
	// ownAlias points at key, movingAlias at helper; newAlias is free.
	ownAlias, movingAlias, newAlias string
}

// stateOps calls each operation of the table on the fixture's key.
var stateOps = []struct {
	name string
	call func(f *stateFixture) error
}{
	{"Encrypt", func(f *stateFixture) error {
		return errOf(f.c.Encrypt(ctx, &kms.EncryptInput{KeyId: f.key.KeyId, Plaintext: []byte("p")}))
	}},
	{"Decrypt", func(f *stateFixture) error { return errOf(f.c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: f.blob})) }},
	{"ReEncrypt from", func(f *stateFixture) error {
		return errOf(f.c.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: f.blob, DestinationKeyId: f.helper.KeyId}))
	}},
	{"ReEncrypt to", func(f *stateFixture) error {
		return errOf(f.c.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: f.helperBlob, DestinationKeyId: f.key.KeyId}))
	}},
	{"GenerateDataKey", func(f *stateFixture) error {
		return errOf(f.c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: f.key.KeyId, KeySpec: types.DataKeySpecAes256}))
	}},
	{"GenerateDataKeyWithoutPlaintext", func(f *stateFixture) error {
		return errOf(f.c.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: f.key.KeyId, NumberOfBytes: aws.Int32(16)}))
	}},
	{"EnableKey", func(f *stateFixture) error { return errOf(f.c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: f.key.KeyId})) }},
	{"DisableKey", func(f *stateFixture) error {
		return errOf(f.c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: f.key.KeyId}))
	}},
	{"EnableKeyRotation", func(f *stateFixture) error {
		return errOf(f.c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: f.key.KeyId, RotationPeriodInDays: aws.Int32(90)}))
	}},
	{"DisableKeyRotation", func(f *stateFixture) error {
		return errOf(f.c.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: f.key.KeyId}))
	}},
	{"GetKeyRotationStatus", func(f *stateFixture) error {
		return errOf(f.c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: f.key.KeyId}))
	}},
	{"RotateKeyOnDemand", func(f *stateFixture) error {
		return errOf(f.c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: f.key.KeyId}))
	}},
	{"ScheduleKeyDeletion", func(f *stateFixture) error {
		return errOf(f.c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: f.key.KeyId, PendingWindowInDays: aws.Int32(7)}))
	}},
	{"CancelKeyDeletion", func(f *stateFixture) error {
		return errOf(f.c.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: f.key.KeyId}))
	}},
	{"CreateAlias", func(f *stateFixture) error {
		return errOf(f.c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(f.newAlias), TargetKeyId: f.key.KeyId}))
	}},
	{"UpdateAlias", func(f *stateFixture) error {
		return errOf(f.c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String(f.movingAlias), TargetKeyId: f.key.KeyId}))
	}},
	{"TagResource", func(f *stateFixture) error {
		return errOf(f.c.TagResource(ctx, &kms.TagResourceInput{KeyId: f.key.KeyId, Tags: []types.Tag{{TagKey: aws.String("new"), TagValue: aws.String("v")}}}))
	}},
	{"UntagResource", func(f *stateFixture) error {
		return errOf(f.c.UntagResource(ctx, &kms.UntagResourceInput{KeyId: f.key.KeyId, TagKeys: []string{"owner"}}))
	}},
	{"UpdateKeyDescription", func(f *stateFixture) error {
		return errOf(f.c.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: f.key.KeyId, Description: aws.String("changed")}))
	}},
	{"DescribeKey", func(f *stateFixture) error {
		return errOf(f.c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: f.key.KeyId}))
	}},
	{"GetKeyPolicy", func(f *stateFixture) error {
		return errOf(f.c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: f.key.KeyId}))
	}},
	{"PutKeyPolicy", func(f *stateFixture) error {
		return errOf(f.c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: f.key.KeyId, Policy: aws.String(stateTablePolicy)}))
	}},
	{"ListKeyPolicies", func(f *stateFixture) error {
		return errOf(f.c.ListKeyPolicies(ctx, &kms.ListKeyPoliciesInput{KeyId: f.key.KeyId}))
	}},
	{"ListAliases", func(f *stateFixture) error {
		return errOf(f.c.ListAliases(ctx, &kms.ListAliasesInput{KeyId: f.key.KeyId}))
	}},
	{"ListResourceTags", func(f *stateFixture) error {
		return errOf(f.c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: f.key.KeyId}))
	}},
	{"DeleteAlias", func(f *stateFixture) error {
		return errOf(f.c.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String(f.ownAlias)}))
	}},
	{"ListKeyRotations", func(f *stateFixture) error {
		return errOf(f.c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: f.key.KeyId}))
	}},
	{"GetKeyLastUsage", func(f *stateFixture) error {
		return errOf(f.c.GetKeyLastUsage(ctx, &kms.GetKeyLastUsageInput{KeyId: f.key.KeyId}))
	}},
}

func errOf(_ any, err error) error { return err }

const stateTablePolicy = `{"Version":"2012-10-17","Id":"state-table","Statement":[{"Sid":"Owner","Effect":"Allow",` +
	`"Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`

// Outcomes of a cell. The messages are AWS's (footnotes 1, 3, 4, 5, 6).
const (
	cellOK                 = ""
	cellDisabled           = "DisabledException|is disabled."
	cellPendingDeletion    = "KMSInvalidStateException|is pending deletion."
	cellPendingImport      = "KMSInvalidStateException|is pending import."
	cellNotPendingDeletion = "KMSInvalidStateException|is not pending deletion."
	cellExternal           = "UnsupportedOperationException|origin is EXTERNAL which is not valid for this operation."
)

var tableStates = []types.KeyState{types.KeyStateEnabled, types.KeyStateDisabled, types.KeyStatePendingDeletion, types.KeyStatePendingImport}

// stateTable gives, per operation, the outcome in each of tableStates. The
// PendingImport key has origin EXTERNAL, so the rotation operations refuse
// it for its origin, which AWS checks before the state.
var stateTable = map[string][4]string{
	"Encrypt":                         {cellOK, cellDisabled, cellPendingDeletion, cellPendingImport},
	"Decrypt":                         {cellOK, cellDisabled, cellPendingDeletion, cellPendingImport},
	"ReEncrypt from":                  {cellOK, cellDisabled, cellPendingDeletion, cellPendingImport},
	"ReEncrypt to":                    {cellOK, cellDisabled, cellPendingDeletion, cellPendingImport},
	"GenerateDataKey":                 {cellOK, cellDisabled, cellPendingDeletion, cellPendingImport},
	"GenerateDataKeyWithoutPlaintext": {cellOK, cellDisabled, cellPendingDeletion, cellPendingImport},
	"EnableKey":                       {cellOK, cellOK, cellPendingDeletion, cellPendingImport},
	"DisableKey":                      {cellOK, cellOK, cellPendingDeletion, cellPendingImport},
	"EnableKeyRotation":               {cellOK, cellDisabled, cellPendingDeletion, cellExternal},
	"DisableKeyRotation":              {cellOK, cellDisabled, cellPendingDeletion, cellExternal},
	"GetKeyRotationStatus":            {cellOK, cellOK, cellOK, cellExternal},
	"RotateKeyOnDemand":               {cellOK, cellDisabled, cellPendingDeletion, cellExternal},
	"ScheduleKeyDeletion":             {cellOK, cellOK, cellPendingDeletion, cellOK},
	"CancelKeyDeletion":               {cellNotPendingDeletion, cellNotPendingDeletion, cellOK, cellNotPendingDeletion},
	"CreateAlias":                     {cellOK, cellOK, cellPendingDeletion, cellOK},
	"UpdateAlias":                     {cellOK, cellOK, cellPendingDeletion, cellOK}, // the key is the new target (footnote 10)
	"TagResource":                     {cellOK, cellOK, cellPendingDeletion, cellOK},
	"UntagResource":                   {cellOK, cellOK, cellPendingDeletion, cellOK},
	"UpdateKeyDescription":            {cellOK, cellOK, cellPendingDeletion, cellOK},
	"DescribeKey":                     {cellOK, cellOK, cellOK, cellOK},
	"GetKeyPolicy":                    {cellOK, cellOK, cellOK, cellOK},
	"PutKeyPolicy":                    {cellOK, cellOK, cellOK, cellOK},
	"ListKeyPolicies":                 {cellOK, cellOK, cellOK, cellOK},
	"ListAliases":                     {cellOK, cellOK, cellOK, cellOK},
	"ListResourceTags":                {cellOK, cellOK, cellOK, cellOK},
	"DeleteAlias":                     {cellOK, cellOK, cellOK, cellOK},
	"ListKeyRotations":                {cellOK, cellOK, cellOK, cellOK},
	"GetKeyLastUsage":                 {cellOK, cellOK, cellOK, cellOK},
}

func TestKeyStateTable(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	if len(stateTable) != len(stateOps) {
		t.Fatalf("%d table rows for %d operations", len(stateTable), len(stateOps))
	}
	for si, state := range tableStates {
		for oi, op := range stateOps {
			want, ok := stateTable[op.name]
			if !ok {
				t.Fatalf("no table row for %s", op.name)
			}
			t.Run(string(state)+"/"+op.name, func(t *testing.T) {
				t.Parallel()
				f := newStateFixture(t, c, state, fmt.Sprintf("alias/st-%d-%d", si, oi))
				before := keySnapshot(t, f)
				err := op.call(f)
				if want[si] == cellOK {
					if err != nil {
						t.Fatalf("want success, got %v", err)
					}
					return
				}
				code, msg, _ := strings.Cut(want[si], "|")
				wantError(t, err, code, *f.key.Arn+" "+msg)
				if after := keySnapshot(t, f); after != before {
					t.Errorf("refused call changed the key:\n%s\n->\n%s", before, after)
				}
			})
		}
	}
}

// newStateFixture creates a key with an alias, a tag and a ciphertext, and
// then puts it in state, plus an Enabled helper key.
func newStateFixture(t *testing.T, c *kms.Client, state types.KeyState, aliasPrefix string) *stateFixture {
	t.Helper()
	// A helper per cell: a key may have only 50 aliases.
	helper := createSymmetricKey(t, c, nil)
	helperBlob := encryptUnder(t, c, *helper.KeyId, []byte("helper"), nil)
	in := &kms.CreateKeyInput{Tags: []types.Tag{{TagKey: aws.String("owner"), TagValue: aws.String("team")}}}
	if state == types.KeyStatePendingImport {
		in.Origin = types.OriginTypeExternal
	}
	f := &stateFixture{c: c, key: createSymmetricKey(t, c, in), helper: helper, helperBlob: helperBlob,
		ownAlias: aliasPrefix + "-own", movingAlias: aliasPrefix + "-moving", newAlias: aliasPrefix + "-new"}
	must[*kms.CreateAliasOutput](t)(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(f.ownAlias), TargetKeyId: f.key.KeyId}))
	must[*kms.CreateAliasOutput](t)(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(f.movingAlias), TargetKeyId: helper.KeyId}))
	switch state {
	case types.KeyStatePendingImport:
		f.blob = pendingImportBlob(t, helperBlob, *f.key.KeyId)
	default:
		f.blob = encryptUnder(t, c, *f.key.KeyId, []byte("made while enabled"), nil)
	}
	switch state {
	case types.KeyStateDisabled:
		must[*kms.DisableKeyOutput](t)(c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: f.key.KeyId}))
	case types.KeyStatePendingDeletion:
		must[*kms.ScheduleKeyDeletionOutput](t)(c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: f.key.KeyId}))
	}
	if got := describeKeyMetadata(t, c, *f.key.KeyId).KeyState; got != state {
		t.Fatalf("fixture key is %s, want %s", got, state)
	}
	return f
}

// pendingImportBlob returns a ciphertext that names keyID. A key waiting for
// its first import has never encrypted anything, so the blob is another
// key's with the key ID in its header replaced (layout in
// docs/ciphertext-format.md: kind byte at 1, key ID bytes at 2..17). It is
// well-formed up to the state check and would never decrypt.
func pendingImportBlob(t *testing.T, blob []byte, keyID string) []byte {
	t.Helper()
	id, err := hex.DecodeString(strings.ReplaceAll(keyID, "-", ""))
	if err != nil || len(id) != 16 {
		t.Fatalf("key ID %q: %v", keyID, err)
	}
	b := bytes.Clone(blob)
	b[1] = 0x01
	copy(b[2:18], id)
	return b
}

// keySnapshot is everything a refused call must leave alone: the key's
// metadata, tags, aliases and policy.
func keySnapshot(t *testing.T, f *stateFixture) string {
	t.Helper()
	md := describeKeyMetadata(t, f.c, *f.key.KeyId)
	tags := must[*kms.ListResourceTagsOutput](t)(f.c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: f.key.KeyId})).Tags
	pol := must[*kms.GetKeyPolicyOutput](t)(f.c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: f.key.KeyId})).Policy
	// Where each of the cell's aliases points (ListAliases pages hold 50,
	// and the node has hundreds).
	aliases := map[string]string{}
	for _, name := range []string{f.ownAlias, f.movingAlias, f.newAlias} {
		out, err := f.c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(name)})
		if err != nil {
			aliases[name] = apiError(t, err, "NotFoundException").ErrorCode()
		} else {
			aliases[name] = *out.KeyMetadata.KeyId
		}
	}
	b, err := json.Marshal([]any{md, tags, aliases, pol})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// UpdateAlias away from a key pending deletion succeeds (footnote 10: only
// the new target's state matters).
func TestUpdateAliasAwayFromPendingDeletion(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	leaving, target := createSymmetricKey(t, c, nil), createSymmetricKey(t, c, nil)
	must[*kms.CreateAliasOutput](t)(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/leaving"), TargetKeyId: leaving.KeyId}))
	must[*kms.ScheduleKeyDeletionOutput](t)(c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: leaving.KeyId}))
	must[*kms.UpdateAliasOutput](t)(c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/leaving"), TargetKeyId: target.KeyId}))
	if md := describeKeyMetadata(t, c, "alias/leaving"); *md.KeyId != *target.KeyId {
		t.Errorf("alias/leaving names %s, want %s", *md.KeyId, *target.KeyId)
	}
}
