package wrapper

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/imagegen-go/openai-images/internal/redact"
	"github.com/imagegen-go/openai-images/wrapper/internal/sse"
)

// randomImageEvent is one 64 MiB event whose data is the base64 of random
// bytes, as a compressed image's is.
func randomImageEvent() []byte {
	raw := make([]byte, 48<<20)
	r := rand.NewChaCha8([32]byte{1})
	r.Read(raw)
	var b bytes.Buffer
	b.WriteString("event: image_generation.completed\ndata: ")
	b.WriteString(base64.StdEncoding.EncodeToString(raw))
	b.WriteString("\n\n")
	return b.Bytes()
}

// BenchmarkSSEDecodeScrubbed64MiB decodes a 64 MiB event of base64 as a
// stream reaches the decoder: through the scrubber, for an OpenAI project
// key ("sk-proj-...") or an Azure-style key of 32 hex digits, against the
// same decoder reading the body directly.
//
//	go test -run='^$' -bench=SSEDecodeScrubbed64MiB -benchtime=10x ./wrapper/
func BenchmarkSSEDecodeScrubbed64MiB(b *testing.B) {
	data := randomImageEvent()
	for _, c := range []struct {
		name  string
		scrub *redact.Scrubber
	}{
		{"direct", nil},
		{"scrubbed-sk-proj-key", redact.New("sk-proj-" + strings.Repeat("Ab3_x9-Kq0", 16))},
		{"scrubbed-hex-key", redact.New("0f1e2d3c4b5a69788796a5b4c3d2e1f0")},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			r := bytes.NewReader(data)
			dec := sse.NewDecoder(r, sse.WithDataReuse())
			for b.Loop() {
				r.Reset(data)
				dec.Reset(c.scrub.Reader(r))
				ev, err := dec.Next()
				if err != nil || len(ev.Data) < 64<<20 {
					b.Fatalf("event of %d bytes, %v", len(ev.Data), err)
				}
			}
		})
	}
}
