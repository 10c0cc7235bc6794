package e2e

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/trent-kms/trent/internal/awsjson"
	"github.com/trent-kms/trent/internal/keys"
)

// The key-state × operation table (spec digest §3, AWS "Key states of AWS
// KMS keys"), cell by cell, for every operation the wire serves and every
// state a key can reach today. Which cells refuse, and with which footnote,
// is the state table's (keys.CheckState; its own test holds it to the spec
// cell by cell); the error each footnote gives on the wire is written out
// here. Each cell gets a fresh key, so a call that succeeds cannot disturb
// another cell.

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
	// For keys of other types, made while the key was enabled (dummy
	// bytes for a key that never was): a signature or MAC of stateMessage,
	// an ML-KEM ciphertext; and a peer public key on P-256.
	signature, mac, kemCiphertext, peerKey []byte
	// For an EXTERNAL key: its material, and a fresh import token with the
	// material wrapped for it (taken before the key left Enabled).
	material, importToken, wrappedMaterial []byte
	// A grant on key, made while the key allowed CreateGrant (grantedKey).
	grantID, grantToken *string
}

// stateMessage is what the fixture signs and MACs.
var stateMessage = []byte("state table")

// keyShape is the spec and usage of the key an operation needs; the zero
// shape is a symmetric encryption key.
type keyShape struct {
	spec     types.KeySpec
	usage    types.KeyUsageType
	external bool
	granted  bool
}

var (
	signingKey   = keyShape{spec: types.KeySpecEccNistP256, usage: types.KeyUsageTypeSignVerify}
	macKey       = keyShape{spec: types.KeySpecHmac256, usage: types.KeyUsageTypeGenerateVerifyMac}
	agreementKey = keyShape{spec: types.KeySpecEccNistP256, usage: types.KeyUsageTypeKeyAgreement}
	kemKey       = keyShape{spec: types.KeySpecMlKem768, usage: types.KeyUsageTypeEncapsulateDecapsulate}
	importedKey  = keyShape{external: true}
	grantedKey   = keyShape{granted: true}
)

// stateCall is one way to call an operation on the fixture's key. side
// tells the calls of one operation apart when the key under test can be
// on either side (ReEncrypt's source and destination).
type stateCall struct {
	side string
	call func(f *stateFixture) error
}

// stateShapes are the keys the operations on keys of other types need;
// the others take a symmetric encryption key.
var stateShapes = map[keys.Operation]keyShape{
	keys.OpGetPublicKey: signingKey, keys.OpSign: signingKey, keys.OpVerify: signingKey,
	keys.OpGenerateMac: macKey, keys.OpVerifyMac: macKey,
	keys.OpDeriveSharedSecret: agreementKey,
	keys.OpEncapsulate:        kemKey, keys.OpDecapsulate: kemKey,
	keys.OpGetParametersForImport: importedKey, keys.OpImportKeyMaterial: importedKey,
	keys.OpDeleteImportedKeyMaterial: importedKey,
	keys.OpRetireGrant:               grantedKey, keys.OpRevokeGrant: grantedKey,
}

