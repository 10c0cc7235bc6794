package e2e

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go/middleware"
)

// The machinery the Terraform AWS provider wraps around its KMS calls:
// the recorder of calls sent, its waiters and retries, and its "not found"
// rule. terraform_test.go names the provider version replayed.

// tfPollInterval replaces the provider's 1-2 s MinTimeout between polls:
// against Trent every poll must already see the change.
const tfPollInterval = time.Millisecond

// tfRecorder keeps the names of the KMS operations a client sends, in order.
type tfRecorder struct {
	mu  sync.Mutex
	ops []string
}

// register is an APIOptions entry: every operation's stack is named after
// the operation, and the recorder notes it when the request starts.
func (r *tfRecorder) register(st *middleware.Stack) error {
	op := st.ID()
	return st.Initialize.Add(middleware.InitializeMiddlewareFunc("tfRecorder",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			r.mu.Lock()
			r.ops = append(r.ops, op)
			r.mu.Unlock()
			return next.HandleInitialize(ctx, in)
		}), middleware.Before)
}

// take returns the operations sent since the last take.
func (r *tfRecorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	ops := r.ops
	r.ops = nil
	return ops
}

// tfProvider replays the provider's calls through an SDK client, as the
// provider itself makes them (it uses aws-sdk-go-v2 too).
type tfProvider struct {
	t   *testing.T
	c   *kms.Client
	rec *tfRecorder
}

func newTFProvider(t *testing.T, tn *testNode) *tfProvider {
	rec := &tfRecorder{}
	c := kms.New(tn.kms().Options(), func(o *kms.Options) {
		o.APIOptions = append(o.APIOptions, rec.register)
	})
	return &tfProvider{t: t, c: c, rec: rec}
}

// wantCalls asserts the operations sent since the last check, in order.
func (p *tfProvider) wantCalls(step string, want ...[]string) {
	p.t.Helper()
	got := p.rec.take()
	if flat := slices.Concat(want...); !slices.Equal(got, flat) {
		p.t.Fatalf("%s: calls sent\n got %v\nwant %v", step, got, flat)
	}
}

// calls is a run of n identical calls, as a waiter's polls are.
func calls(op string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = op
	}
	return out
}

func ops(names ...string) []string { return names }

// waitUntil is tfresource.WaitUntil: check must hold on `continuous`
// consecutive polls (ContinuousTargetOccurence). The provider polls for up
// to 10-20 minutes; against Trent every poll must hold at once, so the
// first poll that does not is a failure.
func (p *tfProvider) waitUntil(what string, continuous int, check func() (bool, error)) {
	p.t.Helper()
	for poll := 1; poll <= continuous; poll++ {
		ok, err := check()
		if err != nil {
			p.t.Fatalf("%s: poll %d: %v", what, poll, err)
		}
		if !ok {
			p.t.Fatalf("%s: poll %d of %d did not see the change", what, poll, continuous)
		}
		time.Sleep(tfPollInterval)
	}
}

// retryWhen is tfresource.RetryWhen*: the provider repeats f while its
// error is retryable (eventual consistency) until a timeout. Here it makes
// at most `attempts` tries and reports how many it made.
func retryWhen(attempts int, retryable func(error) bool, f func() error) (int, error) {
	var err error
	for try := 1; try <= attempts; try++ {
		if err = f(); err == nil || !retryable(err) {
			return try, err
		}
		time.Sleep(tfPollInterval)
	}
	return attempts, err
}

func isA[E error](err error) bool {
	var e E
	return errors.As(err, &e)
}

// errTFNotFound is the provider's retry.NotFoundError: the resource is gone.
var errTFNotFound = errors.New("not found (the provider removes the resource from state)")

// findKeyByID is the provider's findKeyByID: DescribeKey, where
// NotFoundException and a key pending deletion are both "not found".
func (p *tfProvider) findKeyByID(keyID string) (*types.KeyMetadata, error) {
	out, err := p.c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &keyID})
	if isA[*types.NotFoundException](err) {
		return nil, fmt.Errorf("%w: %v", errTFNotFound, err)
	}
	if err != nil {
		return nil, err
	}
	if out.KeyMetadata == nil {
		return nil, errors.New("DescribeKey: empty result")
	}
	if s := out.KeyMetadata.KeyState; s == types.KeyStatePendingDeletion || s == types.KeyStatePendingReplicaDeletion {
		return nil, fmt.Errorf("%w: %s", errTFNotFound, s)
	}
	return out.KeyMetadata, nil
}

// findKeyPolicy is findKeyPolicyByTwoPartKey with the policy name the
// provider always sends.
func (p *tfProvider) findKeyPolicy(keyID string) (string, error) {
	out, err := p.c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: &keyID, PolicyName: strPtr("default")})
	if isA[*types.NotFoundException](err) {
		return "", fmt.Errorf("%w: %v", errTFNotFound, err)
	}
	if err != nil {
		return "", err
	}
	if out.Policy == nil {
		return "", errors.New("GetKeyPolicy: no policy")
	}
	return *out.Policy, nil
}

