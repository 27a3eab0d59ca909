package adversarial

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imagegen-go/openai-images/imagestest"
	"github.com/imagegen-go/openai-images/wrapper"
)

// rawSecrets is the credentials of r without the "Bearer " scheme.
func rawSecrets(r *http.Request) []string {
	var out []string
	for _, v := range echoed(r) {
		out = append(out, strings.TrimPrefix(v, "Bearer "))
	}
	return out
}

// percentAll percent-encodes every byte of s.
func percentAll(s string) string {
	var b strings.Builder
	for i := range len(s) {
		fmt.Fprintf(&b, "%%%02X", s[i])
	}
	return b.String()
}

// echoServer is an API that quotes the credentials of each request back,
// in the way the request's X-Mode header picks: in headers (x-request-id
// of a success, Content-Type of a 200, any header of an error), in JSON
// bodies raw, \u-escaped and percent-encoded, in stream event names and
// data, in a redirect's Location, in a malformed status line, and in the
// URL of an image and the error page served for it.
func echoServer(t *testing.T, png []byte) http.Handler {
	mux := http.NewServeMux()
	images := func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		raw := rawSecrets(r)
		all := strings.Join(echoed(r), " ")
		base := "http://" + r.Host + "/v1"
		h := w.Header()
		switch r.Header.Get("X-Mode") {
		case "ok":
			h.Set("x-request-id", "req_"+strings.Join(raw, "_"))
			h.Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"created":1,"output_format":"png","data":[{"b64_json":%q,"revised_prompt":"you sent %s and %s"}]}`, b64(png), all, jsonEscaped(all))
		case "content-type":
			h.Set("Content-Type", "text/html; charset="+strings.Join(raw, ","))
			io.WriteString(w, "<html>not JSON</html>")
		case "error":
			h.Set("x-request-id", "req_"+strings.Join(raw, "_"))
			h.Set("X-Echo", all)
			h.Set("X-"+raw[0], "1")
			h.Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"error":{"message":"Invalid credentials %s","type":%q,"code":"%s","param":"%s"}}`, jsonEscaped(all), all, percentAll(all), strings.ReplaceAll(jsonEscaped(all), `\`, `\\`))
		case "html":
			h.Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprintf(w, "<html><body>upstream refused %s</body></html>", all)
		case "redirect":
			http.Redirect(w, r, "http://127.0.0.1:1/"+strings.Join(raw, "/"), http.StatusTemporaryRedirect)
		case "malformed":
			conn, buf := hijack(t, w, r)
			if conn == nil {
				return
			}
			fmt.Fprintf(buf, "HTTP/1.1 %s OK\r\n\r\n", strings.Join(raw, "-"))
			buf.Flush()
			conn.Close()
		case "url":
			h.Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"created":1,"data":[{"url":"%s/gone/%s.png?sig=%s"}]}`, base, strings.Join(raw, "/"), url.QueryEscape(all))
		case "event":
			h.Set("Content-Type", "text/event-stream")
			h.Set("x-request-id", "req_"+raw[0])
			fmt.Fprintf(w, "event: %s\ndata: {not json %s\n\n", raw[0], all)
		case "stream-error":
			h.Set("Content-Type", "text/event-stream")
			fmt.Fprintf(w, "data: {\"error\":{\"message\":\"refused %s\",\"code\":\"%s\",\"type\":\"%s\"}}\n\n", jsonEscaped(all), raw[1%len(raw)], percentAll(raw[2%len(raw)]))
		default:
			t.Errorf("no X-Mode")
		}
	}
	mux.HandleFunc("POST /images/generations", images)
	mux.HandleFunc("POST /responses", images)
	mux.HandleFunc("GET /gone/", func(w http.ResponseWriter, r *http.Request) {
		// The download carries no credential; this quotes its own URL,
		// which the API put them in.
		w.Header().Set("x-request-id", "dl_"+r.URL.Path)
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, "no such image: %s?%s", r.URL.Path, r.URL.RawQuery)
	})
	return mux
}

