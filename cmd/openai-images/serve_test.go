package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image/png"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/imagegen-go/openai-images/wrapper"
)

// TestServe starts serve on a free loopback port, uses it with the
// wrapper and with the command itself (a stream included), and stops it by
// cancelling the context, as SIGINT does.
func TestServe(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, &stdout, &stderr, func(string) string { return "" })
	}()

	var base string
	for deadline := time.Now().Add(10 * time.Second); base == ""; {
		select {
		case code := <-done:
			t.Fatalf("serve exited %d early: %s", code, stderr.String())
		default:
		}
		if line, ok := strings.CutPrefix(stdout.String(), "OPENAI_BASE_URL="); ok && strings.HasSuffix(line, "\n") {
			base = strings.TrimSpace(line)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no OPENAI_BASE_URL line; stdout %q, stderr %q", stdout.String(), stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.HasPrefix(base, "http://127.0.0.1:") || !strings.HasSuffix(base, "/v1") {
		t.Fatalf("base URL %q", base)
	}

	client, err := wrapper.New(wrapper.WithBaseURL(base), wrapper.WithAPIKey("any"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := client.Generate(ctx, wrapper.GenerateParams{Prompt: "a cat", Model: wrapper.ModelGPTImage2, Size: wrapper.CustomSize(256, 256)})
	if err != nil {
		t.Fatal(err)
	}
	if _, format, err := res.Data[0].Decode(ctx); err != nil || format != "png" {
		t.Fatalf("image: %v %v", format, err)
	}

	// The command through serve (any key does): a stream must be flushed
	// through the request log.
	env := map[string]string{"OPENAI_BASE_URL": base, "OPENAI_API_KEY": "any"}
	r := runCLI(t, env, "generate", "--json", "--out", t.TempDir(), "--model", "gpt-image-2", "--size", "256x256", "--partial-images", "2", "a cat").mustSucceed(t)
	if s := parseSummary(t, r.stdout); len(s.Files) != 3 {
		t.Errorf("stream through serve wrote %d files", len(s.Files))
	}

	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("serve exited %d, want 0; stderr %q", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
	log := stderr.String()
	for _, want := range []string{"emulator serving the Images API at " + base, "POST /v1/images/generations 200", "emulator stopped"} {
		if !strings.Contains(log, want) {
			t.Errorf("stderr lacks %q:\n%s", want, log)
		}
	}
	if got := lines(stdout.String()); len(got) != 1 {
		t.Errorf("stdout = %q, want only the OPENAI_BASE_URL line", stdout.String())
	}
}

// TestServeLoopbackOnly checks that serve refuses addresses other than
// loopback ones, before listening.
func TestServeLoopbackOnly(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.1:8089", "example.com:80", "127.0.0.1"} {
		r := runCLI(t, nil, "serve", "--addr", addr)
		if r.code != exitUsage || r.stdout != "" || !strings.HasPrefix(r.stderr, "openai-images: serve: --addr") {
			t.Errorf("--addr %s: exit %d, stdout %q, stderr %q", addr, r.code, r.stdout, r.stderr)
		}
	}
}

// startServe runs serve with args on a free port and returns its base URL;
// the server stops at the end of the test.
func startServe(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--quiet"}, args...), &stdout, &stderr, func(string) string { return "" })
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != exitOK {
			t.Errorf("serve exited %d: %s", code, stderr.String())
		}
	})
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		select {
		case code := <-done:
			done <- code
			t.Fatalf("serve exited %d early: %s", code, stderr.String())
		default:
		}
		if line, ok := strings.CutPrefix(stdout.String(), "OPENAI_BASE_URL="); ok && strings.HasSuffix(line, "\n") {
			return strings.TrimSpace(line)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no OPENAI_BASE_URL line; stderr %q", stderr.String())
		}
	}
}

func post(t *testing.T, url, body string) (*http.Response, string, error) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer any")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, string(b), err
}

const smallGen = `{"prompt":"a cat","model":"gpt-image-2","size":"256x256"}`

// TestServeRateLimitAndLog checks --rpm, --burst and --log-size, the
// inspector page and the log endpoint.
func TestServeRateLimitAndLog(t *testing.T) {
	t.Parallel()
	base := startServe(t, "--rpm", "60", "--burst", "2", "--log-size", "2")
	var codes []int
	var last *http.Response
	for range 3 {
		resp, _, err := post(t, base+"/images/generations", smallGen)
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, resp.StatusCode)
		last = resp
	}
	if codes[0] != 200 || codes[1] != 200 || codes[2] != 429 {
		t.Fatalf("codes %v", codes)
	}
	h := last.Header
	if h.Get("Retry-After") != "1" || h.Get("x-ratelimit-limit-requests") != "60" || h.Get("x-ratelimit-remaining-requests") != "0" || h.Get("x-ratelimit-reset-requests") == "" {
		t.Errorf("429 headers %v", h)
	}
	root := strings.TrimSuffix(base, "/v1")
	resp, err := http.Get(root + "/v1/emulator/requests")
	if err != nil {
		t.Fatal(err)
	}
	var log struct {
		Data []struct {
			Status int    `json:"status"`
			Path   string `json:"path"`
		} `json:"data"`
	}
	json.NewDecoder(resp.Body).Decode(&log)
	resp.Body.Close()
	// The 429 never reached the emulator: the log holds the two accepted.
	if len(log.Data) != 2 || log.Data[0].Status != 200 || log.Data[1].Path != "/v1/images/generations" {
		t.Errorf("log %+v", log.Data)
	}
	resp, err = http.Get(root + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.Count(string(page), "<tr data-seq=") != 2 {
		t.Errorf("inspector: %d, %d rows", resp.StatusCode, strings.Count(string(page), "<tr data-seq="))
	}
}