// findRotation is findKeyRotationEnabledByKeyID.
func (p *tfProvider) findRotation(keyID string) (bool, *int32, error) {
	out, err := p.c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: &keyID})
	if isA[*types.NotFoundException](err) {
		return false, nil, fmt.Errorf("%w: %v", errTFNotFound, err)
	}
	if err != nil {
		return false, nil, err
	}
	return out.KeyRotationEnabled, out.RotationPeriodInDays, nil
}

// listTags is the generated listTags: every page of ListResourceTags
// through the SDK's paginator (which follows NextMarker, not Truncated).
// The tagging interceptor then drops system tags ("aws:" prefix).
func (p *tfProvider) listTags(keyID string) (map[string]string, error) {
	tags := map[string]string{}
	pages := kms.NewListResourceTagsPaginator(p.c, &kms.ListResourceTagsInput{KeyId: &keyID})
	for n := 0; pages.HasMorePages(); n++ {
		if n == 100 {
			return nil, errors.New("ListResourceTags: more than 100 pages")
		}
		page, err := pages.NextPage(ctx)
		if isA[*types.NotFoundException](err) {
			return nil, fmt.Errorf("%w: %v", errTFNotFound, err)
		}
		if err != nil {
			return nil, err
		}
		for _, tag := range page.Tags {
			if k := derefStr(tag.TagKey); !strings.HasPrefix(k, "aws:") {
				tags[k] = derefStr(tag.TagValue)
			}
		}
	}
	return tags, nil
}

// waitTagsPropagated is the generated waitTagsPropagated: ListResourceTags
// equals the wanted tags on 5 consecutive polls.
func (p *tfProvider) waitTagsPropagated(keyID string, want map[string]string) {
	p.waitUntil("waitTagsPropagated", 5, func() (bool, error) {
		got, err := p.listTags(keyID)
		if errors.Is(err, errTFNotFound) {
			return false, nil
		}
		return mapsEqual(got, want), err
	})
}

// waitKeyPolicyPropagated: GetKeyPolicy equivalent to policy, 5 times.
func (p *tfProvider) waitKeyPolicyPropagated(keyID, policy string) {
	p.waitUntil("waitKeyPolicyPropagated", 5, func() (bool, error) {
		got, err := p.findKeyPolicy(keyID)
		if errors.Is(err, errTFNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		return tfPoliciesEquivalent(got, policy)
	})
}

// waitKeyRotationEnabledPropagated: the rotation flag, and the period when
// one is wanted and one is reported, 5 times.
func (p *tfProvider) waitKeyRotationEnabledPropagated(keyID string, enabled bool, periodWant int) {
	p.waitUntil("waitKeyRotationEnabledPropagated", 5, func() (bool, error) {
		got, period, err := p.findRotation(keyID)
		if errors.Is(err, errTFNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if periodWant != 0 && period != nil {
			return got == enabled && int(*period) == periodWant, nil
		}
		return got == enabled, nil
	})
}

// waitKeyStatePropagated: DescribeKey's Enabled, 15 times.
func (p *tfProvider) waitKeyStatePropagated(keyID string, enabled bool) {
	p.waitUntil("waitKeyStatePropagated", 15, func() (bool, error) {
		md, err := p.findKeyByID(keyID)
		if errors.Is(err, errTFNotFound) {
			return false, nil
		}
		return err == nil && md.Enabled == enabled, err
	})
}

// waitKeyDescriptionPropagated: DescribeKey's Description, 5 times.
func (p *tfProvider) waitKeyDescriptionPropagated(keyID, description string) {
	p.waitUntil("waitKeyDescriptionPropagated", 5, func() (bool, error) {
		md, err := p.findKeyByID(keyID)
		if errors.Is(err, errTFNotFound) {
			return false, nil
		}
		return err == nil && derefStr(md.Description) == description, err
	})
}

// waitKeyDeleted is a StateChangeConf with Pending Enabled/Disabled and no
// Target: it ends on the first poll where findKeyByID says "not found"
// (pending deletion counts), and fails on any state not pending.
func (p *tfProvider) waitKeyDeleted(keyID string) {
	p.t.Helper()
	md, err := p.findKeyByID(keyID)
	switch {
	case errors.Is(err, errTFNotFound):
		return
	case err != nil:
		p.t.Fatalf("waitKeyDeleted: %v", err)
	default:
		p.t.Fatalf("waitKeyDeleted: key still %s after ScheduleKeyDeletion", md.KeyState)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func strPtr(s string) *string { return &s }

func derefStr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