// stateCallers calls every operation of the wire's table that names a key
// on the fixture's key. TestKeyStateTable fails for an operation that has
// no entry here and is not declared keyless in keys.
var stateCallers = map[keys.Operation][]stateCall{
	keys.OpEncrypt: {{"", func(f *stateFixture) error {
		return errOf(f.c.Encrypt(ctx, &kms.EncryptInput{KeyId: f.key.KeyId, Plaintext: []byte("p")}))
	}}},
	keys.OpDecrypt: {{"", func(f *stateFixture) error {
		return errOf(f.c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: f.blob}))
	}}},
	keys.OpReEncrypt: {{"from", func(f *stateFixture) error {
		return errOf(f.c.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: f.blob, DestinationKeyId: f.helper.KeyId}))
	}}, {"to", func(f *stateFixture) error {
		return errOf(f.c.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: f.helperBlob, DestinationKeyId: f.key.KeyId}))
	}}},
	keys.OpGenerateDataKey: {{"", func(f *stateFixture) error {
		return errOf(f.c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: f.key.KeyId, KeySpec: types.DataKeySpecAes256}))
	}}},
	keys.OpGenerateDataKeyWithoutPlaintext: {{"", func(f *stateFixture) error {
		return errOf(f.c.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: f.key.KeyId, NumberOfBytes: aws.Int32(16)}))
	}}},
	keys.OpEnableKey: {{"", func(f *stateFixture) error {
		return errOf(f.c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: f.key.KeyId}))
	}}},
	keys.OpDisableKey: {{"", func(f *stateFixture) error {
		return errOf(f.c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: f.key.KeyId}))
	}}},
	keys.OpEnableKeyRotation: {{"", func(f *stateFixture) error {
		return errOf(f.c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: f.key.KeyId, RotationPeriodInDays: aws.Int32(90)}))
	}}},
	keys.OpDisableKeyRotation: {{"", func(f *stateFixture) error {
		return errOf(f.c.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: f.key.KeyId}))
	}}},
	keys.OpGetKeyRotationStatus: {{"", func(f *stateFixture) error {
		return errOf(f.c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: f.key.KeyId}))
	}}},
	keys.OpRotateKeyOnDemand: {{"", func(f *stateFixture) error {
		return errOf(f.c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: f.key.KeyId}))
	}}},
	keys.OpScheduleKeyDeletion: {{"", func(f *stateFixture) error {
		return errOf(f.c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: f.key.KeyId, PendingWindowInDays: aws.Int32(7)}))
	}}},
	keys.OpCancelKeyDeletion: {{"", func(f *stateFixture) error {
		return errOf(f.c.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: f.key.KeyId}))
	}}},
	keys.OpCreateAlias: {{"", func(f *stateFixture) error {
		return errOf(f.c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(f.newAlias), TargetKeyId: f.key.KeyId}))
	}}},
	// The key is the new target (footnote 10).
	keys.OpUpdateAlias: {{"", func(f *stateFixture) error {
		return errOf(f.c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String(f.movingAlias), TargetKeyId: f.key.KeyId}))
	}}},
	keys.OpTagResource: {{"", func(f *stateFixture) error {
		return errOf(f.c.TagResource(ctx, &kms.TagResourceInput{KeyId: f.key.KeyId, Tags: []types.Tag{{TagKey: aws.String("new"), TagValue: aws.String("v")}}}))
	}}},
	keys.OpUntagResource: {{"", func(f *stateFixture) error {
		return errOf(f.c.UntagResource(ctx, &kms.UntagResourceInput{KeyId: f.key.KeyId, TagKeys: []string{"owner"}}))
	}}},
	keys.OpUpdateKeyDescription: {{"", func(f *stateFixture) error {
		return errOf(f.c.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: f.key.KeyId, Description: aws.String("changed")}))
	}}},
	keys.OpDescribeKey: {{"", func(f *stateFixture) error {
		return errOf(f.c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: f.key.KeyId}))
	}}},
	keys.OpGetKeyPolicy: {{"", func(f *stateFixture) error {
		return errOf(f.c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: f.key.KeyId}))
	}}},
	keys.OpPutKeyPolicy: {{"", func(f *stateFixture) error {
		return errOf(f.c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: f.key.KeyId, Policy: aws.String(stateTablePolicy)}))
	}}},
	keys.OpListKeyPolicies: {{"", func(f *stateFixture) error {
		return errOf(f.c.ListKeyPolicies(ctx, &kms.ListKeyPoliciesInput{KeyId: f.key.KeyId}))
	}}},
	keys.OpListAliases: {{"", func(f *stateFixture) error {
		return errOf(f.c.ListAliases(ctx, &kms.ListAliasesInput{KeyId: f.key.KeyId}))
	}}},
	keys.OpListResourceTags: {{"", func(f *stateFixture) error {
		return errOf(f.c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: f.key.KeyId}))
	}}},
	keys.OpDeleteAlias: {{"", func(f *stateFixture) error {
		return errOf(f.c.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String(f.ownAlias)}))
	}}},
	keys.OpListKeyRotations: {{"", func(f *stateFixture) error {
		return errOf(f.c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: f.key.KeyId}))
	}}},
	keys.OpGetKeyLastUsage: {{"", func(f *stateFixture) error {
		return errOf(f.c.GetKeyLastUsage(ctx, &kms.GetKeyLastUsageInput{KeyId: f.key.KeyId}))
	}}},
	keys.OpGenerateDataKeyPair: {{"", func(f *stateFixture) error {
		return errOf(f.c.GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{KeyId: f.key.KeyId, KeyPairSpec: types.DataKeyPairSpecEccNistP256}))
	}}},
	keys.OpGenerateDataKeyPairWithoutPlaintext: {{"", func(f *stateFixture) error {
		return errOf(f.c.GenerateDataKeyPairWithoutPlaintext(ctx, &kms.GenerateDataKeyPairWithoutPlaintextInput{KeyId: f.key.KeyId, KeyPairSpec: types.DataKeyPairSpecEccNistP256}))
	}}},
	keys.OpGetPublicKey: {{"", func(f *stateFixture) error {
		return errOf(f.c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: f.key.KeyId}))
	}}},
	keys.OpSign: {{"", func(f *stateFixture) error {
		return errOf(f.c.Sign(ctx, &kms.SignInput{KeyId: f.key.KeyId, Message: stateMessage, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256}))
	}}},
	keys.OpVerify: {{"", func(f *stateFixture) error {
		return errOf(f.c.Verify(ctx, &kms.VerifyInput{KeyId: f.key.KeyId, Message: stateMessage, Signature: f.signature, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256}))
	}}},
	keys.OpGenerateMac: {{"", func(f *stateFixture) error {
		return errOf(f.c.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: f.key.KeyId, Message: stateMessage, MacAlgorithm: types.MacAlgorithmSpecHmacSha256}))
	}}},
	keys.OpVerifyMac: {{"", func(f *stateFixture) error {
		return errOf(f.c.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: f.key.KeyId, Message: stateMessage, Mac: f.mac, MacAlgorithm: types.MacAlgorithmSpecHmacSha256}))
	}}},
	keys.OpDeriveSharedSecret: {{"", func(f *stateFixture) error {
		return errOf(f.c.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: f.key.KeyId, KeyAgreementAlgorithm: types.KeyAgreementAlgorithmSpecEcdh, PublicKey: f.peerKey}))
	}}},
	keys.OpEncapsulate: {{"", func(f *stateFixture) error {
		return errOf(f.c.Encapsulate(ctx, &kms.EncapsulateInput{KeyId: f.key.KeyId, EncapsulationAlgorithm: types.EncapsulationAlgorithmSpecMlKem}))
	}}},
	keys.OpGetParametersForImport: {{"", func(f *stateFixture) error {
		return errOf(f.c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: f.key.KeyId,
			WrappingAlgorithm: types.AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: types.WrappingKeySpecRsa2048}))
	}}},
	keys.OpImportKeyMaterial: {{"", func(f *stateFixture) error {
		return errOf(f.c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: f.key.KeyId, ImportToken: f.importToken,
			EncryptedKeyMaterial: f.wrappedMaterial, ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire}))
	}}},
	keys.OpDeleteImportedKeyMaterial: {{"", func(f *stateFixture) error {
		return errOf(f.c.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: f.key.KeyId}))
	}}},
	keys.OpCreateGrant: {{"", func(f *stateFixture) error {
		return errOf(f.c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: f.key.KeyId, GranteePrincipal: aws.String("arn:aws:iam::111122223333:user/st"),
			Operations: []types.GrantOperation{types.GrantOperationEncrypt}}))
	}}},
	keys.OpListGrants: {{"", func(f *stateFixture) error {
		return errOf(f.c.ListGrants(ctx, &kms.ListGrantsInput{KeyId: f.key.KeyId}))
	}}},
	keys.OpRetireGrant: {{"", func(f *stateFixture) error {
		return errOf(f.c.RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: f.grantToken}))
	}}},
	keys.OpRevokeGrant: {{"", func(f *stateFixture) error {
		return errOf(f.c.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: f.key.KeyId, GrantId: f.grantID}))
	}}},
	keys.OpDecapsulate: {{"", func(f *stateFixture) error {
		return errOf(f.c.Decapsulate(ctx, &kms.DecapsulateInput{KeyId: f.key.KeyId, EncapsulationAlgorithm: types.EncapsulationAlgorithmSpecMlKem, SharedSecretCiphertextBlob: f.kemCiphertext}))
	}}},
}

