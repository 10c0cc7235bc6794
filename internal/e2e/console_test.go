package e2e

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/chromedp/chromedp"
)

// The web console in headless chromium, against a node that verifies every
// signature: the console signs each request in the browser, so each step
// that works here is a request the real SigV4 verifier accepted. Each step
// is checked in the page and through the Go SDK.

// statusCell selects the Status cell of a key's row in the key list.
func statusCell(keyID string) string {
	return fmt.Sprintf(`#key-list tr[data-key-id=%q] [data-test=key-status]`, keyID)
}

func describe(t *testing.T, c *kms.Client, keyID string) *types.KeyMetadata {
	t.Helper()
	out, err := c.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String(keyID)})
	if err != nil {
		t.Fatalf("DescribeKey %s: %v", keyID, err)
	}
	return out.KeyMetadata
}

func wantState(t *testing.T, c *kms.Client, keyID string, want types.KeyState) *types.KeyMetadata {
	t.Helper()
	m := describe(t, c, keyID)
	if m.KeyState != want {
		t.Fatalf("the SDK sees %s in state %s, want %s", keyID, m.KeyState, want)
	}
	return m
}

func TestConsoleKeyLifecycle(t *testing.T) {
	tn := startConsoleNode(t)
	c := tn.wallClockClient(testRegion)
	p := openConsole(t, tn)
	p.signIn(longTermKeyID, longTermSecret, "")
	p.waitText("#key-list-status", "0 keys in us-east-1")

	// The credentials stay in this tab's session storage, nowhere else.
	if ok := eval[bool](p, `localStorage.length === 0 && document.cookie === "" &&
		JSON.parse(sessionStorage.getItem("trent.console.credentials")).secretAccessKey === `+jsString(longTermSecret)); !ok {
		t.Error("the credentials are not (only) in sessionStorage")
	}

	// Create key: symmetric, with an alias, a description and a tag.
	p.click("#create-key")
	p.waitFor("the create key form", `document.querySelector("#create-key-form") !== null`)
	p.typeInto("#key-alias", "console-demo")
	p.typeInto("#key-description", "made in the console")
	p.typeInto("#tag-rows .tag-key", "team")
	p.typeInto("#tag-rows .tag-value", "payments")
	p.click("#create-key-submit")
	p.waitFor("the key detail page", `document.querySelector("#general-configuration") !== null`)
	p.waitText("[data-test=config-status]", "Enabled")
	keyID := p.text("[data-test=config-key-id]")
	m := wantState(t, c, keyID, types.KeyStateEnabled)
	if aws.ToString(m.Description) != "made in the console" || m.KeySpec != types.KeySpecSymmetricDefault ||
		m.KeyUsage != types.KeyUsageTypeEncryptDecrypt || m.Origin != types.OriginTypeAwsKms {
		t.Errorf("created key: description %q, spec %s, usage %s, origin %s", aws.ToString(m.Description), m.KeySpec, m.KeyUsage, m.Origin)
	}
	aliases := must[*kms.ListAliasesOutput](t)(c.ListAliases(context.Background(), &kms.ListAliasesInput{KeyId: aws.String(keyID)}))
	if len(aliases.Aliases) != 1 || aws.ToString(aliases.Aliases[0].AliasName) != "alias/console-demo" {
		t.Errorf("aliases of the new key: %+v, want alias/console-demo", aliases.Aliases)
	}
	tags := must[*kms.ListResourceTagsOutput](t)(c.ListResourceTags(context.Background(), &kms.ListResourceTagsInput{KeyId: aws.String(keyID)}))
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].TagKey) != "team" || aws.ToString(tags.Tags[0].TagValue) != "payments" {
		t.Errorf("tags of the new key: %+v, want team=payments", tags.Tags)
	}
	p.waitText("#key-title", "alias/console-demo")
	p.screenshot("console-key-detail", "")

	// Key actions > Disable, confirmed.
	p.keyAction("action-disable")
	p.click("#confirm-disable")
	p.waitText("[data-test=config-status]", "Disabled")
	wantState(t, c, keyID, types.KeyStateDisabled)
	p.goTo("#/keys", "#key-list")
	p.waitText(statusCell(keyID), "Disabled")
	p.waitText(fmt.Sprintf(`#key-list tr[data-key-id=%q] [data-test=key-aliases]`, keyID), "alias/console-demo")
	p.screenshot("console-key-list", "")

	// Back to the key from the list; Key actions > Enable.
	p.click(fmt.Sprintf(`#key-list tr[data-key-id=%q] a`, keyID))
	p.waitText("[data-test=config-status]", "Disabled")
	p.keyAction("action-enable")
	p.waitText("[data-test=config-status]", "Enabled")
	wantState(t, c, keyID, types.KeyStateEnabled)

	// Key rotation: automatic rotation every 180 days.
	p.click("#tab-link-rotation")
	p.waitText("[data-test=rotation-status]", "Disabled")
	p.click("#rotation-enabled")
	p.typeInto("#rotation-period", "180")
	p.waitText("#rotation-label", "Automatically rotate this KMS key every 180 days")
	p.click("#save-rotation")
	p.waitText("[data-test=rotation-status]", "Enabled")
	p.waitText("[data-test=rotation-period-days]", "180 days")
	rs := must[*kms.GetKeyRotationStatusOutput](t)(c.GetKeyRotationStatus(context.Background(), &kms.GetKeyRotationStatusInput{KeyId: aws.String(keyID)}))
	if !rs.KeyRotationEnabled || aws.ToInt32(rs.RotationPeriodInDays) != 180 {
		t.Errorf("GetKeyRotationStatus: enabled %v, period %d; want enabled, 180", rs.KeyRotationEnabled, aws.ToInt32(rs.RotationPeriodInDays))
	}
	if next := time.Until(aws.ToTime(rs.NextRotationDate)); next < 179*24*time.Hour || next > 181*24*time.Hour {
		t.Errorf("NextRotationDate is %v away, want about 180 days", next)
	}

	// Rotate now: the on-demand rotation starts; the scheduler (run here by
	// hand, as the node's loop is not started) completes it, and the
	// rotation is listed.
	p.click("#rotate-now")
	p.click("#confirm-rotate-now")
	p.waitText("#flash", "On-demand rotation started.")
	if err := tn.node.Service().RunDue(context.Background(), time.Now()); err != nil {
		t.Fatalf("RunDue: %v", err)
	}
	rot := must[*kms.ListKeyRotationsOutput](t)(c.ListKeyRotations(context.Background(), &kms.ListKeyRotationsInput{KeyId: aws.String(keyID)}))
	if len(rot.Rotations) != 1 || rot.Rotations[0].RotationType != types.RotationTypeOnDemand {
		t.Fatalf("ListKeyRotations after Rotate now: %+v, want one ON_DEMAND rotation", rot.Rotations)
	}
	p.goTo("#/keys", "#key-list")
	p.goTo("#/key/"+keyID+"/rotation", "#rotation-form")
	p.waitFor("the rotation in the list", `document.querySelectorAll("#rotation-list [data-test=rotation]").length === 1`)
	p.screenshot("console-key-rotation", "#key-tabs")

	// Key actions > Schedule key deletion, 7 days, confirmed; then cancel.
	p.keyAction("action-schedule-deletion")
	p.typeInto("#waiting-period", "7")
	p.click("#confirm-deletion")
	p.click("#confirm-schedule-deletion")
	p.waitText("[data-test=config-status]", "PendingDeletion")
	m = wantState(t, c, keyID, types.KeyStatePendingDeletion)
	if d := time.Until(aws.ToTime(m.DeletionDate)); d < 7*24*time.Hour-time.Hour || d > 7*24*time.Hour+time.Hour {
		t.Errorf("DeletionDate is %v away, want 7 days", d)
	}
	p.keyAction("action-cancel-deletion")
	p.waitText("[data-test=config-status]", "Disabled")
	wantState(t, c, keyID, types.KeyStateDisabled)
}

