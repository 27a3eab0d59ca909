// Package adversarial is the wrapper's adversarial test suite: black-box
// tests, through the exported API only, of what the client does when the
// server, the network or the caller misbehaves: retries and their waits,
// resets, stalls, deadlines and cancellation during uploads and streams,
// malformed and oversized streams and error bodies, secrets in errors, logs
// and redirects, and inputs that must be refused before anything is sent.
//
// Waits are tested inside testing/synctest bubbles (fake clock) over
// in-memory transports; only the tests that need a real TCP connection
// (resets, redirects) use loopback httptest servers. The run must end with no
// goroutine left (go.uber.org/goleak in TestMain), and the upload deadline
// test checks that after its own call.
//
// It has no code of its own; run it with go test -race ./tests/adversarial/.
package adversarial
