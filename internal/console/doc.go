// Package console serves Trent's web console under /console/: static
// assets embedded with go:embed (HTML, JavaScript modules, CSS), nothing
// else.
//
// The console is a pure client of the public KMS API. The browser signs
// every request with SigV4 (assets/sigv4.js, WebCrypto) using credentials
// the user typed in, and sends it to POST / like any SDK, so the console can
// do nothing its user could not do with the AWS CLI. There are no private
// routes and no server-side sessions; this package only hands out files.
package console