// TestServeFailures checks the failure flags, each at rate 1.
func TestServeFailures(t *testing.T) {
	t.Parallel()
	streamGen := `{"prompt":"a cat","model":"gpt-image-1.5","size":"1024x1024","stream":true,"partial_images":1}`
	t.Run("fail", func(t *testing.T) {
		base := startServe(t, "--fail", "503=1")
		resp, body, err := post(t, base+"/images/generations", smallGen)
		if err != nil || resp.StatusCode != 503 || !strings.Contains(body, `"type":"server_error"`) || resp.Header.Get("x-request-id") == "" {
			t.Errorf("%v %v %s", err, resp, body)
		}
	})
	t.Run("drop", func(t *testing.T) {
		base := startServe(t, "--drop-rate", "1")
		if _, _, err := post(t, base+"/images/generations", smallGen); err == nil {
			t.Error("no connection error")
		}
	})
	t.Run("truncate", func(t *testing.T) {
		base := startServe(t, "--truncate-stream-rate", "1")
		resp, body, err := post(t, base+"/images/generations", streamGen)
		if err != nil || resp.StatusCode != 200 || body != "" {
			t.Errorf("%v %v %q", err, resp, body)
		}
		// Not a stream: untouched.
		if resp, _, err := post(t, base+"/images/generations", smallGen); err != nil || resp.StatusCode != 200 {
			t.Errorf("plain request: %v %v", err, resp)
		}
	})
	t.Run("drop stream", func(t *testing.T) {
		base := startServe(t, "--drop-stream-rate", "1")
		if resp, body, err := post(t, base+"/images/generations", streamGen); err == nil {
			t.Errorf("stream read fully: %v %q", resp.StatusCode, body)
		}
	})
}

// TestServeFlagErrors checks bad values are usage errors, before listening.
func TestServeFlagErrors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--fail", "200=0.1"}, {"--fail", "500=2"}, {"--fail", "500"}, {"--fail", "500=0.6", "--fail", "503=0.6"},
		{"--burst", "3"}, {"--rpm", "-1"}, {"--log-size", "0"}, {"--drop-rate", "x"}, {"--latency", "-1s"},
		{"--allow-retired", "--refuse-retired"},
	} {
		r := runCLI(t, nil, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
		if r.code != exitUsage || r.stdout != "" || !strings.HasPrefix(r.stderr, "openai-images: serve: ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, r.code, r.stdout, r.stderr)
		}
	}
}

// TestServeRetiredModels checks that serve answers retired models and the
// variations endpoint as the API does now, and serves them with
// --allow-retired; --refuse-retired, the old opt-in, is accepted and
// changes nothing.
func TestServeRetiredModels(t *testing.T) {
	t.Parallel()
	const retired = `{"prompt":"a cat","model":"dall-e-3","size":"1024x1024"}`
	for _, c := range []struct {
		args []string
		want int
	}{{nil, 400}, {[]string{"--refuse-retired"}, 400}, {[]string{"--allow-retired"}, 200}} {
		base := startServe(t, c.args...)
		resp, body, err := post(t, base+"/images/generations", retired)
		if err != nil || resp.StatusCode != c.want {
			t.Fatalf("%v: %v %v %s", c.args, err, resp, body)
		}
		if c.want == 400 {
			var e struct {
				Error struct{ Param, Code, Message string } `json:"error"`
			}
			json.Unmarshal([]byte(body), &e)
			if e.Error.Param != "model" || e.Error.Code != "model_not_found" || !strings.Contains(e.Error.Message, "May 12, 2026") {
				t.Errorf("%v: %s", c.args, body)
			}
		}
	}
	// The variations endpoint, through the wrapper: its own refusal is
	// off (not OpenAI's host), so the emulator's answer is what counts.
	var square bytes.Buffer
	png.Encode(&square, gradient(64, 64, 1))
	img := wrapper.ImageFromBytes("a.png", square.Bytes())
	for _, allow := range []bool{false, true} {
		var args []string
		if allow {
			args = []string{"--allow-retired"}
		}
		client, err := wrapper.New(wrapper.WithBaseURL(startServe(t, args...)), wrapper.WithAPIKey("any"))
		if err != nil {
			t.Fatal(err)
		}
		_, err = client.CreateVariation(t.Context(), wrapper.VariationParams{Image: img, Size: wrapper.Size256x256})
		var apiErr *wrapper.APIError
		if refused := errors.As(err, &apiErr) && apiErr.StatusCode == 400 && apiErr.Code == "model_not_found"; refused == allow || (allow && err != nil) {
			t.Errorf("--allow-retired %v: %v", allow, err)
		}
	}
}
