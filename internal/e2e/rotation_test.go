package e2e

import (
	"bytes"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/trent-kms/trent/internal/clock"
)

// Rotation through the API: the rotation configuration, automatic rotation
// driven by the manual clock and runDue, on-demand rotation and its limits,
// and ListKeyRotations.

func (h sdkHelper) rotStatus(keyID string) *kms.GetKeyRotationStatusOutput {
	h.t.Helper()
	return must[*kms.GetKeyRotationStatusOutput](h.t)(h.c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: &keyID}))
}

// rotations reads every page of ListKeyRotations (page size limit, 0 for
// the default), checking the paging members on the way.
func (h sdkHelper) rotations(keyID string, include types.IncludeKeyMaterial, limit int32) []types.RotationsListEntry {
	h.t.Helper()
	in := &kms.ListKeyRotationsInput{KeyId: &keyID, IncludeKeyMaterial: include}
	if limit > 0 {
		in.Limit = &limit
	}
	var all []types.RotationsListEntry
	for page := 0; page < 100; page++ {
		out := must[*kms.ListKeyRotationsOutput](h.t)(h.c.ListKeyRotations(ctx, in))
		if limit > 0 && len(out.Rotations) > int(limit) {
			h.t.Fatalf("page of %d entries, limit %d", len(out.Rotations), limit)
		}
		all = append(all, out.Rotations...)
		if !out.Truncated {
			if out.NextMarker != nil {
				h.t.Fatalf("NextMarker %q on the last page", *out.NextMarker)
			}
			return all
		}
		if out.NextMarker == nil || len(out.Rotations) == 0 {
			h.t.Fatalf("truncated page with %d entries and marker %v", len(out.Rotations), out.NextMarker)
		}
		in.Marker = out.NextMarker
	}
	h.t.Fatal("ListKeyRotations never ended")
	return nil
}

// material returns the key's CurrentKeyMaterialId.
func (h sdkHelper) material(keyID string) string {
	h.t.Helper()
	md := h.describe(keyID)
	if md.CurrentKeyMaterialId == nil || len(*md.CurrentKeyMaterialId) != 64 {
		h.t.Fatalf("CurrentKeyMaterialId %v", md.CurrentKeyMaterialId)
	}
	return *md.CurrentKeyMaterialId
}

func TestRotationStatusOfNewKey(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	h := sdkFor(t, c)
	md := h.newKey()
	st := h.rotStatus(*md.KeyId)
	if aws.ToString(st.KeyId) != *md.Arn || st.KeyRotationEnabled {
		t.Fatalf("status %s enabled=%v, want %s false", aws.ToString(st.KeyId), st.KeyRotationEnabled, *md.Arn)
	}
	if st.RotationPeriodInDays != nil || st.NextRotationDate != nil || st.OnDemandRotationStartDate != nil {
		t.Fatalf("new key reports a schedule: %+v", st)
	}
}

func TestEnableKeyRotationPeriods(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	h := sdkFor(t, c)
	id := *h.newKey().KeyId

	must[*kms.EnableKeyRotationOutput](t)(c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: &id}))
	st := h.rotStatus(id)
	if !st.KeyRotationEnabled || aws.ToInt32(st.RotationPeriodInDays) != 365 {
		t.Fatalf("default: enabled=%v period=%v", st.KeyRotationEnabled, st.RotationPeriodInDays)
	}
	h.wantTime("NextRotationDate", st.NextRotationDate, tn.clock.Now().Add(365*sdkDay))

	for _, period := range []int32{90, 2560} {
		k := *h.newKey().KeyId
		must[*kms.EnableKeyRotationOutput](t)(c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: &k, RotationPeriodInDays: aws.Int32(period)}))
		st := h.rotStatus(k)
		if aws.ToInt32(st.RotationPeriodInDays) != period {
			t.Fatalf("period %d reported as %v", period, st.RotationPeriodInDays)
		}
		h.wantTime("NextRotationDate", st.NextRotationDate, tn.clock.Now().Add(time.Duration(period)*sdkDay))
	}

	// Out of range: the model's Coral message, and nothing changes.
	_, err := c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: &id, RotationPeriodInDays: aws.Int32(89)})
	wantError(t, err, "ValidationException", "1 validation error detected: Value '89' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to 90")
	_, err = c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: &id, RotationPeriodInDays: aws.Int32(2561)})
	wantError(t, err, "ValidationException", "1 validation error detected: Value '2561' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value less than or equal to 2560")
	if st := h.rotStatus(id); aws.ToInt32(st.RotationPeriodInDays) != 365 {
		t.Fatalf("failed EnableKeyRotation changed the period to %v", st.RotationPeriodInDays)
	}
}

