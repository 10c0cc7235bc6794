// Package layout is the one place that says where Trent keeps things in the
// store: the key of every record and index entry, the meta/ keys, the
// layout's version, and what a transaction spends against the store's
// declared limits (store.Limits). Every package that reads or writes the
// store takes its keys from here, so the layout can be read, versioned and
// migrated as a whole.
//
// Layout version 3:
//
//	acct/<account>/<region>/key/<key-id>                    key metadata
//	acct/<account>/<region>/material/<key-id>/<version>     sealed key material, one record per version
//	acct/<account>/<region>/alias/<alias-name>              alias -> key
//	acct/<account>/<region>/keyalias/<key-id>/<alias-name>  index: aliases of a key
//	acct/<account>/<region>/tags/<key-id>                   tag set
//	acct/<account>/<region>/policy/<key-id>                 key policy document
//	acct/<account>/<region>/usage/<key-id>                  last cryptographic use
//	acct/<account>/<region>/grant/<key-id>/<grant-id>       grant
//	acct/<account>/<region>/grantcount/<key-id>             number of grants of a key
//	acct/<account>/<region>/grantee/<key-id>/<grantee-account>/<grantee>/<grant-id>
//	                                                        index: grants of a key by grantee
//	acct/<account>/<region>/grantname/<key-id>/<name>/<grant-id>
//	                                                        index: grants of a key by Name
//	acct/<principal-account>/<region>/retirable/<principal>/<key-account>/<key-id>/<grant-id>
//	                                                        index: grants a principal may retire
//	due/<seconds>.<nanoseconds>/<account>/<region>/<key-id>/<kind>
//	                                                        scheduler index
//	trash/<account>/<region>/<key-id>                       key being deleted, children remain
//	outbox/node/<node-id>/<seconds>.<nanoseconds>/<event-id>
//	                                                        audit records not yet in the node's log file
//	meta/root-key-check                                     value sealed under the root key
//	meta/layout                                             this layout's version
//	meta/audit-shipped/<node-id>                            how far the node's log file holds shipped records
//
// Everything a customer owns lives under its account and Region, so one
// prefix scan lists it and nothing leaks between tenants. Material versions
// are zero-padded hex and times are zero-padded decimal, so that key order
// is numeric order.
//
// Version 1 (Trent's first release) named due times in whole seconds,
// rounded up (due/<seconds>/...); version 2 names them exactly, so that
// work is found due the moment it is.
//
// Version 2 had one audit outbox for the store (outbox/audit/<seconds>.
// <nanoseconds>/<event-id>, with meta/audit-shipped); version 3 gives each
// node its own (a node ships only the records of the requests it served,
// to its own log file), which matters once several nodes share a store.
// The outbox is transient: a node ships what a crash left in the old one
// when it starts (audit.Shipper.Recover), before the upgrade, so the
// upgrade from 2 to 3 moves no records.
package layout
