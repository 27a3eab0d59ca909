package main

import (
	"context"
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
	res, err := client.Generate(ctx, wrapper.GenerateParams{Prompt: "a cat", Model: wrapper.ModelDallE2, Size: wrapper.Size256x256})
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
