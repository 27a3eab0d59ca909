package bench

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	openai "github.com/openai/openai-go/v3"

	"github.com/imagegen-go/openai-images/wrapper"
)

// imagesDecoders returns, per row, a function that makes one generate call
// answered with the images response p and returns the length of the
// b64_json (or, for the save rows, of the image written).
func imagesDecoders(tb testing.TB, s *server, p payload) map[string]func() (int, error) {
	mode := p.mode()
	ctx := context.Background()
	wc := newWrapper(tb, s.baseURL(cWrapper, mode), wrapper.WithMaxRetries(0))
	oc := newOpenAI(s.baseURL(cOpenAI, mode), 0)
	rawURL := s.baseURL(cRaw, mode) + "/images/generations"
	dirs := newOutDirs(tb)
	params := wrapper.GenerateParams{Prompt: "bench", Model: wrapper.ModelGPTImage15}
	one := func(n int) error {
		if n != 1 {
			return fmt.Errorf("%d images in the response", n)
		}
		return nil
	}
	return map[string]func() (int, error){
		cRawBufio: func() (int, error) {
			n, err := rawRead(rawURL)
			if err == nil && n != int(p.size()) {
				err = fmt.Errorf("read %d bytes, want %d", n, p.size())
			}
			return p.b64Len(), err
		},
		cWrapper: func() (int, error) {
			res, err := wc.Generate(ctx, params)
			if err != nil {
				return 0, err
			}
			if err := one(len(res.Data)); err != nil {
				return 0, err
			}
			return len(res.Data[0].B64JSON), nil
		},
		cWrapperSave: func() (int, error) {
			res, err := wc.Generate(ctx, params)
			if err != nil {
				return 0, err
			}
			if err := one(len(res.Data)); err != nil {
				return 0, err
			}
			path := filepath.Join(dirs.next(), "image.png")
			if err := res.Data[0].WriteFile(ctx, path); err != nil {
				return 0, err
			}
			return p.b64Len(), checkFile(path, p)
		},
		cWrapperFiles: func() (int, error) {
			res, err := wc.Generate(ctx, params, wrapper.WithImageFiles(dirs.next(), func(f wrapper.ImageFile) string { return "image" + f.Ext }))
			if err != nil {
				return 0, err
			}
			if err := one(len(res.Data)); err != nil {
				return 0, err
			}
			return p.b64Len(), checkFile(res.Data[0].Path, p)
		},
		cOpenAI: func() (int, error) {
			res, err := oc.Images.Generate(ctx, openai.ImageGenerateParams{Prompt: "bench", Model: openai.ImageModelGPTImage1_5})
			if err != nil {
				return 0, err
			}
			if err := one(len(res.Data)); err != nil {
				return 0, err
			}
			return len(res.Data[0].B64JSON), nil
		},
	}
}

// imagesRows is the order of the images benchmark's rows.
var imagesRows = []string{cRawBufio, cWrapper, cWrapperFiles, cWrapperSave, cOpenAI}

// BenchmarkImagesDecode makes one generate call answered with an images
// response (application/json) of 1 to 256 MiB, one base64 image filling it:
//
//   - raw-bufio reads the same body with bufio.Reader.ReadBytes (the body is
//     one line), the baseline;
//
//   - wrapper and openai-go return the typed response and take
//     len(data[0].b64_json);
//
//   - wrapper-files decodes the image into a file as the body arrives
//     (WithImageFiles), wrapper-save writes it to a file after the typed
//     call (GeneratedImage.WriteFile); both report peak-heap-MiB.
//
//     go test -run='^$' -bench=ImagesDecode -benchtime=1s
func BenchmarkImagesDecode(b *testing.B) {
	s := sharedServer()
	for _, size := range downloadSizes {
		p := jsonPayload(size * mib)
		decs := imagesDecoders(b, s, p)
		for _, client := range imagesRows {
			runDownload(b, fmt.Sprintf("%dMiB/%s", size, client), p, decs[client], client == cWrapperSave || client == cWrapperFiles)
		}
	}
}
