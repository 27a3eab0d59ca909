package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imagegen-go/openai-images/imagestest"
)

const cliAzureKey = "0123456789abcdef0123456789abcdef"

// azureServer is the emulator as an Azure resource with these deployments,
// and the environment pointing the command at it.
func azureServer(t *testing.T, a imagestest.Azure) (*imagestest.Server, map[string]string) {
	t.Helper()
	srv := imagestest.NewServer(imagestest.WithAzure(a))
	t.Cleanup(func() {
		srv.Close()
		for _, err := range srv.Violations() {
			t.Errorf("emulator response violation: %v", err)
		}
	})
	return srv, map[string]string{
		"AZURE_OPENAI_ENDPOINT": srv.Endpoint, "AZURE_OPENAI_API_KEY": cliAzureKey, "OPENAI_API_VERSION": "2025-04-01-preview",
	}
}

// The command reads Azure's environment like the official SDKs, sends
// each call to its deployment with the api-version, and checks it by the
// deployment's model.
func TestAzureCommands(t *testing.T) {
	t.Parallel()
	srv, env := azureServer(t, imagestest.Azure{APIKey: cliAzureKey, Deployments: map[string]string{
		"images": "gpt-image-1.5", "gpt-image-1-mini": "gpt-image-1-mini", "legacy": "dall-e-2",
	}})
	dir := t.TempDir()

	// -m names the deployment; the deployment is named after its model.
	r := runCLI(t, env, "generate", "--json", "-m", "gpt-image-1-mini", "--quality", "low", "-o", filepath.Join(dir, "kite.png"), "a kite").mustSucceed(t)
	if s := parseSummary(t, r.stdout); len(s.Files) != 1 || s.Files[0].Width != 1024 {
		t.Errorf("summary %+v", s)
	}
	// --azure-deployment with -m naming its model: checked as gpt-image-1.5.
	r = runCLI(t, env, "generate", "--azure-deployment", "images", "-m", "gpt-image-1.5", "--style", "vivid", "-o", filepath.Join(dir, "x.png"), "a kite")
	if r.code != exitUsage || !strings.Contains(r.stderr, "gpt-image-1.5 (deployment images)") {
		t.Errorf("style on the deployment's model: exit %d\n%s", r.code, r.stderr)
	}
	// A deployment whose model the command does not know: sent, and the
	// emulator answers as that deployment's model does.
	runCLI(t, env, "edit", "-m", "images", "-i", writePNG(t, dir, "in.png", gradient(256, 256, 1)), "-i", writePNG(t, dir, "in2.png", gradient(256, 256, 2)),
		"-o", filepath.Join(dir, "edit.png"), "both in a basket").mustSucceed(t)
	runCLI(t, env, "vary", "-m", "legacy", "-i", filepath.Join(dir, "in.png"), "-s", "256x256", "-o", filepath.Join(dir, "vary.png")).mustSucceed(t)
	// Flags instead of the environment.
	flagsOnly := map[string]string{"AZURE_OPENAI_API_KEY": cliAzureKey}
	runCLI(t, flagsOnly, "generate", "--azure-endpoint", srv.Endpoint, "--api-version", "2024-10-21", "--azure-deployment", "images",
		"-o", filepath.Join(dir, "flags.png"), "a boat").mustSucceed(t)

	paths := map[string]bool{}
	for _, req := range srv.Requests() {
		paths[req.Method+" "+req.Path+"?"+req.Query] = true
		if req.Header.Get("api-key") != "" || strings.Contains(fmt.Sprint(req.Header), cliAzureKey) {
			t.Errorf("key recorded: %v", req.Header)
		}
	}
	for _, want := range []string{
		"POST /openai/deployments/gpt-image-1-mini/images/generations?api-version=2025-04-01-preview",
		"POST /openai/deployments/images/images/edits?api-version=2025-04-01-preview",
		"POST /openai/deployments/legacy/images/variations?api-version=2025-04-01-preview",
		"POST /openai/deployments/images/images/generations?api-version=2024-10-21",
	} {
		if !paths[want] {
			t.Errorf("no %s; got %v", want, paths)
		}
	}
	api := 0
	for _, req := range srv.Requests() {
		if strings.HasPrefix(req.Path, "/openai/") {
			api++
		} else if !strings.HasPrefix(req.Path, "/v1/emulator/images/") { // the variation's URL, downloaded
			t.Errorf("request to %s", req.Path)
		}
	}
	if api != 4 {
		t.Errorf("%d API requests, want 4 (the refused call sent nothing)", api)
	}
}