func TestConsoleImportKeyMaterial(t *testing.T) {
	tn := startConsoleNode(t)
	c := tn.wallClockClient(testRegion)
	p := openConsole(t, tn)
	p.signIn(longTermKeyID, longTermSecret, "")
	p.waitText("#key-list-status", "0 keys in us-east-1")

	// Create key > Advanced options > Key material origin: External.
	p.click("#create-key")
	p.waitFor("the create key form", `document.querySelector("#create-key-form") !== null`)
	p.click("#advanced-options summary")
	p.do("choose External", chromedp.SetValue(chromedp.CSS("#key-origin"), "EXTERNAL"))
	p.click("#create-key-submit")
	p.waitText("[data-test=config-status]", "PendingImport")
	keyID := p.text("[data-test=config-key-id]")
	if m := wantState(t, c, keyID, types.KeyStatePendingImport); m.Origin != types.OriginTypeExternal {
		t.Fatalf("origin %s, want EXTERNAL", m.Origin)
	}

	// Key material > Download wrapping public key and import token.
	p.click("#tab-link-material")
	p.waitText("[data-test=material-status]", "Pending import")
	p.do("choose RSA_2048", chromedp.SetValue(chromedp.CSS("#wrapping-key-spec"), "RSA_2048"))
	p.click("#download-wrapping")
	p.waitFor("the download links", `document.querySelector("#link-import-token") !== null`)
	p.click("#link-wrapping-key")
	p.click("#link-import-token")
	publicDER := p.waitDownload("WrappingPublicKey.bin")
	p.waitDownload("ImportToken.bin")
	pub, ok := stdlibPublicKey(t, publicDER).(*rsa.PublicKey)
	if !ok || pub.N.BitLen() != 2048 {
		t.Fatalf("WrappingPublicKey.bin is not a 2048-bit RSA public key")
	}

	// Wrap 32 random bytes as AWS's documentation says (RSAES_OAEP_SHA_256)
	// and upload them with the token.
	material := randomBytes(32)
	wrappedPath := filepath.Join(t.TempDir(), "EncryptedKeyMaterial.bin")
	if err := os.WriteFile(wrappedPath, wrapOAEP(t, sha256.New(), pub, material), 0o600); err != nil {
		t.Fatal(err)
	}
	tokenPath := filepath.Join(p.downloads, "ImportToken.bin")
	upload := func() {
		p.do("choose the files",
			chromedp.SetUploadFiles(chromedp.CSS("#file-key-material"), []string{wrappedPath}),
			chromedp.SetUploadFiles(chromedp.CSS("#file-import-token"), []string{tokenPath}))
	}
	upload()
	p.click("#import-material")
	p.waitText("[data-test=material-status]", "Imported")
	p.waitText("[data-test=config-status]", "Enabled")
	m := wantState(t, c, keyID, types.KeyStateEnabled)
	if m.ExpirationModel != types.ExpirationModelTypeKeyMaterialDoesNotExpire {
		t.Errorf("ExpirationModel %s, want KEY_MATERIAL_DOES_NOT_EXPIRE", m.ExpirationModel)
	}
	p.screenshot("console-key-material", "#key-tabs")
	plaintext := []byte("imported through the console")
	enc := must[*kms.EncryptOutput](t)(c.Encrypt(context.Background(), &kms.EncryptInput{KeyId: aws.String(keyID), Plaintext: plaintext}))
	dec := must[*kms.DecryptOutput](t)(c.Decrypt(context.Background(), &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob}))
	if string(dec.Plaintext) != string(plaintext) {
		t.Fatalf("Decrypt returned %q", dec.Plaintext)
	}

	// Delete key material, confirmed: the key is pending import again and
	// the ciphertext no longer decrypts.
	p.click("#delete-material")
	p.click("#confirm-delete-material")
	p.click("#confirm-delete")
	p.waitText("[data-test=material-status]", "Pending import")
	wantState(t, c, keyID, types.KeyStatePendingImport)
	if _, err := c.Decrypt(context.Background(), &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob}); err == nil {
		t.Fatal("Decrypt succeeded after the key material was deleted")
	}

	// Import the same material again, this time expiring on a date: the
	// old ciphertext decrypts again, and the key expires at that date's
	// midnight UTC.
	validTo := time.Now().UTC().AddDate(0, 0, 30).Truncate(24 * time.Hour)
	upload()
	p.click("#expiration-date")
	p.do("set the expiration date", chromedp.SetValue(chromedp.CSS("#valid-to"), validTo.Format("2006-01-02")))
	p.click("#import-material")
	p.waitText("[data-test=material-status]", "Imported")
	m = wantState(t, c, keyID, types.KeyStateEnabled)
	if m.ExpirationModel != types.ExpirationModelTypeKeyMaterialExpires || !aws.ToTime(m.ValidTo).Equal(validTo) {
		t.Errorf("after the second import: ExpirationModel %s, ValidTo %v; want KEY_MATERIAL_EXPIRES, %v", m.ExpirationModel, aws.ToTime(m.ValidTo), validTo)
	}
	dec = must[*kms.DecryptOutput](t)(c.Decrypt(context.Background(), &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob}))
	if string(dec.Plaintext) != string(plaintext) {
		t.Fatalf("Decrypt after reimport returned %q", dec.Plaintext)
	}

	// On-demand rotation of imported key material, as the AWS
	// documentation's console procedure goes: upload new key material
	// (Import type: new key material, with a description), then Key
	// rotation > Rotate now. The new material encrypts; the old ciphertext
	// still decrypts.
	before := aws.ToString(m.CurrentKeyMaterialId)
	if err := os.WriteFile(wrappedPath, wrapOAEP(t, sha256.New(), pub, randomBytes(32)), 0o600); err != nil {
		t.Fatal(err)
	}
	upload()
	p.do("choose new key material", chromedp.SetValue(chromedp.CSS("#import-type"), "NEW_KEY_MATERIAL"))
	p.do("describe it", chromedp.SetValue(chromedp.CSS("#key-material-description"), "second material"))
	p.click("#expiration-none")
	p.click("#import-material")
	p.waitText("#flash", "The key material was imported.")
	p.click("#tab-link-rotation")
	p.waitFor("the note that imported material rotates on demand only", `document.querySelector("#rotation-automatic-unsupported") !== null`)
	p.click("#rotate-now")
	p.click("#confirm-rotate-now")
	p.waitText("#flash", "On-demand rotation started.")
	if err := tn.node.Service().RunDue(context.Background(), time.Now()); err != nil {
		t.Fatalf("RunDue: %v", err)
	}
	m = wantState(t, c, keyID, types.KeyStateEnabled)
	if after := aws.ToString(m.CurrentKeyMaterialId); after == before || after == "" {
		t.Fatalf("CurrentKeyMaterialId %q after the rotation, was %q: the new material is not current", after, before)
	}
	rotations := must[*kms.ListKeyRotationsOutput](t)(c.ListKeyRotations(context.Background(), &kms.ListKeyRotationsInput{KeyId: aws.String(keyID)})).Rotations
	if len(rotations) != 1 || rotations[0].RotationType != types.RotationTypeOnDemand ||
		aws.ToString(rotations[0].KeyMaterialDescription) != "second material" {
		t.Fatalf("ListKeyRotations: %+v; want one ON_DEMAND rotation to the material described \"second material\"", rotations)
	}
	dec = must[*kms.DecryptOutput](t)(c.Decrypt(context.Background(), &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob}))
	if string(dec.Plaintext) != string(plaintext) {
		t.Fatalf("Decrypt of the old ciphertext after the rotation returned %q", dec.Plaintext)
	}
	enc2 := must[*kms.EncryptOutput](t)(c.Encrypt(context.Background(), &kms.EncryptInput{KeyId: aws.String(keyID), Plaintext: plaintext}))
	if m2 := must[*kms.DecryptOutput](t)(c.Decrypt(context.Background(), &kms.DecryptInput{CiphertextBlob: enc2.CiphertextBlob})); aws.ToString(m2.KeyMaterialId) != aws.ToString(m.CurrentKeyMaterialId) {
		t.Fatalf("a new ciphertext decrypts with material %s, want the current %s", aws.ToString(m2.KeyMaterialId), aws.ToString(m.CurrentKeyMaterialId))
	}
}

