// Package bench is trent-bench: a load generator that drives any KMS
// endpoint over its wire API, and the "floor" server it is compared with.
//
// The generator sends raw net/http requests signed with aws-sdk-go-v2's
// SigV4 signer (not the SDK client, whose middleware would dominate the
// client side), with N concurrent clients for a fixed duration per
// operation, and reports ops/s, latency quantiles and errors per operation
// code, as a table and as JSON.
//
// The floor (floor.go) is the least any KMS-over-HTTP can do per Encrypt,
// Decrypt or GenerateDataKey: accept the request, verify its SigV4
// signature, parse the JSON body, do one AES-256-GCM seal or open under a
// fixed key and write a fixed-shape response. Trent's throughput divided by the floor's says how
// much of the per-request cost is Trent's own.
//
// Time: the package never reads the wall clock itself (internal/clock's
// rule); callers inject Now. It is a function rather than a clock.Clock
// because latencies need the monotonic reading that time.Now carries and
// clock.Real's UTC() strips.
package bench
