package main

import (
	"path/filepath"
	"reflect"
	"testing"
)

// TestVariation checks variations, under the command's old name: count,
// size and format of the files, and the form fields sent.
func TestVariation(t *testing.T) {
	t.Parallel()
	for _, rf := range []string{"b64_json", "url"} {
		t.Run(rf, func(t *testing.T) {
			t.Parallel()
			// The variations endpoint is retired: an OpenAI-compatible
			// server may still serve it.
			srv := newRetiredServer(t)
			env := srv.env
			img := writePNG(t, t.TempDir(), "square.png", gradient(256, 256, 9))
			r := runCLI(t, env, "variation", "--json", "--out", t.TempDir(), "--image", img, "--model", "dall-e-2",
				"--n", "2", "--size", "256x256", "--response-format", rf, "--user", "u-1").mustSucceed(t)
			s := parseSummary(t, r.stdout)
			if s.Command != "vary" || len(s.Files) != 2 {
				t.Fatalf("summary = %+v", s)
			}
			for _, f := range s.Files {
				if format, w, h := decodeConfig(t, f.Path); format != "png" || w != 256 || h != 256 {
					t.Errorf("%s is %s %dx%d", f.Path, format, w, h)
				}
			}
			req := srv.requests()[0]
			want := map[string]any{"model": "dall-e-2", "n": "2", "size": "256x256", "response_format": rf, "user": "u-1"}
			if req.Path != "/v1/images/variations" || !reflect.DeepEqual(req.Params, want) {
				t.Errorf("request %s with fields %v, want %v", req.Path, req.Params, want)
			}
			if len(req.Files) != 1 || req.Files[0].Field != "image" || req.Files[0].Width != 256 {
				t.Errorf("file parts = %+v", req.Files)
			}
		})
	}
}

// TestEmulatorAllowRetired checks --allow-retired with --emulator: without
// it the emulator answers the retired variations endpoint and models as the
// API does now (a 400 naming the model, exit 1, after sending: the emulator
// is not OpenAI's own host); with it, it serves them as an OpenAI-compatible
// server may.
func TestEmulatorAllowRetired(t *testing.T) {
	t.Parallel()
	img := writePNG(t, t.TempDir(), "square.png", gradient(256, 256, 9))
	r := runCLI(t, nil, "vary", "--emulator", "--json", "-o", filepath.Join(t.TempDir(), "v.png"), "-i", img, "-s", "256x256")
	if s := parseSummary(t, r.stdout); r.code != exitFailure || s.Error == nil || s.Error.Kind != kindAPI || s.Error.Status != 400 || s.Error.Param != "model" {
		t.Errorf("without --allow-retired: exit %d, %+v", r.code, s.Error)
	}
	runCLI(t, nil, "vary", "--emulator", "--allow-retired", "-o", filepath.Join(t.TempDir(), "v.png"), "-i", img, "-s", "256x256").mustSucceed(t)
	runCLI(t, nil, "generate", "--emulator", "--allow-retired", "-m", "dall-e-3", "-o", filepath.Join(t.TempDir(), "b.png"), "a boat").mustSucceed(t)
}
