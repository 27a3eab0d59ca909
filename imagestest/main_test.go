package imagestest

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them (the
// streamed multipart writers, stream readers, batch workers). Only the
// idle keep-alive loops of net/http's connection pool may remain: they end
// with the pool's idle timeout, not with a request.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreTopFunction("net/http.(*persistConn).readLoop"),
		goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"),
	)
}
