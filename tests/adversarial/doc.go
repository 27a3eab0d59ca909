// Package adversarial is the wrapper's adversarial test suite: black-box
// tests, through the exported API only (and the CLI, built once and run as
// a user would), of what the client does when the server, the network or
// the caller misbehaves: retries and their waits, resets, stalls,
// deadlines and cancellation during uploads and streams, malformed and
// oversized streams and error bodies, secrets in errors, logs and
// redirects, and inputs that must be refused before anything is sent.
//
// The hostile-server cases of issue 13 each have a test: credentials
// echoed back in every channel (leaks_test.go: errors, values, debug logs,
// CLI stdout, stderr and --json, batch manifests and Batch API files,
// emulator records), gzip bombs and oversized downloads with the memory
// they may cost (limits_test.go), keep-alive streams and stalled downloads,
// image URLs pointing inside the network (ssrf_test.go: no dial), bytes
// that are not the declared image format and successes without images
// (content_test.go), FIFOs, file modes, stale temporary files, invalid
// UTF-8, nil contexts and base URLs with a query (inputs_test.go), batch
// items whose images could share a file (batchnames_test.go).
//
// Waits are tested inside testing/synctest bubbles (fake clock) over
// in-memory transports; only the tests that need a real TCP connection
// (resets, redirects, gzip, the CLI) use loopback httptest servers. The run must end with no
// goroutine left (go.uber.org/goleak in TestMain), and the upload deadline
// test checks that after its own call.
//
// It has no code of its own; run it with go test -race ./tests/adversarial/.
package adversarial