// A server that echoes what it is sent cannot get any of the client's
// credentials (the bearer key, an api-key header, a header marked secret,
// a per-request header or query parameter) into a returned value, an
// error however it is printed, or the debug log: not through x-request-id,
// the Content-Type of a 200, JSON error bodies in raw, \u-escaped or
// percent-encoded form, headers, an HTML page, a redirect, a malformed
// status line, an image URL and its error page, a stream's event names or
// error events, or a Responses API turn.
func TestEchoedCredentialsNeverSurface(t *testing.T) {
	logger, logs := debugLogger()
	png := pngImage(t, 8, 8, false)
	c, _ := hostileServer(t, echoServer(t, png), wrapper.WithLogger(logger))
	ctx := context.Background()
	mode := func(m string) []wrapper.RequestOption {
		return append(perRequest(), wrapper.WithExtraHeader("X-Mode", m))
	}
	var errs []error
	var values []string

	res, err := c.Generate(ctx, wrapper.GenerateParams{Prompt: "x"}, mode("ok")...)
	if err != nil {
		t.Fatal(err)
	}
	values = append(values, res.RequestID, res.Data[0].RevisedPrompt)
	if !strings.Contains(res.RequestID, "[redacted]") || !strings.Contains(res.Data[0].RevisedPrompt, "[redacted]") {
		t.Errorf("the echoes were not there to scrub: %q, %q", res.RequestID, res.Data[0].RevisedPrompt)
	}
	if b, err := res.Data[0].Content(ctx); err != nil || len(b) != len(png) {
		t.Errorf("the image did not survive the scrubbing: %d bytes, %v", len(b), err)
	}
	for _, m := range []string{"content-type", "error", "html", "redirect", "malformed", "url"} {
		res, err := c.Generate(ctx, wrapper.GenerateParams{Prompt: "x"}, mode(m)...)
		if err == nil && m == "url" {
			_, err = res.Data[0].Content(ctx)
			if err == nil {
				err = res.Data[0].WriteFile(ctx, filepath.Join(t.TempDir(), "x.png"))
			}
		}
		if err == nil {
			t.Errorf("mode %s: no error", m)
			continue
		}
		errs = append(errs, err)
		var apiErr *wrapper.APIError
		if errors.As(err, &apiErr) {
			values = append(values, apiErr.RequestID, string(apiErr.Body), fmt.Sprint(apiErr.Header))
		}
	}
	for _, m := range []string{"event", "stream-error"} {
		s, err := c.GenerateStream(ctx, streamParams(), mode(m)...)
		if err != nil {
			t.Fatalf("stream %s: %v", m, err)
		}
		values = append(values, s.RequestID())
		_, err = collect(s)
		if err == nil {
			t.Errorf("stream %s: no error", m)
			continue
		}
		var se *wrapper.StreamError
		if errors.As(err, &se) {
			values = append(values, string(se.Raw))
		}
		errs = append(errs, err)
	}
	session := c.NewEditSession("gpt-5", wrapper.ImageTool{})
	_, err = session.Create(ctx, "Generate an image", mode("error")...)
	errs = append(errs, err)

	for i, err := range errs {
		if err == nil {
			t.Errorf("case %d: no error", i)
			continue
		}
		noSecrets(t, fmt.Sprintf("error %d", i), errorViews(err))
	}
	for i, v := range values {
		noSecrets(t, fmt.Sprintf("value %d", i), v)
	}
	out := logs.String()
	if !strings.Contains(out, "request_id=") {
		t.Errorf("the debug log has no request ids:\n%s", out)
	}
	noSecrets(t, "the debug log", out)
}

// A key pasted as the base URL, by option or in OPENAI_BASE_URL, is not
// quoted in New's error.
func TestKeyAsBaseURLNotEchoed(t *testing.T) {
	for _, base := range []string{testKey, " " + testKey, "http//" + testKey, "https://" + testKey + "@", "https://api.test/v1#" + testKey} {
		_, err := wrapper.New(wrapper.WithAPIKey("x"), wrapper.WithBaseURL(base))
		if err == nil {
			t.Errorf("WithBaseURL(%q) accepted", base)
			continue
		}
		noSecrets(t, "New's error", errorViews(err))
		t.Setenv("OPENAI_BASE_URL", base)
		_, err = wrapper.New(wrapper.WithAPIKey("x"))
		if err == nil {
			t.Errorf("OPENAI_BASE_URL=%q accepted", base)
			continue
		}
		noSecrets(t, "New's error (environment)", errorViews(err))
	}
	_, err := wrapper.New(wrapper.WithBaseURL(testKey))
	if err == nil || !strings.Contains(err.Error(), "looks like an API key") {
		t.Errorf("err = %v, want a hint that the key went into the base URL", err)
	}
}

