// Package e2e holds Trent's end-to-end tests: a real node (store in a temp
// directory, root key, audit log) behind a real HTTP listener, driven through
// the AWS SDK for Go v2 and, in cli_test.go, the AWS CLI.
package e2e