func errOf(_ any, err error) error { return err }

const stateTablePolicy = `{"Version":"2012-10-17","Id":"state-table","Statement":[{"Sid":"Owner","Effect":"Allow",` +
	`"Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`

// reachableStates are the states a key reaches today. PendingReplicaDeletion,
// Unavailable, Creating and Updating need multi-Region keys or custom key
// stores, which Trent does not serve; the keys test covers their columns.
var reachableStates = []types.KeyState{types.KeyStateEnabled, types.KeyStateDisabled, types.KeyStatePendingDeletion, types.KeyStatePendingImport}

// footnoteErrors is how each refusal footnote of spec §3 reads on the
// wire in the reachable states: the error code, and the message after
// "<key ARN> ".
var footnoteErrors = map[int]string{
	1:  "DisabledException|is disabled.",
	3:  "KMSInvalidStateException|is pending deletion.",
	4:  "KMSInvalidStateException|is not pending deletion.",
	5:  "KMSInvalidStateException|is pending import.",
	10: "KMSInvalidStateException|is pending deletion.",
}

// stateCell names one cell of the table.
type stateCell struct {
	op    keys.Operation
	state types.KeyState
}

// decidedBeforeState are the cells a step of the key gate before the state
// table decides. The PendingImport key has origin EXTERNAL, and the
// rotation operations refuse that origin before they read the state
// (footnote 6; spec §3 notes: type and origin first). RotateKeyOnDemand
// rotates EXTERNAL keys (to imported material pending rotation), so it
// reads the state and gives 5, as AWS was recorded doing.
var decidedBeforeState = map[stateCell]string{
	{keys.OpEnableKeyRotation, types.KeyStatePendingImport}:    originExternal,
	{keys.OpDisableKeyRotation, types.KeyStatePendingImport}:   originExternal,
	{keys.OpGetKeyRotationStatus, types.KeyStatePendingImport}: originExternal,
}

