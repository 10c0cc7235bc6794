package awsjson

import (
	"reflect"
	"testing"

	awskms "github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/trent-kms/trent/internal/keys"
)

// TestOperationTableMatchesTheServiceModel checks every operation Trent
// serves against the AWS SDK's generated client, which is built from the
// KMS service model: a misspelt name would route nothing real.
func TestOperationTableMatchesTheServiceModel(t *testing.T) {
	client := reflect.TypeOf(&awskms.Client{})
	seen := map[string]bool{}
	for _, op := range Operations(nil) {
		if seen[op.Name] {
			t.Errorf("operation %s listed twice", op.Name)
		}
		seen[op.Name] = true
		if _, ok := client.MethodByName(op.Name); !ok {
			t.Errorf("operation %s is not in the KMS service model", op.Name)
		}
	}
}

// TestEveryKeyOperationHasAStateRow checks that each operation acting on a
// key has a row in the key-state table (an operation without one is
// refused in every state).
func TestEveryKeyOperationHasAStateRow(t *testing.T) {
	keyless := map[string]bool{"CreateKey": true, "ListKeys": true, "GenerateRandom": true}
	for _, op := range Operations(nil) {
		if !keyless[op.Name] && !keys.KnowsOperation(op.Name) {
			t.Errorf("operation %s has no row in the key-state table", op.Name)
		}
	}
}