// A batch runs on Azure locally and through the Batch API (one deployment
// for the whole batch, as Azure requires).
func TestAzureBatch(t *testing.T) {
	t.Parallel()
	srv, env := azureServer(t, imagestest.Azure{Deployments: map[string]string{"images": "gpt-image-1-mini"}})
	dir := t.TempDir()
	file := filepath.Join(dir, "prompts.txt")
	os.WriteFile(file, []byte("a kite\na fox\n"), 0o644)
	runCLI(t, env, "batch", "-q", "-m", "images", "--quality", "low", "--out-dir", filepath.Join(dir, "local"), file).mustSucceed(t)
	r := runCLI(t, env, "batch", "--json", "--batch-api", "--poll-interval", "10ms", "-m", "images", "--quality", "low", "--out-dir", filepath.Join(dir, "api"), file).mustSucceed(t)
	var s batchSummary
	json.Unmarshal([]byte(r.stdout), &s)
	if s.Totals.Succeeded != 2 || s.BatchStatus != "completed" {
		t.Errorf("batch API run: %s", r.stdout)
	}
	var batches, lines int
	for _, req := range srv.Requests() {
		switch {
		case req.Method == "POST" && req.Path == "/openai/batches":
			batches++
		case strings.HasPrefix(req.Path, "/openai/deployments/images/images/generations"):
			lines++
		}
	}
	if batches != 1 || lines != 2 {
		t.Errorf("%d batches created, %d local generations", batches, lines)
	}
	// Items checked by the deployment's model before anything is sent.
	before := len(srv.Requests())
	r = runCLI(t, env, "batch", "--azure-deployment", "images", "-m", "gpt-image-1-mini", "--style", "vivid", "--out-dir", filepath.Join(dir, "bad"), file)
	if r.code != exitUsage || len(srv.Requests()) != before {
		t.Errorf("invalid items: exit %d, %d requests sent\n%s", r.code, len(srv.Requests())-before, r.stderr)
	}
}