// Changing the period counts the next date from when rotation was enabled,
// not from the second call; disabling clears the schedule.
func TestEnableKeyRotationAgainAndDisable(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	h := sdkFor(t, c)
	id := *h.newKey().KeyId
	enabledAt := tn.clock.Now()
	must[*kms.EnableKeyRotationOutput](t)(c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: &id}))
	tn.clock.Advance(10 * sdkDay)
	must[*kms.EnableKeyRotationOutput](t)(c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: &id, RotationPeriodInDays: aws.Int32(180)}))
	st := h.rotStatus(id)
	if aws.ToInt32(st.RotationPeriodInDays) != 180 {
		t.Fatalf("period %v, want 180", st.RotationPeriodInDays)
	}
	h.wantTime("NextRotationDate", st.NextRotationDate, enabledAt.Add(180*sdkDay))

	must[*kms.DisableKeyRotationOutput](t)(c.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: &id}))
	st = h.rotStatus(id)
	if st.KeyRotationEnabled || st.NextRotationDate != nil || st.RotationPeriodInDays != nil {
		t.Fatalf("after DisableKeyRotation: %+v", st)
	}
	// Nothing rotates once disabled, even long after the old date.
	tn.clock.Advance(400 * sdkDay)
	tn.runDue()
	if got := h.rotations(id, "", 0); len(got) != 0 {
		t.Fatalf("disabled rotation still rotated: %+v", got)
	}
}

func TestAutomaticRotation(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	h := sdkFor(t, c)
	md := h.newKey()
	id := *md.KeyId
	oldMaterial := h.material(id)
	must[*kms.EnableKeyRotationOutput](t)(c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: &id, RotationPeriodInDays: aws.Int32(90)}))
	blobA := must[*kms.EncryptOutput](t)(c.Encrypt(ctx, &kms.EncryptInput{KeyId: &id, Plaintext: []byte("blob A")})).CiphertextBlob

	// Not yet due: nothing happens.
	next := *h.rotStatus(id).NextRotationDate
	tn.clock.Set(next.Add(-time.Second))
	tn.runDue()
	if got := h.rotations(id, "", 0); len(got) != 0 {
		t.Fatalf("rotated before the date: %+v", got)
	}

	rotatedAt := next.Add(time.Hour)
	tn.clock.Set(rotatedAt)
	tn.runDue()
	tn.runDue() // idempotent: a second run does not rotate again
	rots := h.rotations(id, "", 0)
	if len(rots) != 1 || rots[0].RotationType != types.RotationTypeAutomatic {
		t.Fatalf("rotations %+v, want one AUTOMATIC", rots)
	}
	h.wantTime("RotationDate", rots[0].RotationDate, rotatedAt)
	newMaterial := h.material(id)
	if newMaterial == oldMaterial || aws.ToString(rots[0].KeyMaterialId) != newMaterial {
		t.Fatalf("material %s -> %s, rotation lists %s", oldMaterial, newMaterial, aws.ToString(rots[0].KeyMaterialId))
	}
	if aws.ToString(rots[0].KeyId) != id || rots[0].KeyMaterialState != types.KeyMaterialStateCurrent {
		t.Fatalf("entry %+v", rots[0])
	}

	// Old ciphertext still decrypts, with the old material; new ones use
	// the new material.
	dec := must[*kms.DecryptOutput](t)(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blobA}))
	if string(dec.Plaintext) != "blob A" || aws.ToString(dec.KeyMaterialId) != oldMaterial {
		t.Fatalf("blob A: %q material %s, want %s", dec.Plaintext, aws.ToString(dec.KeyMaterialId), oldMaterial)
	}
	blobB := must[*kms.EncryptOutput](t)(c.Encrypt(ctx, &kms.EncryptInput{KeyId: &id, Plaintext: []byte("blob B")})).CiphertextBlob
	dec = must[*kms.DecryptOutput](t)(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blobB}))
	if !bytes.Equal(dec.Plaintext, []byte("blob B")) || aws.ToString(dec.KeyMaterialId) != newMaterial {
		t.Fatalf("blob B: material %s, want %s", aws.ToString(dec.KeyMaterialId), newMaterial)
	}
	h.wantTime("NextRotationDate after rotation", h.rotStatus(id).NextRotationDate, rotatedAt.Add(90*sdkDay))
}