// A redirect to another origin carries none of the credentials: not the
// bearer key, not an api-key header, not a header marked secret, not a
// per-request credential header.
func TestRedirectDropsEveryCredential(t *testing.T) {
	for _, status := range []int{302, 307, 308} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			var atAPI, atOther seen
			api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				atAPI.record(r)
				http.Redirect(w, r, "http://other.test/v1/images/generations", status)
			}))
			other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				atOther.record(r)
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, okJSON)
			}))
			tr := (&hostRouter{apiHost: "api.test:80", api: api, other: other}).transport()
			t.Cleanup(func() {
				tr.CloseIdleConnections()
				api.Close()
				other.Close()
			})
			c, err := wrapper.New(append(credentialOptions(), wrapper.WithBaseURL(memBaseURL), wrapper.WithMaxRetries(0),
				wrapper.WithHTTPClient(&http.Client{Transport: tr}))...)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Generate(context.Background(), wrapper.GenerateParams{Prompt: "x"}, wrapper.WithExtraHeader("X-Api-Key", requestKey)); err != nil {
				t.Fatal(err)
			}
			atAPI.mu.Lock()
			first := atAPI.reqs[0]
			atAPI.mu.Unlock()
			for _, sec := range []string{testKey, apiKeyHeader, gatewayToken, requestKey} {
				if !strings.Contains(first, sec) {
					t.Fatalf("the API did not get %s; the test proves nothing", sec)
				}
			}
			atOther.mu.Lock()
			defer atOther.mu.Unlock()
			if len(atOther.reqs) != 1 {
				t.Fatalf("the other host got %d requests", len(atOther.reqs))
			}
			noSecrets(t, "the request to the other host", atOther.reqs[0])
		})
	}
}

// The emulator records no credential: not the Authorization or api-key
// headers, not a secret in the query or the body.
func TestEmulatorRecordsNoCredential(t *testing.T) {
	srv := imagestest.NewServer()
	defer srv.Close()
	c, err := wrapper.New(append(credentialOptions(), wrapper.WithBaseURL(srv.URL))...)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Generate(context.Background(), wrapper.GenerateParams{Model: wrapper.ModelGPTImage2, Prompt: "an otter", Size: wrapper.CustomSize(256, 256)},
		append(perRequest(), wrapper.WithExtraBody("user", requestKey))...)
	if err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 || reqs[0].Params["prompt"] != "an otter" {
		t.Fatalf("recorded %+v", reqs)
	}
	noSecrets(t, "the emulator's records", fmt.Sprintf("%#v", reqs))
}