// Which server the command talks to, and the errors when that is unclear
// or a credential is missing.
func TestAzureConnection(t *testing.T) {
	t.Parallel()
	srv, _ := azureServer(t, imagestest.Azure{Token: func(tok string) bool { return tok == entraTokenForTest }})
	dir := t.TempDir()
	out := filepath.Join(dir, "x.png")

	cases := []struct {
		name string
		env  map[string]string
		args []string
		code string
	}{
		{"both keys", map[string]string{"OPENAI_API_KEY": "sk-x", "AZURE_OPENAI_ENDPOINT": srv.Endpoint, "AZURE_OPENAI_API_KEY": cliAzureKey}, nil, "ambiguous_environment"},
		{"no Azure credentials", map[string]string{"AZURE_OPENAI_ENDPOINT": srv.Endpoint, "OPENAI_API_VERSION": "v"}, nil, "missing_api_key"},
		{"no API version", map[string]string{"AZURE_OPENAI_ENDPOINT": srv.Endpoint, "AZURE_OPENAI_API_KEY": cliAzureKey}, nil, ""},
		{"no endpoint", map[string]string{"AZURE_OPENAI_API_KEY": cliAzureKey}, []string{"--azure-deployment", "images"}, ""},
		{"emulator and endpoint", nil, []string{"--emulator", "--azure-endpoint", srv.Endpoint}, ""},
		{"Azure in OPENAI_BASE_URL", map[string]string{"OPENAI_API_KEY": "sk-x", "OPENAI_BASE_URL": "https://res.openai.azure.com/openai/deployments/img"}, nil, ""},
	}
	for _, tc := range cases {
		args := append([]string{"generate", "--json", "-m", "gpt-image-1-mini", "-o", out}, tc.args...)
		r := runCLI(t, tc.env, append(args, "a kite")...)
		s := parseSummary(t, r.stdout)
		if r.code != exitUsage || s.Error == nil || s.Error.Kind != "usage" || (tc.code != "" && s.Error.Code != tc.code) {
			t.Errorf("%s: exit %d, %+v", tc.name, r.code, s.Error)
		}
		if strings.Contains(r.stdout+r.stderr, cliAzureKey) {
			t.Errorf("%s: key in the output", tc.name)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests sent by refused runs", n)
	}

	// An OpenAI key and an explicit Azure endpoint: Azure, decided.
	decided := map[string]string{"OPENAI_API_KEY": "sk-x", "AZURE_OPENAI_API_KEY": cliAzureKey, "OPENAI_API_VERSION": "v"}
	runCLI(t, decided, "generate", "--azure-endpoint", srv.Endpoint, "-m", "gpt-image-1-mini", "--quality", "low", "-o", out, "a kite")
	// A Microsoft Entra ID token from AZURE_OPENAI_AD_TOKEN, sent as a
	// bearer token (the emulator takes only this one).
	tokenEnv := map[string]string{"AZURE_OPENAI_ENDPOINT": srv.Endpoint, "AZURE_OPENAI_AD_TOKEN": entraTokenForTest, "OPENAI_API_VERSION": "v"}
	r := runCLI(t, tokenEnv, "generate", "-m", "gpt-image-1-mini", "--quality", "low", "-o", out, "a kite")
	if r.code != exitOK || strings.Contains(r.stdout+r.stderr, entraTokenForTest) {
		t.Errorf("Entra token: exit %d\n%s", r.code, r.stderr)
	}
	// The built-in emulator as an Azure resource.
	runCLI(t, nil, "generate", "--emulator", "--azure-deployment", "images", "-m", "gpt-image-1.5", "-o", out, "a kite").mustSucceed(t)
}

var entraTokenForTest = "eyJhbGciOiJub25lIn0." + base64.RawURLEncoding.EncodeToString([]byte(`{"aud":"https://cognitiveservices.azure.com"}`)) + ".c2ln"

// serve --azure prints the endpoint to use as AZURE_OPENAI_ENDPOINT, and
// the command reaches it through the environment.
func TestServeAzure(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--azure", "--azure-deployment", "images=gpt-image-1-mini"}, &stdout, &stderr, func(string) string { return "" })
	}()
	var endpoint string
	for deadline := time.Now().Add(10 * time.Second); endpoint == ""; time.Sleep(10 * time.Millisecond) {
		if line, ok := strings.CutPrefix(stdout.String(), "AZURE_OPENAI_ENDPOINT="); ok && strings.HasSuffix(line, "\n") {
			endpoint = strings.TrimSpace(line)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no AZURE_OPENAI_ENDPOINT line; stdout %q, stderr %q", stdout.String(), stderr.String())
		}
	}
	env := map[string]string{"AZURE_OPENAI_ENDPOINT": endpoint, "AZURE_OPENAI_API_KEY": cliAzureKey, "OPENAI_API_VERSION": "2025-04-01-preview"}
	runCLI(t, env, "generate", "-m", "images", "--quality", "low", "-o", filepath.Join(t.TempDir(), "x.png"), "a kite").mustSucceed(t)
	if r := runCLI(t, env, "generate", "-m", "gpt-image-1-mini", "-o", filepath.Join(t.TempDir(), "x.png"), "a kite"); r.code != exitFailure || !strings.Contains(r.stderr, "DeploymentNotFound") {
		t.Errorf("a deployment the resource lacks: exit %d\n%s", r.code, r.stderr)
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Errorf("serve exited %d", code)
	}
	if log := stderr.String(); !strings.Contains(log, "POST /openai/deployments/images/images/generations 200") {
		t.Errorf("log:\n%s", log)
	}
	if r := runCLI(t, nil, "serve", "--azure-deployment", "a=b"); r.code != exitUsage {
		t.Errorf("--azure-deployment without --azure: exit %d", r.code)
	}
}
