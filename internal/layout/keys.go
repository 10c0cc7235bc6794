package layout

import (
	"fmt"
	"strings"
)

// Account returns the prefix of everything an account owns in a Region.
func Account(account, region string) string { return "acct/" + account + "/" + region + "/" }

// AccountsPrefix is the prefix of every customer record.
const AccountsPrefix = "acct/"

// Key is the key of a KMS key's metadata record.
func Key(account, region, keyID string) string { return Keys(account, region) + keyID }

// IsKey reports whether a store key is that of a key's metadata record,
// acct/<account>/<region>/key/<key-id> (a scan of AccountsPrefix finds
// every kind of customer record).
func IsKey(name string) bool {
	parts := strings.Split(name, "/")
	return len(parts) == 5 && parts[0]+"/" == AccountsPrefix && parts[3] == "key" &&
		parts[1] != "" && parts[2] != "" && parts[4] != ""
}

// Keys is the prefix of the key metadata records of an account and Region.
func Keys(account, region string) string { return Account(account, region) + "key/" }

// Materials is the prefix of a key's material versions.
func Materials(account, region, keyID string) string {
	return Account(account, region) + "material/" + keyID + "/"
}

// Material is the key of one sealed material version of a key.
func Material(account, region, keyID string, version uint32) string {
	return Materials(account, region, keyID) + MaterialName(version)
}

// MaterialName is a material version's name under its key's prefix.
func MaterialName(version uint32) string { return fmt.Sprintf("%08x", version) }

// Alias is the key of an alias record.
func Alias(account, region, aliasName string) string { return Aliases(account, region) + aliasName }

// Aliases is the prefix of the alias records of an account and Region.
func Aliases(account, region string) string { return Account(account, region) + "alias/" }

// KeyAliases is the prefix of the index of a key's aliases; each entry's
// name under it is an alias name.
func KeyAliases(account, region, keyID string) string {
	return Account(account, region) + "keyalias/" + keyID + "/"
}

// Tags is the key of a key's tag set.
func Tags(account, region, keyID string) string { return Account(account, region) + "tags/" + keyID }

// Policy is the key of a key's policy document.
func Policy(account, region, keyID string) string {
	return Account(account, region) + "policy/" + keyID
}

// Import is the key of a key's import record (an EXTERNAL key: the secret
// its KeyMaterialIds are derived with, and its live import tokens).
func Import(account, region, keyID string) string {
	return Account(account, region) + "import/" + keyID
}

// Usage is the key of a key's last-use record (GetKeyLastUsage).
func Usage(account, region, keyID string) string { return Account(account, region) + "usage/" + keyID }

// Meta keys: records about the store itself rather than about customers.
const (
	// MetaRootKeyCheck holds a value sealed under the root key when the
	// store was first opened; unsealing it proves the root key is the one
	// the data was sealed with.
	MetaRootKeyCheck = "meta/root-key-check"
	// MetaLayout holds the layout version of the records.
	MetaLayout = "meta/layout"
	// MetaAuditShipped holds where the audit log file ended after the last
	// batch of records shipped to it from the legacy outbox (layout
	// version 2, LegacyOutboxPrefix).
	MetaAuditShipped = "meta/audit-shipped"
)

// AuditShipped is the key that holds where the node's audit log file ended
// after the last batch shipped to it from the node's outbox.
func AuditShipped(nodeID string) string { return MetaAuditShipped + "/" + nodeID }

// Version is the layout version this code writes.
const Version = 3