const originExternal = "UnsupportedOperationException|origin is EXTERNAL which is not valid for this operation."

// wantInCell is the outcome of op on a key in state: "" for success, else
// "<code>|<message after the key ARN>".
func wantInCell(t *testing.T, op keys.Operation, state types.KeyState) string {
	t.Helper()
	if want, ok := decidedBeforeState[stateCell{op, state}]; ok {
		return want
	}
	r := keys.CheckState(op, keys.State(state))
	if r == nil {
		return ""
	}
	want, ok := footnoteErrors[r.Footnote]
	if !ok {
		t.Fatalf("the state table refuses %s in %s with footnote %d, which has no entry in footnoteErrors: add its code and message", op, state, r.Footnote)
	}
	return want
}

// TestKeyStateTable walks the wire's operation table, so an operation
// added there cannot miss its cells here.
func TestKeyStateTable(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	served := map[keys.Operation]bool{}
	for _, o := range awsjson.Operations(tn.node.Service()) {
		op := keys.Operation(o.Name)
		served[op] = true
		calls, ok := stateCallers[op]
		switch {
		case op.Keyless() && ok:
			t.Errorf("%s is keyless but has callers in stateCallers", op)
			continue
		case op.Keyless():
			continue
		case !ok:
			t.Errorf("operation %s has no entry in stateCallers: add a call of it on f.key (or, if it names no key, declare it keyless in internal/keys/operation.go)", op)
			continue
		}
		for si, state := range reachableStates {
			for ci, call := range calls {
				name := string(state) + "/" + o.Name
				if call.side != "" {
					name += " " + call.side
				}
				alias := fmt.Sprintf("alias/st-%s-%d-%d", o.Name, si, ci)
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					want := wantInCell(t, op, state)
					f := newStateFixture(t, c, state, alias, stateShapes[op])
					before := keySnapshot(t, f)
					err := call.call(f)
					if want == "" {
						if err != nil {
							t.Fatalf("want success, got %v", err)
						}
						return
					}
					code, msg, _ := strings.Cut(want, "|")
					wantError(t, err, code, *f.key.Arn+" "+msg)
					if after := keySnapshot(t, f); after != before {
						t.Errorf("refused call changed the key:\n%s\n->\n%s", before, after)
					}
				})
			}
		}
	}
	for op := range stateCallers {
		if !served[op] {
			t.Errorf("stateCallers calls %s, which the operation table does not serve", op)
		}
	}
}