// The real clock has sub-second precision: dates that are not whole
// seconds must still come due.
func TestRotationWithSubSecondClock(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	h := sdkFor(t, c)
	tn.clock.Advance(1234 * time.Millisecond)
	auto := *h.newKey().KeyId
	must[*kms.EnableKeyRotationOutput](t)(c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: &auto, RotationPeriodInDays: aws.Int32(90)}))
	onDemand := *h.newKey().KeyId
	must[*kms.RotateKeyOnDemandOutput](t)(c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: &onDemand}))
	tn.clock.Advance(time.Second)
	tn.runDue()
	if got := h.rotations(onDemand, "", 0); len(got) != 1 {
		t.Fatalf("on-demand rotation did not complete: %+v", got)
	}
	if st := h.rotStatus(onDemand); st.OnDemandRotationStartDate != nil {
		t.Fatalf("rotation still in progress since %v", st.OnDemandRotationStartDate)
	}
	tn.clock.Advance(90*sdkDay + time.Second)
	tn.runDue()
	if got := h.rotations(auto, "", 0); len(got) != 1 {
		t.Fatalf("automatic rotation did not happen: %+v", got)
	}
}

// A disabled key is not rotated when its date passes; the first run after
// EnableKey rotates it.
func TestRotationWaitsForDisabledKey(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	h := sdkFor(t, c)
	id := *h.newKey().KeyId
	must[*kms.EnableKeyRotationOutput](t)(c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: &id, RotationPeriodInDays: aws.Int32(90)}))
	must[*kms.DisableKeyOutput](t)(c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: &id}))
	tn.clock.Advance(100 * sdkDay)
	tn.runDue()
	if got := h.rotations(id, "", 0); len(got) != 0 {
		t.Fatalf("disabled key rotated: %+v", got)
	}
	tn.clock.Advance(time.Hour)
	must[*kms.EnableKeyOutput](t)(c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: &id}))
	tn.runDue()
	tn.runDue()
	rots := h.rotations(id, "", 0)
	if len(rots) != 1 || rots[0].RotationType != types.RotationTypeAutomatic {
		t.Fatalf("after EnableKey: %+v, want one AUTOMATIC rotation", rots)
	}
	h.wantTime("RotationDate", rots[0].RotationDate, tn.clock.Now())
}

func TestRotateKeyOnDemand(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	h := sdkFor(t, c)
	md := h.newKey()
	id := *md.KeyId
	oldMaterial := h.material(id)
	must[*kms.EnableKeyRotationOutput](t)(c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: &id}))
	scheduled := *h.rotStatus(id).NextRotationDate

	tn.clock.Advance(time.Hour)
	requested := tn.clock.Now()
	out := must[*kms.RotateKeyOnDemandOutput](t)(c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: &id}))
	// RotateKeyOnDemand answers the bare key ID, as AWS's recorded
	// responses show, not the ARN most operations answer.
	if aws.ToString(out.KeyId) != id {
		t.Fatalf("KeyId %s, want the key ID %s", aws.ToString(out.KeyId), id)
	}
	h.wantTime("OnDemandRotationStartDate", h.rotStatus(id).OnDemandRotationStartDate, requested)
	_, err := c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: &id})
	if ae := apiError(t, err, "ConflictException"); ae.ErrorMessage() == "" {
		t.Fatal("ConflictException without a message")
	}

	tn.clock.Advance(time.Minute)
	tn.runDue()
	st := h.rotStatus(id)
	if st.OnDemandRotationStartDate != nil {
		t.Fatalf("still in progress after runDue: %v", st.OnDemandRotationStartDate)
	}
	h.wantTime("NextRotationDate (unchanged by on-demand)", st.NextRotationDate, scheduled)
	rots := h.rotations(id, "", 0)
	if len(rots) != 1 || rots[0].RotationType != types.RotationTypeOnDemand {
		t.Fatalf("rotations %+v, want one ON_DEMAND", rots)
	}
	h.wantTime("RotationDate", rots[0].RotationDate, tn.clock.Now())
	if m := h.material(id); m == oldMaterial || m != aws.ToString(rots[0].KeyMaterialId) {
		t.Fatalf("material after on-demand rotation: %s (old %s, listed %s)", m, oldMaterial, aws.ToString(rots[0].KeyMaterialId))
	}
}

