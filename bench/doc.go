// Package bench compares the wrapper with the two popular Go clients,
// github.com/openai/openai-go/v3 (the official SDK) and
// github.com/sashabaranov/go-openai, on the same in-process loopback server.
//
// It is its own module so that the peers never become dependencies of the
// library. Everything lives in the _test.go files:
//
//   - BenchmarkEditUpload: peak heap and time of 16 x 20 MiB (and 1 x 20 MiB)
//     multipart edits from files on disk, with and without one retry after
//     a 500.
//   - BenchmarkStreamDecode: one image_generation.completed event of 1 to
//     256 MiB through each client's image stream, typed and saved to a
//     file, beside a raw bufio.Reader.ReadBytes of the same body.
//   - BenchmarkImagesDecode: the same for one images response
//     (application/json) of 1 to 256 MiB.
//   - BenchmarkSaveConcurrent: peak heap while saving 20 MiB images 8 at a
//     time (streams, generate calls, a local batch).
//   - BenchmarkGenerateOverhead: a small generate call against a raw
//     net/http baseline.
//
// Responses carrying images are generated as they are written, so no copy
// of them lives on the heap: the heap measured is the client's.
//
// The tests (go test ./...) are smoke tests proving each client path and the
// harness itself against the same server. `go run ./cmd/benchtable` runs the
// benchmarks and prints markdown tables.
package bench
