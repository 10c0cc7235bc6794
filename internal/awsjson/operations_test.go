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

// TestOperationTableIsTheListOfOperations checks that the wire serves
// exactly the operations keys lists, the list the key-state table and the
// handlers take their names from (keys checks each has a state row or is
// declared keyless).
func TestOperationTableIsTheListOfOperations(t *testing.T) {
	listed := map[keys.Operation]bool{}
	for _, op := range keys.Operations() {
		listed[op] = true
	}
	served := map[keys.Operation]bool{}
	for _, op := range Operations(nil) {
		served[keys.Operation(op.Name)] = true
		if !listed[keys.Operation(op.Name)] {
			t.Errorf("operation %s is served but not in keys.Operations: add keys.Op%s to internal/keys/operation.go", op.Name, op.Name)
		}
	}
	client := reflect.TypeOf(&awskms.Client{})
	for op := range listed {
		if !served[op] {
			t.Errorf("keys lists operation %s but the operation table does not serve it", op)
		}
		if _, ok := client.MethodByName(string(op)); !ok {
			t.Errorf("keys lists operation %s, which is not in the KMS service model", op)
		}
	}
}

// TestNoOutputMatchesTheServiceModel: an operation answers an empty body
// exactly when the service model gives it no output, which the SDK's
// generated XxxOutput shows by holding nothing but ResultMetadata.
func TestNoOutputMatchesTheServiceModel(t *testing.T) {
	client := reflect.TypeOf(&awskms.Client{})
	for _, op := range Operations(nil) {
		m, ok := client.MethodByName(op.Name)
		if !ok {
			continue // reported by TestOperationTableMatchesTheServiceModel
		}
		out := m.Type.Out(0).Elem()
		members := 0
		for i := range out.NumField() {
			if f := out.Field(i); f.IsExported() && f.Name != "ResultMetadata" {
				members++
			}
		}
		if modelHasNone := members == 0; op.noOutput != modelHasNone {
			t.Errorf("%s: empty body %v, but the model's output has %d members", op.Name, op.noOutput, members)
		}
	}
}