// A Batch API output or error file that quotes the credentials (in
// request_id, in response bodies, in error messages, raw and escaped)
// gets none of them into the results, their errors or the manifest.
func TestBatchResultFilesScrubbed(t *testing.T) {
	png := pngImage(t, 8, 8, false)
	var input []byte
	mux := http.NewServeMux()
	mux.HandleFunc("POST /files", func(w http.ResponseWriter, r *http.Request) {
		f, _, err := r.FormFile("file")
		if err != nil {
			t.Errorf("upload: %v", err)
			return
		}
		input, _ = io.ReadAll(f)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"file-in","object":"file","bytes":1,"created_at":1,"filename":"batch.jsonl","purpose":"batch","status":"processed"}`)
	})
	batch := func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		all := strings.Join(echoed(r), " ")
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("x-request-id", "req_"+strings.Join(rawSecrets(r), "_"))
		fmt.Fprintf(w, `{"id":"batch_1","object":"batch","endpoint":"/v1/images/generations","input_file_id":"file-in","completion_window":"24h","status":"completed","created_at":1,"output_file_id":"file-out","error_file_id":"file-err","request_counts":{"total":3,"completed":1,"failed":2},"metadata":{"echo":%q}}`, jsonEscaped(all))
	}
	mux.HandleFunc("POST /batches", batch)
	mux.HandleFunc("GET /batches/batch_1", batch)
	mux.HandleFunc("GET /files/{id}/content", func(w http.ResponseWriter, r *http.Request) {
		raw := rawSecrets(r)
		all := strings.Join(echoed(r), " ")
		switch r.PathValue("id") {
		case "file-in":
			w.Write(input)
		case "file-out":
			fmt.Fprintf(w, `{"id":"r1","custom_id":"a","response":{"status_code":200,"request_id":"req_%s","body":{"created":1,"output_format":"png","data":[{"b64_json":%q,"revised_prompt":"%s"}]}}}`+"\n",
				raw[0], b64(png), jsonEscaped(all))
		case "file-err":
			fmt.Fprintf(w, `{"id":"r2","custom_id":"b","response":{"status_code":400,"request_id":"req_%s","body":{"error":{"message":"bad %s","code":"%s"}}}}`+"\n", raw[1], jsonEscaped(all), percentAll(raw[2]))
			fmt.Fprintf(w, `{"id":"r3","custom_id":"c","error":{"code":"%s","message":"expired %s"}}`+"\n", raw[0], all)
		}
	})
	c, _ := hostileServer(t, mux)
	ctx := context.Background()
	items := []wrapper.BatchItem{
		{ID: "a", Generate: &wrapper.GenerateParams{Prompt: "one"}},
		{ID: "b", Generate: &wrapper.GenerateParams{Prompt: "two"}},
		{ID: "c", Generate: &wrapper.GenerateParams{Prompt: "three"}},
	}
	b, err := c.SubmitBatch(ctx, items, wrapper.SubmitBatchOptions{}, perRequest()...)
	if err != nil {
		t.Fatal(err)
	}
	noSecrets(t, "the submitted batch", fmt.Sprintf("%+v", b))
	b, err = c.WaitBatch(ctx, b.ID, wrapper.WaitBatchOptions{}, perRequest()...)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	res, err := c.DownloadBatchResults(ctx, b, dir, perRequest()...)
	if err != nil {
		t.Fatal(err)
	}
	if res.Succeeded != 1 || res.Failed != 2 {
		t.Fatalf("result %+v", res)
	}
	for _, it := range res.Items {
		noSecrets(t, "item "+it.ID, fmt.Sprintf("%+v %q", it, it.RequestID))
		if it.Err != nil {
			noSecrets(t, "the error of item "+it.ID, errorViews(it.Err))
			var apiErr *wrapper.APIError
			if errors.As(it.Err, &apiErr) {
				noSecrets(t, "the error body of item "+it.ID, string(apiErr.Body))
			}
		}
	}
	noSecrets(t, "the batch error", errorViews(res.Err()))
	files, _ := os.ReadDir(dir)
	for _, f := range files {
		data, _ := os.ReadFile(filepath.Join(dir, f.Name()))
		noSecrets(t, "file "+f.Name(), string(data))
	}
	manifest, err := os.ReadFile(filepath.Join(dir, wrapper.BatchManifestName))
	if err != nil || !strings.Contains(string(manifest), "[redacted]") {
		t.Errorf("the manifest does not show the scrubbed request ids: %v\n%s", err, manifest)
	}
}

// The CLI, which prints errors on stderr, summaries with --json and
// writes a manifest for batches, shows the key nowhere when the server
// echoes it: not on success, not for an error response, not for a stream
// with the key as an event name, not in a batch's manifest.
func TestCLIShowsNoKey(t *testing.T) {
	png := pngImage(t, 8, 8, false)
	_, srv := hostileServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		prompt := ""
		var req map[string]any
		if json.Unmarshal(body, &req) == nil {
			prompt, _ = req["prompt"].(string)
		}
		r.Header.Set("X-Mode", prompt)
		r.Body = io.NopCloser(strings.NewReader(""))
		echoServer(t, png).ServeHTTP(w, r)
	}))
	base := srv.URL + "/v1"
	dir := t.TempDir()
	for _, args := range [][]string{
		{"generate", "--json", "ok"},
		{"generate", "ok"},
		{"generate", "--json", "error"},
		{"generate", "error"},
		{"generate", "content-type"},
		{"generate", "--json", "--model", "gpt-image-1.5", "--stream", "event"},
		{"generate", "--model", "gpt-image-1.5", "--stream", "stream-error"},
	} {
		run := runCLI(t, dir, base, args...)
		noSecrets(t, strings.Join(args, " ")+": stdout", run.stdout)
		noSecrets(t, strings.Join(args, " ")+": stderr", run.stderr)
		if ok := args[len(args)-1] == "ok"; ok != (run.exit == 0) {
			t.Errorf("%s: exit %d\n%s%s", strings.Join(args, " "), run.exit, run.stdout, run.stderr)
		}
	}
	os.WriteFile(filepath.Join(dir, "prompts.txt"), []byte("ok\nok\nerror\n"), 0o644)
	run := runCLI(t, dir, base, "batch", "--json", "--out", "out", "prompts.txt")
	noSecrets(t, "batch: stdout", run.stdout)
	noSecrets(t, "batch: stderr", run.stderr)
	entries, _ := os.ReadDir(filepath.Join(dir, "out"))
	if len(entries) < 2 {
		t.Fatalf("the batch wrote %d files:\n%s%s", len(entries), run.stdout, run.stderr)
	}
	for _, e := range entries {
		f, _ := os.Open(filepath.Join(dir, "out", e.Name()))
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			noSecrets(t, "out/"+e.Name(), sc.Text())
		}
		f.Close()
	}
}
