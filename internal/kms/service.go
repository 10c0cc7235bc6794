// Package kms is the service: one method per KMS API operation, grouped in
// files by topic (keys, crypto, rotation, aliases, tags, policies, ...).
//
// Each operation validates its input exactly as the service model says,
// resolves the key, authorises the caller, checks the key-state table, does
// the work and commits state in one store transaction. Operations never touch
// HTTP, never log bodies and never read the wall clock; the wire layer
// (awsjson) decodes requests, encodes responses and writes the audit record.
package kms

import (
	"crypto/rand"
	"errors"
	"io"
	"log/slog"

	"github.com/trent-kms/trent/internal/audit"
	"github.com/trent-kms/trent/internal/clock"
	"github.com/trent-kms/trent/internal/secret"
	"github.com/trent-kms/trent/internal/store"
)

// Sealer seals key material for storage under the root key (package seal).
// aad binds a sealed record to where it belongs.
type Sealer interface {
	Seal(plaintext, aad []byte, rand io.Reader) ([]byte, error)
	Unseal(sealed, aad []byte) (*secret.Bytes, error)
}

// Auditor takes the audit records of changes (package audit's Shipper).
type Auditor interface {
	// Stage writes rec into tx, so it is committed with the change.
	Stage(tx store.Tx, rec *audit.Record) error
	// StagePrepared is Stage of a record encoded beforehand
	// (audit.Prepare).
	StagePrepared(tx store.Tx, p audit.Prepared) error
	// Kick asks for staged records to be shipped to the log soon.
	Kick()
}

// Config holds the service's dependencies.
type Config struct {
	Store  store.Store
	Sealer Sealer
	Clock  clock.Clock
	// Rand is the source of key material, IDs and nonces; crypto/rand by
	// default. Tests may not replace it with anything predictable in
	// production code paths.
	Rand io.Reader
	// Audit stages the record of every change in the transaction that
	// commits it: requests' changes and the actions Trent takes on its own
	// (automatic rotation, key deletion).
	Audit  Auditor
	Logger *slog.Logger
	// Kick, if set, asks the scheduler to run soon (after RotateKeyOnDemand).
	Kick func()
	// Directory says which principals exist, for key policies; nil means
	// every well-formed principal does (--dev without an identities file).
	Directory Directory
	// CacheKeys bounds the keys whose decoded records, unsealed material
	// and compiled policies are kept in memory; 0 means DefaultCacheKeys.
	CacheKeys int
	// LocalStackTags honours LocalStack's CreateKey tags _custom_id_ and
	// _custom_key_material_ (dev mode only: in AWS they are plain tags).
	LocalStackTags bool
}

// Service implements the KMS API operations.
type Service struct {
	store     store.Store
	sealer    Sealer
	clock     clock.Clock
	rand      io.Reader
	audit     Auditor
	log       *slog.Logger
	kick      func()
	materials *materialCache
	keygen    keygenLimiter
	usage     *usageTracker
	malformed malformedEntries
	policies  *policyCache
	directory Directory
	// keyRecords keeps decoded key records for the hot path.
	keyRecords *keyRecordCache
	// localStackTags: Config.LocalStackTags.
	localStackTags bool
}

// New returns a service.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Sealer == nil || cfg.Clock == nil || cfg.Audit == nil {
		return nil, errors.New("kms: Store, Sealer, Clock and Audit are required")
	}
	cacheKeys := cfg.CacheKeys
	if cacheKeys <= 0 {
		cacheKeys = DefaultCacheKeys
	}
	s := &Service{
		store:      cfg.Store,
		sealer:     cfg.Sealer,
		clock:      cfg.Clock,
		rand:       cfg.Rand,
		audit:      cfg.Audit,
		log:        cfg.Logger,
		kick:       cfg.Kick,
		materials:  newMaterialCache(cacheKeys),
		keygen:     newKeygenLimiter(),
		usage:      newUsageTracker(),
		policies:   newPolicyCache(cacheKeys),
		keyRecords: newKeyRecordCache(cacheKeys),
		directory:  cfg.Directory,

		localStackTags: cfg.LocalStackTags,
	}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.kick == nil {
		s.kick = func() {}
	}
	return s, nil
}