// newStateFixture creates a key with an alias, a tag and a ciphertext, and
// then puts it in state, plus an Enabled helper key.
func newStateFixture(t *testing.T, c *kms.Client, state types.KeyState, aliasPrefix string, shape keyShape) *stateFixture {
	t.Helper()
	// A helper per cell: a key may have only 50 aliases.
	helper := createSymmetricKey(t, c, nil)
	helperBlob := encryptUnder(t, c, *helper.KeyId, []byte("helper"), nil)
	in := &kms.CreateKeyInput{Tags: []types.Tag{{TagKey: aws.String("owner"), TagValue: aws.String("team")}},
		KeySpec: shape.spec, KeyUsage: shape.usage}
	if state == types.KeyStatePendingImport || shape.external {
		in.Origin = types.OriginTypeExternal
	}
	f := &stateFixture{c: c, key: createSymmetricKey(t, c, in), helper: helper, helperBlob: helperBlob,
		ownAlias: aliasPrefix + "-own", movingAlias: aliasPrefix + "-moving", newAlias: aliasPrefix + "-new"}
	must[*kms.CreateAliasOutput](t)(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(f.ownAlias), TargetKeyId: f.key.KeyId}))
	must[*kms.CreateAliasOutput](t)(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(f.movingAlias), TargetKeyId: helper.KeyId}))
	f.peerKey = peerPublicKey(t)
	if shape.external {
		// An EXTERNAL key reaches Enabled by importing material; the
		// token and wrapped material for the call under test are
		// taken now, while every state still allows it.
		f.material = randomBytes(32)
		if state != types.KeyStatePendingImport {
			token, wrapped := wrapForImport(t, c, *f.key.KeyId, f.material)
			must[*kms.ImportKeyMaterialOutput](t)(c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: f.key.KeyId,
				ImportToken: token, EncryptedKeyMaterial: wrapped, ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire}))
		}
		f.importToken, f.wrappedMaterial = wrapForImport(t, c, *f.key.KeyId, f.material)
	}
	if shape.granted {
		addStateGrant(t, f, state)
	}
	switch {
	case state == types.KeyStatePendingImport:
		f.blob = pendingImportBlob(t, helperBlob, *f.key.KeyId)
		f.signature, f.mac, f.kemCiphertext = []byte("never signed"), []byte("never MACed"), make([]byte, 1088)
	case shape == signingKey:
		f.signature = must[*kms.SignOutput](t)(c.Sign(ctx, &kms.SignInput{KeyId: f.key.KeyId, Message: stateMessage,
			SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})).Signature
	case shape == macKey:
		f.mac = must[*kms.GenerateMacOutput](t)(c.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: f.key.KeyId, Message: stateMessage,
			MacAlgorithm: types.MacAlgorithmSpecHmacSha256})).Mac
	case shape == kemKey:
		f.kemCiphertext = must[*kms.EncapsulateOutput](t)(c.Encapsulate(ctx, &kms.EncapsulateInput{KeyId: f.key.KeyId,
			EncapsulationAlgorithm: types.EncapsulationAlgorithmSpecMlKem})).SharedSecretCiphertextBlob
	case shape == keyShape{}:
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

// peerPublicKey is a fresh P-256 public key as DeriveSharedSecret takes it.
func peerPublicKey(t *testing.T) []byte {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// wrapForImport gets import parameters for keyID (RSA_2048,
// RSAES_OAEP_SHA_256) and wraps material with Go's crypto/rsa, an
// implementation independent of Trent's.
func wrapForImport(t *testing.T, c *kms.Client, keyID string, material []byte) (token, wrapped []byte) {
	t.Helper()
	p := must[*kms.GetParametersForImportOutput](t)(c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{
		KeyId: aws.String(keyID), WrappingAlgorithm: types.AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: types.WrappingKeySpecRsa2048}))
	pub, ok := stdlibPublicKey(t, p.PublicKey).(*rsa.PublicKey)
	if !ok {
		t.Fatalf("wrapping key is %T, want RSA", stdlibPublicKey(t, p.PublicKey))
	}
	wrapped, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, pub, material, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p.ImportToken, wrapped
}

// addStateGrant gives the fixture's key a grant. A key waiting for its first
// import refuses CreateGrant (footnote 5), so that key gets material, the
// grant, and then loses the material again: PendingImport with a grant.
func addStateGrant(t *testing.T, f *stateFixture, state types.KeyState) {
	t.Helper()
	if state == types.KeyStatePendingImport {
		token, wrapped := wrapForImport(t, f.c, *f.key.KeyId, randomBytes(32))
		must[*kms.ImportKeyMaterialOutput](t)(f.c.ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: f.key.KeyId,
			ImportToken: token, EncryptedKeyMaterial: wrapped, ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire}))
	}
	g := must[*kms.CreateGrantOutput](t)(f.c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: f.key.KeyId,
		GranteePrincipal: aws.String("arn:aws:iam::111122223333:user/st"), Operations: []types.GrantOperation{types.GrantOperationEncrypt}}))
	f.grantID, f.grantToken = g.GrantId, g.GrantToken
	if state == types.KeyStatePendingImport {
		must[*kms.DeleteImportedKeyMaterialOutput](t)(f.c.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: f.key.KeyId}))
	}
}
