package awsjson

import (
	"errors"

	"github.com/trent-kms/trent/internal/kmserr"
	"github.com/trent-kms/trent/internal/store"
)

// noDependencyTimeout are the operations whose model does not list
// DependencyTimeoutException (../shared/spec, "Error shapes"); the others
// all do. A store that is unavailable fails them with KMSInternalException.
var noDependencyTimeout = map[string]bool{
	"ConnectCustomKeyStore": true, "CreateCustomKeyStore": true, "DeleteCustomKeyStore": true,
	"DescribeCustomKeyStores": true, "DisconnectCustomKeyStore": true, "GenerateMac": true,
	"ListKeyRotations": true, "ListResourceTags": true, "ReplicateKey": true, "TagResource": true,
	"UntagResource": true, "UpdateCustomKeyStore": true, "UpdatePrimaryRegion": true, "VerifyMac": true,
}

// unavailable turns an internal error caused by an unavailable store
// (store.ErrUnavailable: etcd out of reach, or a cache that cannot confirm
// it is current) into DependencyTimeoutException, AWS's error for a
// dependency that did not answer in time, where op's model lists it.
func unavailable(op string, e *kmserr.Error) *kmserr.Error {
	if e == nil || e.Code != kmserr.CodeInternal || noDependencyTimeout[op] || !errors.Is(e.Cause(), store.ErrUnavailable) {
		return e
	}
	return kmserr.DependencyTimeout(e.Cause())
}