func TestConsoleSigningAndRegions(t *testing.T) {
	tn := startConsoleNode(t)
	p := openConsole(t, tn)

	// A wrong secret: the server's InvalidSignatureException, in the page.
	p.signIn(longTermKeyID, "not-the-secret", "")
	p.waitText("[data-test=error-type]", "InvalidSignatureException")
	p.waitText("[data-test=error-message]", sigMismatch)
	p.click("#sign-out")

	// Temporary credentials: the session token is signed and sent; the role
	// session's account has no keys.
	p.signIn(tempKeyID, tempSecret, tempToken)
	p.waitText("#key-list-status", "0 keys in us-east-1")
	p.click("#sign-out")

	// The Region selector picks the Region signed for: a key made in
	// eu-west-1 is listed there and not in us-east-1.
	us := must[*kms.CreateKeyOutput](t)(tn.wallClockClient(testRegion).CreateKey(context.Background(), &kms.CreateKeyInput{})).KeyMetadata
	eu := must[*kms.CreateKeyOutput](t)(tn.wallClockClient("eu-west-1").CreateKey(context.Background(), &kms.CreateKeyInput{})).KeyMetadata
	p.signIn(longTermKeyID, longTermSecret, "")
	p.waitText("#key-list-status", "1 key in us-east-1")
	p.waitFor("the us-east-1 key", fmt.Sprintf(`document.querySelector(%s) !== null`, jsString(statusCell(*us.KeyId))))
	eval[chromedp.Void](p, `(() => { const s = document.getElementById("region"); s.value = "eu-west-1"; s.dispatchEvent(new Event("change")); })()`)
	p.waitText("#key-list-status", "1 key in eu-west-1")
	p.waitFor("the eu-west-1 key only", fmt.Sprintf(`document.querySelector(%s) !== null && document.querySelector(%s) === null`,
		jsString(statusCell(*eu.KeyId)), jsString(statusCell(*us.KeyId))))

	// AWS managed keys: the SDK's first use of alias/aws/s3 creates one in
	// eu-west-1; it is listed there, not among the customer managed keys,
	// and offers no key actions.
	managed := describe(t, tn.wallClockClient("eu-west-1"), "alias/aws/s3")
	p.goTo("#/aws-keys", "#key-list")
	p.waitText(fmt.Sprintf(`#key-list tr[data-key-id=%q] [data-test=key-aliases]`, *managed.KeyId), "alias/aws/s3")
	p.waitText("#key-list-status", "1 key in eu-west-1")
	p.screenshot("console-aws-managed-keys", "")
	p.click(fmt.Sprintf(`#key-list tr[data-key-id=%q] a`, *managed.KeyId))
	p.waitText("[data-test=config-manager]", "AWS managed")
	if eval[bool](p, `document.querySelector("#key-actions") !== null`) {
		t.Error("an AWS managed key offers Key actions")
	}
	p.goTo("#/keys", "#key-list")
	p.waitText("#key-list-status", "1 key in eu-west-1")

	// Over plain http from a name that is not localhost the page is not a
	// secure context, WebCrypto is missing, and the console says so.
	p.do("open the console from "+insecureHost, chromedp.Navigate(strings.Replace(p.url, "127.0.0.1", insecureHost, 1)))
	p.waitFor("the secure-context message", `document.querySelector("#insecure-context") !== null`)
	if !strings.Contains(p.text("#insecure-context"), "not a secure context") {
		t.Errorf("the insecure-context page says %q", p.text("#insecure-context"))
	}
}