func TestRotateKeyOnDemandRefusals(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	h := sdkFor(t, c)

	disabled := h.newKey()
	must[*kms.DisableKeyOutput](t)(c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: disabled.KeyId}))
	_, err := c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: disabled.KeyId})
	wantError(t, err, "DisabledException", *disabled.Arn+" is disabled.")
	_, err = c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: disabled.KeyId})
	wantError(t, err, "DisabledException", *disabled.Arn+" is disabled.")
	if st := h.rotStatus(*disabled.KeyId); st.KeyRotationEnabled || st.OnDemandRotationStartDate != nil {
		t.Fatalf("refused requests changed the disabled key: %+v", st)
	}

	// An automatic rotation due within 20 minutes blocks on-demand ones.
	early, late := *h.newKey().KeyId, *h.newKey().KeyId
	for _, id := range []string{early, late} {
		must[*kms.EnableKeyRotationOutput](t)(c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: &id, RotationPeriodInDays: aws.Int32(90)}))
	}
	next := *h.rotStatus(early).NextRotationDate
	tn.clock.Set(next.Add(-21 * time.Minute))
	must[*kms.RotateKeyOnDemandOutput](t)(c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: &early}))
	tn.clock.Set(next.Add(-19 * time.Minute))
	_, err = c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: &late})
	if ae := apiError(t, err, "ConflictException"); ae.ErrorMessage() == "" {
		t.Fatal("ConflictException without a message")
	}
	if st := h.rotStatus(late); st.OnDemandRotationStartDate != nil {
		t.Fatal("refused RotateKeyOnDemand started a rotation")
	}
}

func TestRotateKeyOnDemandLimit(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	h := sdkFor(t, c)
	md := h.newKey()
	for i := 0; i < 25; i++ {
		if _, err := c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: md.KeyId}); err != nil {
			t.Fatalf("rotation %d: %v", i+1, err)
		}
		tn.clock.Advance(time.Minute)
		tn.runDue()
	}
	_, err := c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: md.KeyId})
	wantError(t, err, "LimitExceededException",
		"The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: "+*md.Arn)
	if got := h.rotations(*md.KeyId, "", 0); len(got) != 25 {
		t.Fatalf("%d rotations listed, want 25", len(got))
	}
}

func TestListKeyRotations(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	h := sdkFor(t, c)
	id := *h.newKey().KeyId
	first := h.material(id)
	// One automatic rotation, then two on demand, each at its own time.
	must[*kms.EnableKeyRotationOutput](t)(c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: &id, RotationPeriodInDays: aws.Int32(90)}))
	tn.clock.Advance(91 * sdkDay)
	tn.runDue()
	dates := []time.Time{tn.clock.Now()}
	for i := 0; i < 2; i++ {
		tn.clock.Advance(sdkDay)
		must[*kms.RotateKeyOnDemandOutput](t)(c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: &id}))
		tn.runDue()
		dates = append(dates, tn.clock.Now())
	}
	current := h.material(id)
	wantTypes := []types.RotationType{types.RotationTypeAutomatic, types.RotationTypeOnDemand, types.RotationTypeOnDemand}

	for _, limit := range []int32{0, 1, 2, 3} {
		rots := h.rotations(id, "", limit) // ROTATIONS_ONLY is the default
		if len(rots) != 3 {
			t.Fatalf("limit %d: %d rotations, want 3", limit, len(rots))
		}
		for i, r := range rots {
			if r.RotationType != wantTypes[i] {
				t.Fatalf("limit %d: entry %d type %s, want %s", limit, i, r.RotationType, wantTypes[i])
			}
			h.wantTime("RotationDate", r.RotationDate, dates[i]) // oldest first
			state := types.KeyMaterialStateNonCurrent
			if i == 2 {
				state = types.KeyMaterialStateCurrent
			}
			if r.KeyMaterialState != state || aws.ToString(r.KeyId) != id {
				t.Fatalf("entry %d: %+v", i, r)
			}
		}
		if aws.ToString(rots[2].KeyMaterialId) != current {
			t.Fatalf("last rotation material %s, current %s", aws.ToString(rots[2].KeyMaterialId), current)
		}
	}
	if got := h.rotations(id, types.IncludeKeyMaterialRotationsOnly, 2); len(got) != 3 {
		t.Fatalf("explicit ROTATIONS_ONLY: %d entries", len(got))
	}

	all := h.rotations(id, types.IncludeKeyMaterialAllKeyMaterial, 1)
	if len(all) != 4 {
		t.Fatalf("ALL_KEY_MATERIAL: %d entries, want 4", len(all))
	}
	if aws.ToString(all[0].KeyMaterialId) != first || all[0].RotationDate != nil || all[0].RotationType != "" ||
		all[0].KeyMaterialState != types.KeyMaterialStateNonCurrent {
		t.Fatalf("first material entry: %+v", all[0])
	}
	if all[3].KeyMaterialState != types.KeyMaterialStateCurrent {
		t.Fatalf("newest material state %s", all[3].KeyMaterialState)
	}

	_, err := c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: &id, Marker: aws.String("bogus-marker")})
	if ae := apiError(t, err, "InvalidMarkerException"); ae.ErrorMessage() == "" {
		t.Fatal("InvalidMarkerException without a message")
	}
}

