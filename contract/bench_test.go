package contract

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/imagegen-go/openai-images/internal/loadgen"
)

// The validator's cost beside json.Unmarshal of the same body (into an any,
// the value the validator itself decodes and checks). Each case runs the
// validator's public entry point on a fresh copy of the body, and the
// baseline on the same bytes:
//
//	go test -run='^$' -bench=Validate -count=5 ./contract/
//
// The target (issue 14) is a validate/unmarshal ratio of at most 10 for the
// JSON cases; the multipart case's baseline is reading the form's parts
// with mime/multipart, the stream case's is unmarshalling its one event.
// cpu-ns/op (the process's CPU time per operation) is the steadier figure
// on a shared machine.

// benchGenerate is a small generation request, as the emulator benchmarks
// send it.
const benchGenerate = `{"model":"dall-e-2","prompt":"a small red sailing boat on a calm sea","n":1,"size":"256x256","response_format":"b64_json","user":"bench"}`

// benchGenerateGPT sets every GPT image option.
const benchGenerateGPT = `{"model":"gpt-image-1.5","prompt":"a small red sailing boat on a calm sea","n":2,"size":"1024x1536","quality":"high","background":"transparent","moderation":"low","output_format":"webp","output_compression":80,"stream":true,"partial_images":2}`

// benchImagesResponse is an images response carrying one image of size
// bytes of base64 (a 256x256 PNG is 20-60 KB).
func benchImagesResponse(size int) string {
	return `{"created":1700000000,"data":[{"b64_json":"` + strings.Repeat("QUJD", size/4) + `"}],"background":"opaque","output_format":"png","size":"1024x1024","quality":"medium","usage":{"input_tokens":50,"total_tokens":100,"output_tokens":50,"input_tokens_details":{"text_tokens":10,"image_tokens":40}}}`
}

func BenchmarkValidateRequest(b *testing.B) {
	v := newValidator(b)
	for _, c := range []struct{ name, body string }{
		{"createImage", benchGenerate},
		{"createImage-gpt", benchGenerateGPT},
	} {
		body := []byte(c.body)
		b.Run(c.name+"/validate", func(b *testing.B) {
			r := jsonRequest(b, genURL, "")
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			defer loadgen.CPUPerOp(b)()
			for b.Loop() {
				r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
				if err := v.ValidateRequest(r); err != nil {
					b.Fatal(err)
				}
				r.Body.Close()
			}
		})
		b.Run(c.name+"/json.Unmarshal", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			defer loadgen.CPUPerOp(b)()
			for b.Loop() {
				var x any
				if err := json.Unmarshal(body, &x); err != nil {
					b.Fatal(err)
				}
			}
		})
	}

	// A GET with a path parameter, checked by openapi3filter.
	b.Run("retrieveBatch/validate", func(b *testing.B) {
		r, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:1234/v1/batches/batch_123", nil)
		r.Header.Set("Authorization", "Bearer sk-test")
		b.ReportAllocs()
		defer loadgen.CPUPerOp(b)()
		for b.Loop() {
			if err := v.ValidateRequest(r); err != nil {
				b.Fatal(err)
			}
		}
	})

	body, ct := multipartBody(b,
		field("model", "gpt-image-1.5"), field("prompt", "add a lighthouse"), field("n", "1"),
		field("size", "1024x1024"), field("quality", "high"),
		file("image[]", "a.png", 32<<10), file("image[]", "b.png", 32<<10), file("mask", "m.png", 8<<10))
	b.Run("createImageEdit-multipart/validate", func(b *testing.B) {
		r := multipartRequest(b, editURL)
		r.Header.Set("Content-Type", ct)
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		defer loadgen.CPUPerOp(b)()
		for b.Loop() {
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
			if err := v.ValidateRequest(r); err != nil {
				b.Fatal(err)
			}
			r.Body.Close()
		}
	})
	b.Run("createImageEdit-multipart/multipart.Reader", func(b *testing.B) {
		boundary := ct[strings.Index(ct, "boundary=")+len("boundary="):]
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		defer loadgen.CPUPerOp(b)()
		for b.Loop() {
			mr := multipart.NewReader(bytes.NewReader(body), boundary)
			for {
				p, err := mr.NextPart()
				if err == io.EOF {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, p)
			}
		}
	})
}

func BenchmarkValidateResponse(b *testing.B) {
	v := newValidator(b)
	req := jsonRequest(b, genURL, benchGenerate)
	for _, c := range []struct {
		name string
		size int
	}{{"createImage-small", 4}, {"createImage-40KB", 40 << 10}} {
		body := []byte(benchImagesResponse(c.size))
		b.Run(c.name+"/validate", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			defer loadgen.CPUPerOp(b)()
			for b.Loop() {
				resp := response(200, "application/json", "")
				resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
				if err := v.ValidateResponse(req, resp); err != nil {
					b.Fatal(err)
				}
				resp.Body.Close()
			}
		})
		b.Run(c.name+"/json.Unmarshal", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			defer loadgen.CPUPerOp(b)()
			for b.Loop() {
				var x any
				if err := json.Unmarshal(body, &x); err != nil {
					b.Fatal(err)
				}
			}
		})
	}

	// One stream event: the per-event check Middleware and RoundTripper make.
	streamReq := jsonRequest(b, genURL, `{"prompt":"x","stream":true}`)
	route, _, err := v.findRoute(streamReq)
	if err != nil {
		b.Fatal(err)
	}
	mt, _, err := v.responseMedia(route, streamReq, 200, http.Header{"Content-Type": {"text/event-stream"}})
	if err != nil {
		b.Fatal(err)
	}
	event := []byte(genCompleted)
	b.Run("stream-event/validate", func(b *testing.B) {
		sv := v.newStreamValidator(route.Operation.OperationID, eventSchema(mt))
		b.SetBytes(int64(len(event)))
		b.ReportAllocs()
		defer loadgen.CPUPerOp(b)()
		for b.Loop() {
			if e := sv.checkEvent(sseEvent{name: "image_generation.completed", data: event}); e != nil {
				b.Fatal(e)
			}
		}
	})
	b.Run("stream-event/json.Unmarshal", func(b *testing.B) {
		b.SetBytes(int64(len(event)))
		b.ReportAllocs()
		defer loadgen.CPUPerOp(b)()
		for b.Loop() {
			var x any
			if err := json.Unmarshal(event, &x); err != nil {
				b.Fatal(err)
			}
		}
	})
}