// TestConsoleSignerMatchesSDK signs one request with the console's
// sigv4.js in the browser and with aws-sdk-go-v2's signer: same time,
// credentials, Region and headers give the same Authorization header. (The
// other console tests check the server's verifier accepts it.)
func TestConsoleSignerMatchesSDK(t *testing.T) {
	tn := startConsoleNode(t)
	p := openConsole(t, tn)
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	body := `{"KeyId":"alias/example","Plaintext":"aGVsbG8="}`
	for _, token := range []string{"", tempToken} {
		got := eval[map[string]string](p, fmt.Sprintf(`import("/console/sigv4.js").then((m) => m.signRequest({
			host: "kms.eu-west-1.amazonaws.com", region: "eu-west-1", target: "TrentService.Encrypt",
			body: new TextEncoder().encode(%s),
			credentials: { accessKeyId: %s, secretAccessKey: %s, sessionToken: %s },
			date: new Date(%d) }))`, jsString(body), jsString(tempKeyID), jsString(tempSecret), jsString(token), when.UnixMilli()))

		req, err := http.NewRequest(http.MethodPost, "https://kms.eu-west-1.amazonaws.com/", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", "TrentService.Encrypt")
		sum := sha256.Sum256([]byte(body))
		creds := aws.Credentials{AccessKeyID: tempKeyID, SecretAccessKey: tempSecret, SessionToken: token}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "kms", "eu-west-1", when); err != nil {
			t.Fatal(err)
		}
		if want := req.Header.Get("Authorization"); got["Authorization"] != want {
			t.Errorf("session token %q:\nconsole: %s\nSDK:     %s", token, got["Authorization"], want)
		}
		if got["X-Amz-Date"] != req.Header.Get("X-Amz-Date") || got["X-Amz-Security-Token"] != req.Header.Get("X-Amz-Security-Token") {
			t.Errorf("session token %q: console headers %v, SDK headers %v", token, got, req.Header)
		}
	}
}