// TestOnDemandRotationCompletesPromptly runs the node as trent serve does,
// on the wall clock, with its scheduler loop: AWS finishes an on-demand
// rotation in seconds and clients poll for it, so within a second the
// rotation must be listed, the start date gone from the status, and a
// further rotation accepted. (A manual clock on whole seconds could not see
// the rounding that once left it for the next 30-second tick.)
func TestOnDemandRotationCompletesPromptly(t *testing.T) {
	t.Parallel()
	tn := startNodeWith(t, nodeOptions{clock: clock.Real{}, background: true})
	c := tn.kms()
	id := *must[*kms.CreateKeyOutput](t)(c.CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata.KeyId
	for round := 1; round <= 2; round++ {
		requested := time.Now()
		must[*kms.RotateKeyOnDemandOutput](t)(c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: &id}))
		for {
			st := must[*kms.GetKeyRotationStatusOutput](t)(c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: &id}))
			if st.OnDemandRotationStartDate == nil {
				break
			}
			if time.Since(requested) > time.Second {
				t.Fatalf("round %d: on-demand rotation still in progress %v after the request", round, time.Since(requested))
			}
			time.Sleep(10 * time.Millisecond)
		}
		rots := must[*kms.ListKeyRotationsOutput](t)(c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: &id})).Rotations
		if len(rots) != round || rots[round-1].RotationType != types.RotationTypeOnDemand {
			t.Fatalf("round %d: rotations %+v, want %d ON_DEMAND", round, rots, round)
		}
		t.Logf("round %d: rotation completed in %v", round, time.Since(requested).Round(time.Millisecond))
	}
}

// TestRotationStatusWhilePendingDeletion: "While a KMS key is pending
// deletion, its key rotation status is false and AWS KMS does not rotate
// the key. If you cancel the deletion, the original key rotation status
// returns" (API Reference, GetKeyRotationStatus).
func TestRotationStatusWhilePendingDeletion(t *testing.T) {
	t.Parallel()
	tn := startNode(t)
	c := tn.kms()
	h := sdkFor(t, c)
	id := *h.newKey().KeyId
	must[*kms.EnableKeyRotationOutput](t)(c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: &id, RotationPeriodInDays: aws.Int32(180)}))
	before := h.rotStatus(id)
	must[*kms.ScheduleKeyDeletionOutput](t)(c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: &id, PendingWindowInDays: aws.Int32(7)}))
	pending := h.rotStatus(id)
	if pending.KeyRotationEnabled || pending.RotationPeriodInDays != nil || pending.NextRotationDate != nil {
		t.Fatalf("pending deletion: enabled %v, period %v, next %v; want false and neither", pending.KeyRotationEnabled, aws.ToInt32(pending.RotationPeriodInDays), pending.NextRotationDate)
	}
	must[*kms.CancelKeyDeletionOutput](t)(c.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: &id}))
	after := h.rotStatus(id)
	if !after.KeyRotationEnabled || aws.ToInt32(after.RotationPeriodInDays) != 180 {
		t.Fatalf("after CancelKeyDeletion: enabled %v, period %d; want the original true, 180", after.KeyRotationEnabled, aws.ToInt32(after.RotationPeriodInDays))
	}
	h.wantTime("NextRotationDate after CancelKeyDeletion", after.NextRotationDate, *before.NextRotationDate)
}
